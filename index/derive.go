package index

import "strings"

// derivations are French suffix pairs that make a noun from a verb or an adjective, or a verb
// from a noun, in folded spelling: "localiser" and "localisation", "signaler" and
// "signalement", "inscrire" and "inscription". Each works both ways. They are guesses, kept
// only when the catalogue holds the word they make.
var derivations = [][2]string{
	{"iser", "isation"}, {"ifier", "ification"}, {"ier", "ication"},
	{"er", "ation"}, {"er", "ement"}, {"yer", "iement"}, {"er", "age"}, {"er", "ion"}, {"er", "eur"},
	{"ir", "issement"}, {"ire", "iption"}, {"ire", "ipteur"}, {"uire", "uction"}, {"endre", "ente"},
	{"eger", "ection"}, {"evoir", "eption"}, {"ation", "ateur"},
	{"ique", "ie"}, {"ique", "isme"}, {"if", "ion"}, {"el", "ion"}, {"al", "ation"},
}

// maxDerived bounds the words a query word may be derived into.
const maxDerived = 4

// derive returns the catalogue words that a folded word derives into by one suffix pair,
// from its singular: "localiser" → "localisation", "inscriptions" → "inscrire".
func (v *vocabulary) derive(w string) []string {
	var out []string
	for _, base := range []string{w, strings.TrimSuffix(strings.TrimSuffix(w, "s"), "x")} {
		for _, d := range derivations {
			for _, dir := range [][2]string{{d[0], d[1]}, {d[1], d[0]}} {
				stem, ok := strings.CutSuffix(base, dir[0])
				if !ok || len(stem) < 3 {
					continue
				}
				for _, cand := range []string{stem + dir[1], stem + dir[1] + "s"} {
					if cand != w && v.count[cand] > 0 && !contains(out, cand) {
						out = append(out, cand)
					}
				}
				if len(out) >= maxDerived {
					return out
				}
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
