package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestReadmeMatchesCI checks what a new user reads first: the README names go.mod's Go version
// and gives, as the test command, the very command that .ci/run runs.
func TestReadmeMatchesCI(t *testing.T) {
	read := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	readme, ci, gomod := read("../../README.md"), read("../../.ci/run"), read("../../go.mod")
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	if !strings.Contains(readme, "Go "+goLine[1]+" ") {
		t.Errorf("the README does not say that Go %s, go.mod's version, is needed", goLine[1])
	}
	tests := regexp.MustCompile(`(?m)^go test .*$`).FindAllString(ci, -1)
	if len(tests) != 1 {
		t.Fatalf(".ci/run runs %d go test commands, want one: %q", len(tests), tests)
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(tests[0]) + `$`).MatchString(readme) {
		t.Errorf("the README does not give .ci/run's test command, %q", tests[0])
	}
}

// TestLicence checks that the LICENSE file, the README and the OpenAPI document's info.license
// name one licence.
func TestLicence(t *testing.T) {
	data, err := os.ReadFile("../../internal/server/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Info struct{ License struct{ Name string } }
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	name := doc.Info.License.Name
	licence, err := os.ReadFile("../../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(licence), "\n"); name == "" || first != name+" License" {
		t.Errorf("LICENSE starts with %q, the OpenAPI document declares %q", first, name)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "## Licence\n\n"+name+": see [LICENSE](LICENSE)") {
		t.Errorf("the README's Licence section does not name %s and LICENSE", name)
	}
}
