package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"
)

// SynonymsFile is the catalogue folder's own synonyms file, at its root: editors add synonyms
// to the project's built-in ones without a release.
const SynonymsFile = "synonyms.yaml"

// maxSynonymValues bounds the words and phrases of a synonyms file, so that a query's
// expansion and each generation's compilation of the synonyms stay cheap.
const maxSynonymValues = 10000

// Synonyms are the words and phrases a query expands to, in the format of synonyms.yaml.
type Synonyms struct {
	// Groups are true synonyms: a query for any member also finds the others.
	Groups [][]string `json:"groups,omitempty"`
	// Expansions are one way: a query for a key also finds its narrower words.
	Expansions map[string][]string `json:"expansions,omitempty"`
	// Ignore lists words left out of queries of three words or more: what people want to do
	// ("trouver", "savoir") rather than what about.
	Ignore []string `json:"ignore,omitempty"`
}

// ParseSynonyms reads the text of a synonyms file. Its error names the line of the first
// problem, when there is one.
func ParseSynonyms(data []byte) (*Synonyms, error) {
	syn, errs := parseSynonyms(string(data))
	if len(errs) == 0 {
		return syn, nil
	}
	var fe *fileError
	if errors.As(errs[0], &fe) && fe.line > 0 {
		return nil, fmt.Errorf("line %d: %s", fe.line, fe.msg)
	}
	return nil, errs[0]
}

// loadSynonyms reads the folder's synonyms file, nil when there is none. A file that cannot be
// used is reported and, on a reload, prev's synonyms stay in force, as a broken entry file
// keeps its entry's last good version.
func (l *loader) loadSynonyms(prev *Catalog) *Synonyms {
	p := SynonymsFile
	if _, err := fs.Stat(l.fsys, p); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	text, warnings, err := l.readFile(p)
	for _, w := range warnings {
		l.report(p, SeverityWarning, "", errors.New(w))
	}
	if err != nil {
		l.report(p, SeverityError, "", err)
	} else {
		syn, errs := parseSynonyms(text)
		if len(errs) == 0 {
			return syn
		}
		for _, err := range errs {
			l.report(p, SeverityError, "", err)
		}
	}
	if prev == nil || prev.Synonyms == nil {
		return nil
	}
	l.problems.add(Problem{Path: p, Severity: SeverityWarning,
		Message: "the last good version of this file is still used until it is fixed"}, false)
	return prev.Synonyms
}

// parseSynonyms reads the text of a synonyms file; it returns every problem found, each with
// its line, and no synonyms when there is one. A text of blank lines and comments holds none.
func parseSynonyms(text string) (*Synonyms, []error) {
	if blank(text) {
		return &Synonyms{}, nil
	}
	root, err := decodeYAML(text, 1)
	if err != nil {
		return nil, []error{err}
	}
	p := &synonymsParser{last: lastLine(text)}
	keys := make(map[string]int)
	for i := 0; i+1 < len(root.Content) && !p.full; i += 2 {
		key, value := root.Content[i], resolve(root.Content[i+1])
		if line, dup := keys[key.Value]; dup {
			p.fail(key, "key %s already given at line %d", quote(key.Value), line)
			continue
		}
		keys[key.Value] = key.Line
		switch known := key.Value == "groups" || key.Value == "expansions" || key.Value == "ignore"; {
		case !known:
			p.fail(key, "unknown key %s: a synonyms file has groups, expansions and ignore", quote(key.Value))
		case value.Kind == yaml.ScalarNode && value.ShortTag() == "!!null":
			// "groups:" with nothing yet
		case key.Value == "groups":
			p.groups(value)
		case key.Value == "expansions":
			p.expansions(value)
		default:
			p.syn.Ignore = p.words(value, "ignore", 0)
		}
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return &p.syn, nil
}

// blank reports whether text holds nothing but blank lines and comments.
func blank(text string) bool {
	for line := range strings.SplitSeq(text, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			return false
		}
	}
	return true
}

// resolve returns the value an alias names, or n itself.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// synonymsParser reads the nodes of a synonyms file and collects its problems.
type synonymsParser struct {
	syn    Synonyms
	last   int  // the text's last line with something on it
	values int  // words and phrases read so far
	full   bool // over maxSynonymValues: the rest is not read
	errs   []error
}

// fail records a problem of node n. yaml.v3 may place a missing value on the line after the
// last one: the problem is then named on the last line.
func (p *synonymsParser) fail(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, errorAt(min(n.Line, p.last), format, args...))
}

func (p *synonymsParser) groups(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "groups must be a list of groups, each a list such as [caf, caisse d'allocations familiales]; found a %s", kindName(n.Kind))
		return
	}
	for i, g := range n.Content {
		if p.full {
			return
		}
		p.syn.Groups = append(p.syn.Groups, p.words(resolve(g), fmt.Sprintf("group %d", i+1), 2))
	}
}

func (p *synonymsParser) expansions(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "expansions must be words each followed by the list of words it expands to, such as siret: [sirene]; found a %s", kindName(n.Kind))
		return
	}
	p.syn.Expansions = make(map[string][]string, len(n.Content)/2)
	lines := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content) && !p.full; i += 2 {
		key := resolve(n.Content[i])
		from := p.word(key, "an expanded word")
		if line, dup := lines[from]; dup && from != "" {
			p.fail(key, "expansion of %s already given at line %d", quote(from), line)
			continue
		}
		lines[from] = key.Line
		p.syn.Expansions[from] = p.words(resolve(n.Content[i+1]), "the expansion of "+quote(from), 1)
	}
}

// words reads a list of at least least words or phrases; what names the list in messages.
func (p *synonymsParser) words(n *yaml.Node, what string, least int) []string {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "%s must be a list such as [a, b]; found a %s", what, kindName(n.Kind))
		return nil
	}
	if len(n.Content) < least {
		noun := "members"
		if len(n.Content) == 1 {
			noun = "member"
		}
		p.fail(n, "%s has %d %s, want at least %d", what, len(n.Content), noun, least)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if p.full {
			break
		}
		out = append(out, p.word(resolve(item), "a member of "+what))
	}
	return out
}

// word reads one word or phrase; after a problem, it reports it and returns "".
func (p *synonymsParser) word(n *yaml.Node, what string) string {
	if p.values++; p.values > maxSynonymValues {
		p.fail(n, "more than %d words and phrases: a synonyms file holds at most %d", maxSynonymValues, maxSynonymValues)
		p.full = true
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.fail(n, "%s must be a word or phrase; found a %s", what, kindName(n.Kind))
		return ""
	}
	w := strings.TrimSpace(n.Value)
	if w == "" || n.ShortTag() == "!!null" {
		p.fail(n, "%s is empty", what)
		return ""
	}
	return w
}
