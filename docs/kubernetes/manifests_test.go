// Package kubernetes holds the Kubernetes manifests of a deployment of several replicas; its
// test validates them with kubeconform against the schemas of the Kubernetes API.
package kubernetes

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"apisearch/internal/kubeschema"

	"github.com/yannh/kubeconform/pkg/validator"
)

// kubernetesModule is the Go module whose api/openapi-spec/swagger.json is the OpenAPI document
// of the Kubernetes API the manifests are validated against: the version of the cluster they
// are written for.
const kubernetesModule = "k8s.io/kubernetes@v1.36.3"

// schemas writes the JSON schemas of the Kubernetes API into a temporary folder and returns
// kubeconform's schema location for them. The OpenAPI document comes from the Go module proxy
// (go mod download, cached in the module cache after the first time); without it the test
// skips, outside CI.
func schemas(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", kubernetesModule)
	cmd.Dir = t.TempDir() // outside the module: go.mod and go.sum stay as they are
	out, err := cmd.Output()
	var mod struct{ Dir, Error string }
	if jsonErr := json.Unmarshal(out, &mod); err != nil || jsonErr != nil || mod.Error != "" {
		msg := "cannot download " + kubernetesModule + " for the Kubernetes API's OpenAPI document: " + strings.TrimSpace(string(out)) + " " + errText(err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	spec, err := os.ReadFile(filepath.Join(mod.Dir, "api", "openapi-spec", "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := kubeschema.Write(spec, dir); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "{{ .ResourceKind }}{{ .KindSuffix }}.json")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// validate runs kubeconform in strict mode (no field the API does not define, no duplicate
// key) on a file of manifests.
func validate(t *testing.T, v validator.Validator, name, text string) []validator.Result {
	t.Helper()
	return v.Validate(name, io.NopCloser(strings.NewReader(text)))
}

func newValidator(t *testing.T) validator.Validator {
	t.Helper()
	v, err := validator.New([]string{schemas(t)}, validator.Opts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestManifestsAreValid(t *testing.T) {
	v := newValidator(t)
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range validate(t, v, f, string(data)) {
			sig, _ := r.Resource.Signature()
			if r.Status != validator.Valid {
				t.Errorf("%s: %s %s: status %d: %v %v", f, sig.Version, sig.Kind, r.Status, r.Err, r.ValidationErrors)
			}
			kinds = append(kinds, sig.Kind)
		}
	}
	slices.Sort(kinds)
	if want := []string{"Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"}; !slices.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
}

// TestBrokenManifestsAreRefused checks that the validation can fail: each manifest is changed
// as a hand could get it wrong, and kubeconform must refuse it; the changes it must accept
// show that it is not refusing everything.
func TestBrokenManifestsAreRefused(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name, file, old, new string
		valid                bool
	}{
		{"a misspelt field", "deployment.yaml", "revisionHistoryLimit: 5", "revisionHistoryLimits: 5", false},
		{"a field at the wrong level", "deployment.yaml", "      terminationGracePeriodSeconds: 30", "      terminationGracePeriodSeconds: 30\n      readinessProbe: {}", false},
		{"a number for a string", "deployment.yaml", "- --period=60s", "- 60", false},
		{"a container without a name", "deployment.yaml", "- name: apisearch\n          image:", "- image:", false},
		{"a word for a number", "horizontalpodautoscaler.yaml", "maxReplicas: 10", "maxReplicas: ten", false},
		{"an API version that was removed", "horizontalpodautoscaler.yaml", "apiVersion: autoscaling/v2", "apiVersion: autoscaling/v2beta1", false},
		{"a duplicate key", "poddisruptionbudget.yaml", "maxUnavailable: 1", "maxUnavailable: 1\n  maxUnavailable: 2", false},
		{"a percentage where a number or a string goes", "poddisruptionbudget.yaml", "maxUnavailable: 1", "maxUnavailable: 50%", true},
		{"a port number for a port name", "deployment.yaml", "port: http\n            periodSeconds: 5", "port: 8080\n            periodSeconds: 5", true},
		{"a memory quantity as a number", "deployment.yaml", "memory: 128Mi", "memory: 134217728", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), tt.old) {
				t.Fatalf("%s no longer holds %q", tt.file, tt.old)
			}
			changed := strings.Replace(string(data), tt.old, tt.new, 1)
			for _, r := range validate(t, v, tt.file, changed) {
				if got := r.Status == validator.Valid; got != tt.valid {
					t.Errorf("valid = %v, want %v: %v %v", got, tt.valid, r.Err, r.ValidationErrors)
				} else if !got {
					t.Logf("refused: %v", r.Err)
				}
			}
		})
	}
}
