package server

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/yuin/goldmark"
)

//go:embed openapi.yaml
var openapiYAML []byte

// documentServer is the server URL openapi.yaml declares: relative, the host the document was
// fetched from. /openapi.json and /openapi.yaml put the URL the service is reached at instead.
const documentServer = "/"

// apiDoc is the OpenAPI document, loaded and validated once, and its renderings.
type apiDoc struct {
	doc  *openapi3.T
	json splitDoc // /openapi.json
	yaml splitDoc // /openapi.yaml: the file as written
	html []byte   // /docs
}

// splitDoc is a rendering of the document cut where its server's URL goes, so that each answer
// names the URL the service is reached at without rendering the document again.
type splitDoc struct{ before, after []byte }

// with returns the rendering with serverURL as the document's server, written as a JSON
// string, which YAML reads too.
func (d splitDoc) with(serverURL string) []byte {
	quoted, _ := json.Marshal(serverURL)
	return slices.Concat(d.before, quoted, d.after)
}

// loadAPIDoc loads and validates the OpenAPI document, examples included.
func loadAPIDoc() (*apiDoc, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != documentServer {
		return nil, fmt.Errorf("openapi.yaml: want one server, with url %s, which the service replaces with its own URL", documentServer)
	}
	d := &apiDoc{doc: doc}

	line := []byte("\n  - url: " + documentServer + "\n")
	if bytes.Count(openapiYAML, line) != 1 {
		return nil, fmt.Errorf("openapi.yaml: want the server written as %q, once", line)
	}
	at := bytes.Index(openapiYAML, line) + len(line) - len(documentServer) - 1
	d.yaml = splitDoc{openapiYAML[:at], openapiYAML[at+len(documentServer):]}

	// The JSON is rendered once with a marker as the server's URL, then cut around it.
	const marker = "\x00server\x00"
	marked := *doc
	marked.Servers = openapi3.Servers{{URL: marker, Description: doc.Servers[0].Description}}
	rendered, err := json.Marshal(&marked)
	if err != nil {
		return nil, err
	}
	quoted, _ := json.Marshal(marker)
	before, after, ok := bytes.Cut(rendered, quoted)
	if !ok {
		return nil, fmt.Errorf("openapi.json: the server's URL is not where it was put")
	}
	d.json = splitDoc{before, after}

	if d.html, err = renderDocs(doc); err != nil {
		return nil, err
	}
	return d, nil
}

// OpenAPIDocument returns the service's OpenAPI document, for contract tests.
func OpenAPIDocument() (*openapi3.T, error) {
	d, err := loadAPIDoc()
	if err != nil {
		return nil, err
	}
	return d.doc, nil
}

// openapiJSON answers GET /openapi.json: the document, its server the URL the service is reached at.
func (s *Server) openapiJSON(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", s.doc.json.with(s.serverURL(c)))
}

// openapiYAML answers GET /openapi.yaml: openapi.yaml as written, its server the URL the service
// is reached at.
func (s *Server) openapiYAML(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", s.doc.yaml.with(s.serverURL(c)))
}

// docs answers GET /docs: the documentation page, rendered at start.
func (s *Server) docs(c *gin.Context) {
	c.Data(http.StatusOK, "text/html; charset=utf-8", s.doc.html)
}

