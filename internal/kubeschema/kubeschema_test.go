package kubeschema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// testDocument is a small OpenAPI document laid out as Kubernetes': a kind of a named group, a
// kind of the core group, types they refer to, and a kind that refers to itself.
const testDocument = `{"definitions": {
 "io.k8s.api.apps.v1.Widget": {
  "type": "object",
  "x-kubernetes-group-version-kind": [{"group": "apps", "kind": "Widget", "version": "v1"}],
  "properties": {
   "apiVersion": {"type": "string"},
   "kind": {"type": "string"},
   "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "description": "dropped"},
   "spec": {"$ref": "#/definitions/io.k8s.api.apps.v1.WidgetSpec"}
  }
 },
 "io.k8s.api.apps.v1.WidgetSpec": {
  "type": "object",
  "required": ["port"],
  "properties": {
   "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
   "size": {"type": "integer", "format": "int32"},
   "limits": {"type": "object", "additionalProperties": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"}},
   "extra": {"type": "object"}
  }
 },
 "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
  "type": "object",
  "properties": {"name": {"type": "string"}, "labels": {"type": "object", "additionalProperties": {"type": "string"}}}
 },
 "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
 "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
 "io.k8s.api.core.v1.Gadget": {
  "type": "object",
  "x-kubernetes-group-version-kind": [{"group": "", "kind": "Gadget", "version": "v1"}],
  "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}}
 },
 "io.k8s.api.networking.v1.Route": {
  "x-kubernetes-group-version-kind": [{"group": "networking.k8s.io", "kind": "Route", "version": "v1"}],
  "properties": {"apiVersion": {"type": "string"}}
 },
 "io.k8s.apiextensions.v1.Loop": {
  "type": "object",
  "x-kubernetes-group-version-kind": [{"group": "apiextensions.k8s.io", "kind": "Loop", "version": "v1"}],
  "properties": {"next": {"$ref": "#/definitions/io.k8s.apiextensions.v1.Loop"}}
 }
}}`

func TestSchemas(t *testing.T) {
	schemas, err := Schemas([]byte(testDocument))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range schemas {
		names = append(names, name)
	}
	slices.Sort(names)
	// Kinds only, named as kubeconform looks them up; the kind that refers to itself is left out.
	if want := []string{"gadget-v1.json", "route-networking-v1.json", "widget-apps-v1.json"}; !slices.Equal(names, want) {
		t.Fatalf("schemas %v, want %v", names, want)
	}
	if strings.Contains(string(schemas["widget-apps-v1.json"]), "$ref") {
		t.Error("a reference was left in a schema")
	}
	var widget map[string]any
	if err := json.Unmarshal(schemas["widget-apps-v1.json"], &widget); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want any
	}{
		{"additionalProperties", false},
		{"type", "object"},
		{"properties.apiVersion.enum", []any{"apps/v1"}},
		{"properties.kind.enum", []any{"Widget"}},
		{"properties.apiVersion.type", []any{"string", "null"}},
		{"properties.metadata.additionalProperties", false},
		{"properties.metadata.description", nil},
		{"properties.metadata.properties.labels.additionalProperties", map[string]any{"type": []any{"string", "null"}}},
		{"properties.spec.additionalProperties", false},
		{"properties.spec.properties.size.type", []any{"integer", "null"}},
		{"properties.spec.properties.port.oneOf", []any{map[string]any{"type": []any{"string", "null"}}, map[string]any{"type": []any{"integer", "null"}}}},
		{"properties.spec.properties.limits.additionalProperties.oneOf", []any{map[string]any{"type": []any{"string", "null"}}, map[string]any{"type": []any{"number", "null"}}}},
		{"properties.spec.properties.extra.additionalProperties", nil},
	}
	for _, tt := range tests {
		if got := lookup(widget, tt.path); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.path, got, tt.want)
		}
	}
	var route map[string]any
	if err := json.Unmarshal(schemas["route-networking-v1.json"], &route); err != nil {
		t.Fatal(err)
	}
	if got := lookup(route, "properties.apiVersion.enum"); !reflect.DeepEqual(got, []any{"networking.k8s.io/v1"}) {
		t.Errorf("a group of several labels: apiVersion enum %v", got)
	}
}

// lookup follows a dotted path of keys in decoded JSON; nil when a key is missing.
func lookup(v any, path string) any {
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

func TestSchemasErrors(t *testing.T) {
	tests := []struct {
		name, doc string
	}{
		{"not JSON", "{"},
		{"no definitions", `{"swagger": "2.0"}`},
		{"unresolved reference", `{"definitions": {"io.k8s.api.core.v1.Gadget": {
			"x-kubernetes-group-version-kind": [{"group": "", "kind": "Gadget", "version": "v1"}],
			"properties": {"spec": {"$ref": "#/definitions/nowhere"}}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Schemas([]byte(tt.doc)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	n, err := Write([]byte(testDocument), dir)
	if err != nil || n != 3 {
		t.Fatalf("Write = %d, %v; want 3 schemas", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gadget-v1.json")); err != nil {
		t.Error(err)
	}
	if _, err := Write([]byte(testDocument), filepath.Join(dir, "missing")); err == nil {
		t.Error("writing into a missing folder: no error")
	}
}
