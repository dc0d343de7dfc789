package server

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

//go:embed openapi.yaml
var openapiYAML []byte

// apiDoc is the OpenAPI document, loaded and validated once, and its renderings.
type apiDoc struct {
	doc  *openapi3.T
	json []byte
	html []byte
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
	d := &apiDoc{doc: doc}
	if d.json, err = json.Marshal(doc); err != nil {
		return nil, err
	}
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

func (s *Server) openapiJSON(c *gin.Context) { c.Data(http.StatusOK, "application/json", s.doc.json) }
func (s *Server) openapiYAML(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", openapiYAML) }
func (s *Server) docs(c *gin.Context) {
	c.Data(http.StatusOK, "text/html; charset=utf-8", s.doc.html)
}

// docOperation is one operation as the documentation page shows it.
type docOperation struct {
	Method, Path, Summary, Description, Tag string
	Admin                                   bool
	Parameters                              []docParameter
	Responses                               []docResponse
}

type docParameter struct{ Name, In, Type, Description, Example string }

type docResponse struct{ Status, Description, Example string }

func renderDocs(doc *openapi3.T) ([]byte, error) {
	var ops []docOperation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := docOperation{Method: method, Path: path, Summary: op.Summary, Description: op.Description, Admin: op.Security != nil}
			if len(op.Tags) > 0 {
				o.Tag = op.Tags[0]
			}
			for _, p := range op.Parameters {
				dp := docParameter{Name: p.Value.Name, In: p.Value.In, Description: p.Value.Description}
				if sch := p.Value.Schema; sch != nil && sch.Value != nil && sch.Value.Type != nil {
					dp.Type = strings.Join(sch.Value.Type.Slice(), ",")
				}
				if p.Value.Example != nil {
					dp.Example = strings.TrimSpace(indentJSON(p.Value.Example))
				}
				o.Parameters = append(o.Parameters, dp)
			}
			for status, r := range op.Responses.Map() {
				dr := docResponse{Status: status}
				if r.Value.Description != nil {
					dr.Description = *r.Value.Description
				}
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Example != nil {
					dr.Example = indentJSON(mt.Example)
				}
				o.Responses = append(o.Responses, dr)
			}
			sort.Slice(o.Responses, func(i, j int) bool { return o.Responses[i].Status < o.Responses[j].Status })
			ops = append(ops, o)
		}
	}
	tagOrder := map[string]int{"search": 0, "catalogue": 1, "service": 2, "admin": 3}
	sort.Slice(ops, func(i, j int) bool {
		if tagOrder[ops[i].Tag] != tagOrder[ops[j].Tag] {
			return tagOrder[ops[i].Tag] < tagOrder[ops[j].Tag]
		}
		return ops[i].Path < ops[j].Path
	})
	var schemas []docSchema
	for name, ref := range doc.Components.Schemas {
		ds := docSchema{Name: name, Description: ref.Value.Description}
		for prop, p := range ref.Value.Properties {
			dp := docParameter{Name: prop, Description: p.Value.Description}
			if p.Value.Type != nil {
				dp.Type = strings.Join(p.Value.Type.Slice(), ",")
			}
			if p.Ref != "" {
				dp.Type = strings.TrimPrefix(p.Ref, "#/components/schemas/")
			}
			ds.Properties = append(ds.Properties, dp)
		}
		sort.Slice(ds.Properties, func(i, j int) bool { return ds.Properties[i].Name < ds.Properties[j].Name })
		schemas = append(schemas, ds)
	}
	sort.Slice(schemas, func(i, j int) bool { return schemas[i].Name < schemas[j].Name })
	var b strings.Builder
	err := docsPage.Execute(&b, struct {
		Title, Description, Version string
		Operations                  []docOperation
		Schemas                     []docSchema
	}{doc.Info.Title, doc.Info.Description, doc.Info.Version, ops, schemas})
	return []byte(b.String()), err
}

// docSchema is a schema as the documentation page shows it.
type docSchema struct {
	Name, Description string
	Properties        []docParameter
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

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — documentation</title>
<link rel="stylesheet" href="/static/docs.css"></head><body>
<nav><a href="/">Recherche</a><a href="/openapi.json">openapi.json</a><a href="/openapi.yaml">openapi.yaml</a><a href="/stats">Statistiques</a></nav>
<h1>{{.Title}}</h1><p>Version {{.Version}}</p><p>{{.Description}}</p>
<ul>{{range .Operations}}<li><a href="#{{.Method}}{{.Path}}"><code>{{.Method}} {{.Path}}</code></a> — {{.Summary}}</li>{{end}}</ul>
{{range .Operations}}<h2 id="{{.Method}}{{.Path}}"><span class="method">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}</h2>
{{if .Admin}}<p class="admin">Admin: needs <code>Authorization: Bearer &lt;token&gt;</code>.</p>{{end}}
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Parameters}}<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th><th>Example</th></tr>
{{range .Parameters}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Description}}</td><td><code>{{.Example}}</code></td></tr>{{end}}</table>{{end}}
{{range .Responses}}<h3>{{.Status}} — {{.Description}}</h3>{{if .Example}}<pre>{{.Example}}</pre>{{end}}{{end}}
{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}<h3 id="schema-{{.Name}}">{{.Name}}</h3>{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Properties}}<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>
{{range .Properties}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{end}}</body></html>
`))
