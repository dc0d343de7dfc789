// Package kubeschema turns the Kubernetes API's OpenAPI document (api/openapi-spec/swagger.json
// of the k8s.io/kubernetes Go module) into the JSON schemas that kubeconform validates manifests
// with, as the "standalone-strict" schemas it downloads elsewhere are made (openapi2jsonschema
// --kubernetes --expanded --stand-alone --strict): one file per kind, references inlined, no
// property the API does not define, IntOrString and Quantity as their YAML spellings, optional
// fields nullable.
package kubeschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Definitions replaced by what manifests may hold: a number or a string for IntOrString, and
// for Quantity (kubectl and every tool accept cpu: 1 as well as cpu: "1").
const (
	intOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	quantity    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
)

// errCycle marks a kind whose schema refers to itself (the CustomResourceDefinition's
// JSONSchemaProps): it cannot be inlined, and kubeconform's schemas leave it out too.
var errCycle = errors.New("the schema refers to itself")

// Write writes into dir a schema for every kind the OpenAPI document defines, named as
// kubeconform looks them up with the schema location "dir/{{ .ResourceKind }}{{ .KindSuffix }}.json":
// deployment-apps-v1.json, service-v1.json for the core group. It returns how many it wrote.
func Write(swagger []byte, dir string) (int, error) {
	schemas, err := Schemas(swagger)
	if err != nil {
		return 0, err
	}
	for name, s := range schemas {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, s, 0o644); err != nil {
			return 0, fmt.Errorf("write schema %s: %w", p, err)
		}
	}
	return len(schemas), nil
}

// Schemas returns the schema of every kind the OpenAPI document defines, by file name.
func Schemas(swagger []byte) (map[string][]byte, error) {
	var doc struct {
		Definitions map[string]any `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(swagger))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("OpenAPI document: %w", err)
	}
	defs := doc.Definitions
	if len(defs) == 0 {
		return nil, errors.New("OpenAPI document: no definitions")
	}
	defs[intOrString] = map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
	defs[quantity] = map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
	titles := make([]string, 0, len(defs))
	for title, def := range defs {
		titles = append(titles, title)
		kindEnums(def)
		strict(def)
	}
	sort.Strings(titles)
	out := make(map[string][]byte)
	for _, title := range titles {
		def, _ := defs[title].(map[string]any)
		for _, gvk := range groupVersionKinds(def) {
			schema, err := standAlone(def, defs)
			if errors.Is(err, errCycle) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", title, err)
			}
			data, err := json.Marshal(schema)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", title, err)
			}
			out[gvk.fileName()] = data
		}
	}
	return out, nil
}

// gvk is a group, version and kind that a definition serves.
type gvk struct{ group, version, kind string }

// fileName is kubeconform's name for the kind's schema: the kind, the first label of the group
// (none for the core group) and the version, in lower case.
func (g gvk) fileName() string {
	name := g.kind
	if g.group != "" {
		name += "-" + strings.Split(g.group, ".")[0]
	}
	return strings.ToLower(name+"-"+g.version) + ".json"
}

// groupVersionKinds lists the kinds a definition serves (x-kubernetes-group-version-kind).
func groupVersionKinds(def map[string]any) []gvk {
	list, _ := def["x-kubernetes-group-version-kind"].([]any)
	var out []gvk
	for _, item := range list {
		m, _ := item.(map[string]any)
		g, _ := m["group"].(string)
		v, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		if v != "" && k != "" {
			out = append(out, gvk{g, v, k})
		}
	}
	return out
}

// kindEnums restricts the apiVersion and kind of a kind's definition to those it serves, so
// that a manifest of apps/v1 is not validated as another version's.
func kindEnums(d any) {
	def, _ := d.(map[string]any)
	props, _ := def["properties"].(map[string]any)
	for _, g := range groupVersionKinds(def) {
		apiVersion := g.version
		if g.group != "" {
			apiVersion = g.group + "/" + g.version
		}
		appendEnum(props["apiVersion"], apiVersion)
		appendEnum(props["kind"], g.kind)
	}
}

func appendEnum(prop any, value string) {
	p, ok := prop.(map[string]any)
	if !ok {
		return
	}
	enum, _ := p["enum"].([]any)
	for _, v := range enum {
		if v == value {
			return
		}
	}
	p["enum"] = append(enum, value)
}

// strict forbids, in every schema with properties, the properties it does not list: what
// kubectl --validate=strict and the API server's field validation refuse.
func strict(node any) {
	switch n := node.(type) {
	case map[string]any:
		if _, ok := n["properties"]; ok {
			if _, set := n["additionalProperties"]; !set {
				n["additionalProperties"] = false
			}
		}
		for _, v := range n {
			strict(v)
		}
	case []any:
		for _, v := range n {
			strict(v)
		}
	}
}

// standAlone returns a kind's schema with its references inlined and its optional fields
// nullable, as a document of its own.
func standAlone(def map[string]any, defs map[string]any) (map[string]any, error) {
	expanded, err := inline(def, defs, map[string]bool{})
	if err != nil {
		return nil, err
	}
	schema := expanded.(map[string]any)
	schema["$schema"] = "http://json-schema.org/schema#"
	if _, ok := schema["type"]; !ok {
		schema["type"] = "object"
	}
	schema["additionalProperties"] = false
	schema["properties"] = fields(schema["properties"], schema["required"])
	return schema, nil
}

// inline returns a copy of node in which every {"$ref": "#/definitions/X"} is replaced by X,
// inlined in turn; the keys beside a $ref are dropped, as JSON references want. expanding holds
// the definitions being inlined above node, to tell a cycle.
func inline(node any, defs map[string]any, expanding map[string]bool) (any, error) {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			name, found := strings.CutPrefix(ref, "#/definitions/")
			target, known := defs[name]
			switch {
			case !found || !known:
				return nil, fmt.Errorf("unresolved reference %q", ref)
			case expanding[name]:
				return nil, errCycle
			}
			expanding[name] = true
			defer delete(expanding, name)
			return inline(target, defs, expanding)
		}
		out := make(map[string]any, len(n))
		for k, v := range n {
			c, err := inline(v, defs, expanding)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			c, err := inline(v, defs, expanding)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return node, nil
}

// nullable returns a copy of a schema whose type also allows null unless required is set, and
// so on down its fields, a field being required when the object holding it lists it: optional
// fields may be written `field: null`, or `field:` alone, as kubectl accepts.
func nullable(node any, required bool) any {
	switch n := node.(type) {
	case map[string]any:
		out := make(map[string]any, len(n))
		for k, v := range n {
			switch {
			case k == "type":
				if t, ok := v.(string); ok && t != "null" && !required {
					v = []any{t, "null"}
				}
				out[k] = v
			case k == "properties":
				out[k] = fields(v, n["required"])
			default:
				out[k] = nullable(v, false)
			}
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = nullable(v, false)
		}
		return out
	}
	return node
}

// fields applies nullable to each field of an object, required when the list names it.
func fields(properties, required any) any {
	props, ok := properties.(map[string]any)
	if !ok {
		return properties
	}
	names, _ := required.([]any)
	out := make(map[string]any, len(props))
	for name, v := range props {
		out[name] = nullable(v, slices.Contains(names, any(name)))
	}
	return out
}