// hostHeader matches a Host header the document may name as its server: a host name or an
// address in brackets, maybe a port.
var hostHeader = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$`)

// serverURL is the URL the service is reached at, for the document's servers: the configured
// public URL, else the request's own scheme and Host (forwarded headers are not believed: behind
// a proxy, configure the public URL), else "/" when the Host is not a plain host.
func (s *Server) serverURL(c *gin.Context) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	if !hostHeader.MatchString(c.Request.Host) {
		return documentServer
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// CheckPublicURL returns an error unless u can be the URL the service is reached at: http or
// https, a host, maybe a port and a path prefix, no trailing slash, nothing after.
func CheckPublicURL(u string) error {
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return fmt.Errorf("public URL %q: %w", u, err)
	case p.Scheme != "http" && p.Scheme != "https":
		return fmt.Errorf("public URL %q: want http:// or https:// and a host, such as https://recherche.api.gouv.fr", u)
	case p.Host == "" || p.User != nil || p.Opaque != "":
		return fmt.Errorf("public URL %q: want a scheme and a host, such as https://recherche.api.gouv.fr", u)
	case p.RawQuery != "" || p.Fragment != "" || strings.ContainsAny(u, "?#"):
		return fmt.Errorf("public URL %q: want no query and no fragment", u)
	case strings.HasSuffix(p.Path, "/") || strings.ContainsAny(p.Path, "{} "):
		return fmt.Errorf("public URL %q: want a path prefix without a trailing slash, braces or spaces, such as https://api.gouv.fr/recherche", u)
	}
	return nil
}

// docGroup is a tag of the document and its operations, as the documentation page shows them.
type docGroup struct {
	Name, Title string
	Description template.HTML
	Operations  []docOperation
}

// docOperation is one operation as the documentation page shows it, with its form.
type docOperation struct {
	ID, Method, Path, Summary string
	// Target is the operation's path relative to the page, which the form sends the request
	// to: the service that served the page, whatever path prefix a proxy puts before it.
	Target      string
	Description template.HTML
	Admin       bool
	Parameters  []docParameter
	Responses   []docResponse
}

// docParameter is a parameter as the page documents it and as its form's input asks for it.
type docParameter struct {
	// In is where the parameter goes, as OpenAPI says it (query, path…); Where, in French.
	Name, In, Where, Type, Example string
	Description                    template.HTML
	Required                       bool
	// InputID identifies the form's input; InputID-desc, the parameter's description.
	InputID string
	// Options are the values a select offers (enumerations and booleans); none: a text or
	// number input.
	Options []string
	// Number says the input takes a number, between Min and Max when they are set.
	Number   bool
	Min, Max string
	// MaxLength bounds a text input; 0: no bound.
	MaxLength uint64
	// List says the input takes several values, separated by commas, sent as the parameter
	// repeated.
	List bool
	// Value prefills the input: the document's example.
	Value string
	// Default is what the service takes when the parameter is not sent.
	Default string
}

// docResponse is a possible answer of an operation: its status, description and example;
// Content is its media type, Ref the schema it follows when it is one of the document's.
type docResponse struct {
	Status, Content, Ref, Example string
	Description                   template.HTML
}

// docSchema is a schema as the documentation page shows it.
type docSchema struct {
	Name, Type  string
	Description template.HTML
	Properties  []docField
}

// docField is a property of a schema.
type docField struct {
	Name, Type, Ref string
	Description     template.HTML
}

// where names in French where a parameter goes.
var where = map[string]string{"query": "requête", "path": "chemin", "header": "en-tête", "cookie": "cookie"}

// docMarkdown renders the document's descriptions, CommonMark as OpenAPI says; raw HTML is
// left out.
var docMarkdown = goldmark.New()

// markdown renders a description of the document as HTML.
func markdown(s string) (template.HTML, error) {
	var b strings.Builder
	if err := docMarkdown.Convert([]byte(s), &b); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // goldmark escapes text and leaves raw HTML out
}

// renderDocs renders the documentation page: every operation of the document, grouped by its
// first tag in the document's order of tags, with a form to try it, then the schemas.
func renderDocs(doc *openapi3.T) ([]byte, error) {
	var firstErr error
	md := func(s string) template.HTML {
		h, err := markdown(s)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return h
	}
	var groups []*docGroup
	byTag := make(map[string]*docGroup)
	for _, tag := range doc.Tags {
		g := &docGroup{Name: tag.Name, Title: tag.Name, Description: md(tag.Description)}
		if title, ok := tag.Extensions["x-displayName"].(string); ok {
			g.Title = title
		}
		groups = append(groups, g)
		byTag[tag.Name] = g
	}
	others := &docGroup{Name: "autres", Title: "Autres"}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := docOperation{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary,
				Target: strings.TrimPrefix(path, "/"), Description: md(op.Description), Admin: needsToken(doc, op)}
			for _, p := range op.Parameters {
				dp, err := docParam(op.OperationID, p.Value)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", method, path, err)
				}
				dp.Description = md(p.Value.Description)
				o.Parameters = append(o.Parameters, dp)
			}
			for status, r := range op.Responses.Map() {
				dr := docResponse{Status: status}
				if r.Value.Description != nil {
					dr.Description = md(*r.Value.Description)
				}
				for _, typ := range []string{"application/json", "application/yaml", "text/html", "text/plain"} {
					if mt := r.Value.Content.Get(typ); mt != nil {
						dr.Content = typ
						if mt.Schema != nil && mt.Schema.Ref != "" {
							dr.Ref = schemaName(mt.Schema.Ref)
						}
						if mt.Example != nil {
							dr.Example = indentJSON(mt.Example)
						}
						break
					}
				}
				o.Responses = append(o.Responses, dr)
			}
			sort.Slice(o.Responses, func(i, j int) bool { return o.Responses[i].Status < o.Responses[j].Status })
			g := others
			if len(op.Tags) > 0 && byTag[op.Tags[0]] != nil {
				g = byTag[op.Tags[0]]
			}
			g.Operations = append(g.Operations, o)
		}
	}
	groups = append(groups, others)
	var shown []docGroup
	for _, g := range groups {
		if len(g.Operations) == 0 {
			continue
		}
		sort.Slice(g.Operations, func(i, j int) bool {
			a, b := g.Operations[i], g.Operations[j]
			return a.Path < b.Path || a.Path == b.Path && a.Method < b.Method
		})
		shown = append(shown, *g)
	}

	var schemas []docSchema
	for name, ref := range doc.Components.Schemas {
		ds := docSchema{Name: name, Type: typeOf(ref.Value), Description: md(ref.Value.Description)}
		for prop, p := range ref.Value.Properties {
			f := docField{Name: prop, Type: typeOf(p.Value), Description: md(p.Value.Description)}
			if p.Ref != "" {
				f.Ref = schemaName(p.Ref)
			}
			ds.Properties = append(ds.Properties, f)
		}
		sort.Slice(ds.Properties, func(i, j int) bool { return ds.Properties[i].Name < ds.Properties[j].Name })
		schemas = append(schemas, ds)
	}
	sort.Slice(schemas, func(i, j int) bool { return schemas[i].Name < schemas[j].Name })
	if firstErr != nil {
		return nil, firstErr
	}
	var b bytes.Buffer
	err := docsPage.Execute(&b, struct {
		Title, Version string
		Description    template.HTML
		Groups         []docGroup
		Schemas        []docSchema
	}{doc.Info.Title, doc.Info.Version, md(doc.Info.Description), shown, schemas})
	return b.Bytes(), err
}

// needsToken reports whether an operation needs the admin token: it declares a security
// requirement, or declares none and the document does.
func needsToken(doc *openapi3.T, op *openapi3.Operation) bool {
	if op.Security != nil {
		return len(*op.Security) > 0
	}
	return len(doc.Security) > 0
}

// docParam describes a parameter and the input of its form.
func docParam(opID string, p *openapi3.Parameter) (docParameter, error) {
	dp := docParameter{Name: p.Name, In: p.In, Where: where[p.In], Required: p.Required, InputID: "try-" + opID + "-" + p.Name}
	if dp.Where == "" {
		dp.Where = p.In
	}
	if p.Example != nil {
		dp.Example = exampleText(p.Example)
		dp.Value = inputValue(p.Example)
	}
	if p.Schema == nil || p.Schema.Value == nil {
		return dp, nil
	}
	sch := p.Schema.Value
	dp.Type = typeOf(sch)
	if sch.Default != nil {
		dp.Default = inputValue(sch.Default)
	}
	if sch.Type.Is("array") {
		dp.List = true
		return dp, nil
	}
	switch {
	case len(sch.Enum) > 0:
		for _, v := range sch.Enum {
			dp.Options = append(dp.Options, inputValue(v))
		}
	case sch.Type.Is("boolean"):
		dp.Options = []string{"true", "false"}
	case sch.Type.Is("integer") || sch.Type.Is("number"):
		dp.Number = true
		if sch.Min != nil {
			dp.Min = strconv.FormatFloat(*sch.Min, 'g', -1, 64)
		}
		if sch.Max != nil {
			dp.Max = strconv.FormatFloat(*sch.Max, 'g', -1, 64)
		}
	case sch.MaxLength != nil:
		dp.MaxLength = *sch.MaxLength
	}
	if dp.Value != "" && dp.Options != nil && !slices.Contains(dp.Options, dp.Value) {
		return dp, fmt.Errorf("parameter %s: example %q is not one of %v", p.Name, dp.Value, dp.Options)
	}
	return dp, nil
}

// typeOf writes a schema's type as the page shows it: its type, the type of its items for a
// list, its values when it enumerates them, its bounds and default.
func typeOf(s *openapi3.Schema) string {
	if s == nil {
		return ""
	}
	t := strings.Join(s.Type.Slice(), ", ")
	if s.Type.Is("array") && s.Items != nil {
		item := typeOf(s.Items.Value)
		if s.Items.Ref != "" {
			item = schemaName(s.Items.Ref)
		}
		t = "liste de " + item
	}
	var notes []string
	if len(s.Enum) > 0 {
		var values []string
		for _, v := range s.Enum {
			values = append(values, inputValue(v))
		}
		notes = append(notes, "valeurs : "+strings.Join(values, ", "))
	}
	switch {
	case s.Min != nil && s.Max != nil:
		notes = append(notes, fmt.Sprintf("de %g à %g", *s.Min, *s.Max))
	case s.MaxLength != nil:
		notes = append(notes, fmt.Sprintf("%d caractères au plus", *s.MaxLength))
	}
	if s.Default != nil {
		notes = append(notes, "par défaut "+inputValue(s.Default))
	}
	if s.Nullable {
		notes = append(notes, "ou null")
	}
	if len(notes) > 0 {
		t += " (" + strings.Join(notes, " ; ") + ")"
	}
	return t
}

// schemaName is the name of the schema a reference points to.
func schemaName(ref string) string {
	return ref[strings.LastIndex(ref, "/")+1:]
}

// exampleText writes a parameter's example as the page shows it: as typed for a single value,
// in JSON on one line for a list.
func exampleText(v any) string {
	if _, ok := v.([]any); ok {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // the template escapes
		_ = enc.Encode(v)
		return strings.TrimSpace(b.String())
	}
	return fmt.Sprint(v)
}

// inputValue writes a value as a form's input takes it: several values separated by commas.
func inputValue(v any) string {
	if list, ok := v.([]any); ok {
		values := make([]string, len(list))
		for i, item := range list {
			values[i] = fmt.Sprint(item)
		}
		return strings.Join(values, ", ")
	}
	return fmt.Sprint(v)
}

// indentJSON renders an example as readable JSON, without escaping HTML: the template does.
func indentJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return b.String()
}

// docsPage is the documentation page. Its links, style sheet, script and forms are relative to
// the page, so that it works behind a proxy that serves the service under a path prefix; its
// script, web/docs.js, sends the forms' requests and shows the answers.
var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Documentation de l’API — {{.Title}}</title>
<meta name="description" content="Documentation de l’API de recherche du catalogue des API publiques, produite à partir de son document OpenAPI, avec un formulaire pour essayer chaque opération.">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="static/docs.css">
<script src="static/docs.js" defer></script>
</head><body>
<a class="skip-link" href="#contenu">Aller au contenu</a>
<header><nav aria-label="Pages du service"><a href="./">Recherche</a> <a href="stats">Statistiques</a> <a href="openapi.json">openapi.json</a> <a href="openapi.yaml">openapi.yaml</a></nav></header>
<main id="contenu">
<h1>Documentation de l’API</h1>
<p class="lead">{{.Title}} — version {{.Version}}</p>
{{.Description}}
<p>Cette page est produite à partir du document OpenAPI du service (<a href="openapi.json">openapi.json</a>, <a href="openapi.yaml">openapi.yaml</a>) : elle décrit toujours ce que le service répond. Chaque opération a un formulaire « Essayer » qui envoie la requête depuis votre navigateur à ce service et affiche la réponse.</p>
<p lang="en">In English: this page documents the search API of the French catalogue of public-sector APIs. It is generated from the service’s OpenAPI document, and each operation has a form (“Essayer”, try it) that sends the request from your browser and shows the answer.</p>
<nav aria-labelledby="sommaire"><h2 id="sommaire">Sommaire</h2>
<ul>{{range .Groups}}<li><a href="#tag-{{.Name}}">{{.Title}}</a><ul>{{range .Operations}}
<li><a href="#op-{{.ID}}"><code>{{.Method}} {{.Path}}</code></a> — {{.Summary}}</li>{{end}}</ul></li>
{{end}}<li><a href="#schemas">Schémas</a></li></ul></nav>
{{range .Groups}}<section class="group" aria-labelledby="tag-{{.Name}}">
<h2 id="tag-{{.Name}}">{{.Title}}</h2>
{{.Description}}
{{range .Operations}}<section class="operation" id="op-{{.ID}}" aria-labelledby="op-{{.ID}}-title">
<h3 id="op-{{.ID}}-title"><span class="method">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}</h3>
{{if .Admin}}<p class="access admin">Réservé à l’exploitation : demande le jeton d’administration dans l’en-tête <code>Authorization: Bearer &lt;jeton&gt;</code>.</p>{{else}}<p class="access">Public : sans authentification.</p>{{end}}
{{.Description}}
{{if .Parameters}}<div class="table-scroll" role="region" tabindex="0" aria-labelledby="op-{{.ID}}-parameters"><table>
<caption id="op-{{.ID}}-parameters">Paramètres de <code>{{.Method}} {{.Path}}</code></caption>
<thead><tr><th scope="col">Nom</th><th scope="col">Où</th><th scope="col">Type</th><th scope="col">Description</th><th scope="col">Exemple</th></tr></thead>
<tbody>{{range .Parameters}}
<tr><th scope="row"><code>{{.Name}}</code>{{if .Required}} (obligatoire){{end}}</th><td>{{.Where}}</td><td>{{.Type}}</td><td id="{{.InputID}}-desc">{{.Description}}</td><td>{{if .Example}}<code>{{.Example}}</code>{{end}}</td></tr>{{end}}
</tbody></table></div>{{end}}
<table>
<caption>Réponses de <code>{{.Method}} {{.Path}}</code></caption>
<thead><tr><th scope="col">Statut</th><th scope="col">Description</th><th scope="col">Contenu</th></tr></thead>
<tbody>{{range .Responses}}
<tr><th scope="row">{{.Status}}</th><td>{{.Description}}</td><td>{{if .Content}}<code>{{.Content}}</code>{{end}}{{if .Ref}}, <a href="#schema-{{.Ref}}">{{.Ref}}</a>{{end}}</td></tr>{{end}}
</tbody></table>
{{range .Responses}}{{if .Example}}<details><summary>Exemple de réponse {{.Status}}</summary><pre tabindex="0">{{.Example}}</pre></details>
{{end}}{{end}}<form class="try" action="{{if .Target}}{{.Target}}{{else}}./{{end}}" method="{{if eq .Method "GET"}}get{{else}}post{{end}}" data-method="{{.Method}}" data-path="{{.Target}}" data-operation="{{.ID}}">
<fieldset><legend>Essayer <code>{{.Method}} {{.Path}}</code></legend>
{{range .Parameters}}<div class="field"><label for="{{.InputID}}"><code>{{.Name}}</code>{{if .Required}} (obligatoire){{end}}{{if .List}} — plusieurs valeurs séparées par des virgules{{end}}</label>
{{if .Options}}<select id="{{.InputID}}" name="{{.Name}}" data-in="{{.In}}" aria-describedby="{{.InputID}}-desc">
<option value=""{{if not .Value}} selected{{end}}>{{if .Default}}(par défaut : {{.Default}}){{else}}(aucune valeur){{end}}</option>{{$value := .Value}}{{range .Options}}
<option{{if eq . $value}} selected{{end}}>{{.}}</option>{{end}}
</select>{{else}}<input id="{{.InputID}}" name="{{.Name}}" data-in="{{.In}}" aria-describedby="{{.InputID}}-desc"{{if .Number}} type="number" inputmode="numeric"{{if .Min}} min="{{.Min}}"{{end}}{{if .Max}} max="{{.Max}}"{{end}}{{else}} type="text"{{if .MaxLength}} maxlength="{{.MaxLength}}"{{end}}{{end}}{{if .List}} data-list{{end}}{{if .Required}} required{{end}} value="{{.Value}}"{{if .Default}} placeholder="par défaut : {{.Default}}"{{end}} autocomplete="off" spellcheck="false">{{end}}
</div>
{{end}}{{if .Admin}}<div class="field"><label for="try-{{.ID}}-token">Jeton d’administration (envoyé dans l’en-tête <code>Authorization</code>, conservé nulle part)</label>
<input id="try-{{.ID}}-token" type="password" data-token autocomplete="off" spellcheck="false">
</div>
{{end}}<button type="submit">Envoyer la requête</button>
</fieldset>
<p class="status" role="status"></p>
<div class="answer" hidden><p>Requête envoyée : <code class="sent"></code></p>
<pre class="body" tabindex="0" aria-label="Réponse de {{.Method}} {{.Path}}"></pre></div>
</form>
</section>
{{end}}</section>
{{end}}<section aria-labelledby="schemas"><h2 id="schemas">Schémas</h2>
{{range .Schemas}}<section class="schema" aria-labelledby="schema-{{.Name}}"><h3 id="schema-{{.Name}}">{{.Name}}</h3>
<p class="type">{{.Type}}</p>{{.Description}}
{{if .Properties}}<table>
<caption>Champs de {{.Name}}</caption>
<thead><tr><th scope="col">Champ</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead>
<tbody>{{range .Properties}}
<tr><th scope="row"><code>{{.Name}}</code></th><td>{{if .Ref}}<a href="#schema-{{.Ref}}">{{.Ref}}</a>{{else}}{{.Type}}{{end}}</td><td>{{.Description}}</td></tr>{{end}}
</tbody></table>{{end}}
</section>
{{end}}</section>
</main></body></html>
`))
