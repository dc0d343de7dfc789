package catalog

import (
	"regexp"
	"strings"
)

// sentenceBreak finds the end of a sentence followed by another one.
var sentenceBreak = regexp.MustCompile(`[.!?]\s+\p{Lu}`)

// Check returns the warnings and hints of an entry against the eligibility criteria of the
// national catalogue of public APIs and its good practices.
func Check(e *Entry) []Problem {
	var out []Problem
	add := func(sev Severity, msg string) {
		out = append(out, Problem{Path: e.Path, Severity: sev, Slug: e.Slug, Message: msg})
	}
	switch {
	case e.Tagline == "":
		add(SeverityWarning, "no tagline: describe what the API does in one sentence")
	case sentenceBreak.MatchString(e.Tagline):
		add(SeverityWarning, "the tagline has more than one sentence: keep it to one")
	}
	if e.Links.DocTech == "" && e.Links.DocExternal == "" && e.Links.OpenAPI == "" {
		add(SeverityWarning, "no online technical documentation (doc_tech link)")
	}
	if e.Access != AccessOpen && e.Links.Access == "" {
		add(SeverityWarning, "access is "+string(e.Access)+" but there is no online access procedure (account or DataPass link)")
	}
	if e.Links.Contact == "" {
		add(SeverityWarning, "no contact link")
	}
	if t := strings.ToLower(e.Producer.Type); t == "" || t == "autre" {
		add(SeverityWarning, "producer "+e.Producer.Slug+" is not a known administration: give its type")
	}
	if !hasOpenAPI(e.Links) {
		add(SeverityHint, "no OpenAPI document: publishing one is the good practice")
	}
	if e.Links.Stats == "" {
		add(SeverityHint, "no public statistics page")
	}
	if e.Access != AccessOpen && e.Links.Sandbox == "" {
		add(SeverityHint, "no sandbox or test tokens to try the API before access is granted")
	}
	return out
}

// hasOpenAPI reports whether a link points at an OpenAPI or Swagger document.
func hasOpenAPI(l Links) bool {
	if l.OpenAPI != "" {
		return true
	}
	for _, u := range []string{l.DocTech, l.DocExternal} {
		u = strings.ToLower(u)
		if strings.Contains(u, "swagger") || strings.Contains(u, "openapi") ||
			strings.HasSuffix(u, ".json") || strings.HasSuffix(u, ".yaml") || strings.HasSuffix(u, ".yml") {
			return true
		}
	}
	return false
}
