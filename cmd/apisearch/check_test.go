package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkEntry is a valid entry with a tagline, documentation and a contact.
const checkEntry = "title: Bonne API\ntagline: Elle marche.\nproducer: dinum\naccess: open\nlinks: {doc_tech: 'https://x.fr', contact: 'https://y.fr'}\n"

// TestCheckReport runs check on small catalogues and reads its report as a person would.
func TestCheckReport(t *testing.T) {
	var many strings.Builder
	for i := range 30 {
		fmt.Fprintf(&many, "champ%d: x\n", i)
	}
	tests := []struct {
		name     string
		folder   string // the catalogue's folder in the test's, "" for the test's
		files    map[string]string
		args     []string
		exit     int
		contains []string
		excludes []string
	}{
		{"problems over the cap of a file", "", map[string]string{"apis/x.yaml": checkEntry + many.String()}, nil, 0,
			[]string{`apis/x.yaml:25: warning: unknown field "champ19" ignored`, "apis/x.yaml: warning: … and 12 more problems in this file",
				"0 errors, 30 warnings, 2 hints", "12 problems not listed"},
			[]string{`"champ20"`}},
		{"problems over the cap of a file, as JSON", "", map[string]string{"apis/x.yaml": checkEntry + many.String()}, []string{"--json"}, 0,
			[]string{`"warnings": 30`, `"problems_omitted": 12`, `"message": "… and 12 more problems in this file"`}, nil},
		{"javascript link", "", map[string]string{"apis/x.yaml": strings.Replace(checkEntry, "https://x.fr", " JaVaScRiPt:alert(1)", 1)}, nil, 1,
			[]string{`apis/x.yaml:5: error: doc_tech " JaVaScRiPt:alert(1)": scheme "javascript" is not allowed`, "0 entries", "1 errors"}, nil},
		{"all problems listed", "", map[string]string{"apis/x.yaml": checkEntry + "champ: x\n"}, nil, 0,
			[]string{`apis/x.yaml:6: warning: unknown field "champ" ignored`, "0 errors, 1 warnings, 2 hints (--hints to list them)\n"},
			[]string{"not listed"}},
		{"broken synonyms file", "", map[string]string{"apis/x.yaml": checkEntry, "synonyms.yaml": "groups:\n  - [caf, cnaf]\n  - [seul]\n"}, nil, 1,
			[]string{"synonyms.yaml:3: error: group 2 has 1 member, want at least 2", "1 entries", "1 errors"}, nil},
		{"file names with a line end and an escape sequence", "cata\x1b[2Jlogue\n", map[string]string{
			"apis/x\nforged.yaml:1: error: fake.yaml": checkEntry,
			"apis/\x1b[31mred.yaml":                   checkEntry,
			"apis/x.yaml":                             checkEntry + "\"\\e]0;title\\a\": x\n",
		}, nil, 1,
			[]string{`Catalogue "`, `cata\x1b[2Jlogue\n" (yaml layout)`, `"apis/x\nforged.yaml:1: error: fake.yaml": error: file name "x\nforged.yaml:1: error: fake" is not a valid slug`,
				`"apis/\x1b[31mred.yaml": error: file name "\x1b[31mred" is not a valid slug`, `apis/x.yaml:6: warning: unknown field "\x1b]0;title\a" ignored`},
			[]string{"\nforged.yaml", "\x1b", "\a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tt.folder)
			tt.files["producers/dinum.yaml"] = "name: DINUM\ntype: Ministère\n"
			for name, content := range tt.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var out, errOut strings.Builder
			err := run(context.Background(), append(append([]string{"check"}, tt.args...), dir), noEnv, &out, &errOut)
			exit := 0
			var ee exitError
			if errors.As(err, &ee) {
				exit = int(ee)
			} else if err != nil {
				t.Fatalf("run: %v", err)
			}
			if exit != tt.exit {
				t.Errorf("exit status = %d, want %d; stderr: %s", exit, tt.exit, errOut.String())
			}
			for _, s := range tt.contains {
				if !strings.Contains(out.String(), s) {
					t.Errorf("report does not contain %q:\n%s", s, out.String())
				}
			}
			for _, s := range tt.excludes {
				if strings.Contains(out.String(), s) {
					t.Errorf("report contains %q:\n%s", s, out.String())
				}
			}
		})
	}
}
