package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// apiGouvSite is the national catalogue's site: its site-relative links ("/swaggers/…") are
// addresses there.
const apiGouvSite = "https://api.gouv.fr"

// schemePattern finds the scheme that starts an address.
var schemePattern = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):`)

// mailPattern matches one e-mail address written without "mailto:".
var mailPattern = regexp.MustCompile(`^[^\s@,;:/<>()\[\]"']+@[^\s@,;:/<>()\[\]"']+\.[^\s@,;:/<>()\[\]"']+$`)

// cleanLink checks an address read from a field and returns it as it is served. Only http, https
// and mailto addresses are links: a page would run a javascript:, data: or vbscript: one. An
// address is read as browsers read it, which ignore spaces and control characters around it and
// tabs and line ends inside it; one that still holds a control character is refused. E-mail
// addresses without their "mailto:" (the national catalogue's contacts) get it, and a
// site-relative address is resolved against site when there is one.
func cleanLink(raw, site string) (string, error) {
	v := strings.TrimFunc(raw, isSpaceOrControl)
	if v == "" {
		return "", nil
	}
	// The scheme a browser would see, with whatever it ignores removed.
	squeezed := strings.Map(func(r rune) rune {
		if isSpaceOrControl(r) {
			return -1
		}
		return r
	}, v)
	if m := schemePattern.FindStringSubmatch(squeezed); m != nil {
		switch scheme := strings.ToLower(m[1]); scheme {
		case "http", "https", "mailto":
		default:
			return "", fmt.Errorf("scheme %s is not allowed: links are http, https or mailto addresses", quote(scheme))
		}
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return "", errors.New("the address holds a control character")
	}
	if m := schemePattern.FindStringSubmatch(v); m != nil {
		if strings.EqualFold(m[1], "mailto") {
			return v, nil
		}
		u, err := url.Parse(v)
		if err != nil {
			// Without the address itself, which the message quotes already.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return "", fmt.Errorf("not a valid address: %w", err)
		}
		if u.Host == "" {
			return "", errors.New("the address has no host (https://host/…)")
		}
		return v, nil
	}
	if mails := mailList(v); mails != "" {
		return "mailto:" + mails, nil
	}
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") && site != "" {
		return site + v, nil
	}
	return "", errors.New("not a full address: write it with https:// (or an e-mail address)")
}

// mailList returns the e-mail addresses of v, separated by commas or semicolons, joined with
// commas as a mailto address lists them; or "" when v is not such a list.
func mailList(v string) string {
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' })
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if !mailPattern.MatchString(p) {
			return ""
		}
		parts[i] = p
	}
	return strings.Join(parts, ",")
}

// isSpaceOrControl reports whether browsers ignore r around an address.
func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// linkField is a field read as an address: its name in the file, where it is and its value.
type linkField struct {
	name  string
	path  []any // keys and list indexes from the document's root
	value *string
}

// cleanLinks cleans the values of fields with cleanLink, and reports the first that is not a
// link as an error at its line; it returns false then.
func (l *loader) cleanLinks(p, slug string, doc document, site string, links []linkField) bool {
	for _, f := range links {
		v, err := cleanLink(*f.value, site)
		if err != nil {
			l.report(p, SeverityError, slug, errorAt(lineAt(doc.root, f.path...), "%s %s: %v", f.name, quote(*f.value), err))
			return false
		}
		*f.value = v
	}
	return true
}

// lineAt returns the line of the value at path (keys and list indexes) from root, or of the
// nearest value on the way to it.
func lineAt(root *yaml.Node, path ...any) int {
	n := root
	for _, step := range path {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yaml.Node
		switch step := step.(type) {
		case string:
			for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == step {
					next = n.Content[i+1]
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && step < len(n.Content) {
				next = n.Content[step]
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return n.Line
}
