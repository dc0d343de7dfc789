package catalog

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// unknownFields is n unknown fields, one a line.
func unknownFields(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "champ%d: x\n", i)
	}
	return b.String()
}

func TestProblemsCappedPerFile(t *testing.T) {
	noAccess := strings.Replace(goodEntry, "access: open\n", "", 1)
	tests := []struct {
		name     string
		content  string
		total    int    // problems of the file
		listed   int    // problems listed for it, the summary included
		summary  string // the summary's message, "" for none
		severity Severity
		shown    string // a problem that must be listed
		notShown string // a problem that must not be listed
	}{
		{"under the cap", goodEntry + unknownFields(5), 7, 7, "", "", `"champ4" ignored`, ""},
		{"at the cap", goodEntry + unknownFields(18), 20, 20, "", "", `"champ17" ignored`, ""},
		{"over the cap", goodEntry + unknownFields(30), 32, 21, "… and 12 more problems in this file", SeverityWarning, `"champ19" ignored`, `"champ20" ignored`},
		{"error after many warnings", noAccess + unknownFields(30), 31, 21, "… and 11 more problems in this file", SeverityWarning, "no access field", `"champ19" ignored`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(fstest.MapFS{
				"producers/dinum.yaml": {Data: []byte(goodProducer)},
				"apis/x.yaml":          {Data: []byte(tt.content)},
			})
			if err != nil {
				t.Fatal(err)
			}
			var listed []Problem
			messages := ""
			for _, p := range c.Problems {
				if p.Path == "apis/x.yaml" {
					listed = append(listed, p)
					messages += p.Message + "\n"
				}
			}
			if len(listed) != tt.listed {
				t.Fatalf("%d problems listed for the file, want %d: %v", len(listed), tt.listed, listed)
			}
			if !strings.Contains(messages, tt.shown) || tt.notShown != "" && strings.Contains(messages, tt.notShown) {
				t.Errorf("problems listed:\n%swant %q listed and %q not", messages, tt.shown, tt.notShown)
			}
			last := listed[len(listed)-1]
			if tt.summary != "" && (last.Message != tt.summary || last.Severity != tt.severity || last.Slug != "x" || last.Line != 0) {
				t.Errorf("last problem = %+v, want the summary %q (%s)", last, tt.summary, tt.severity)
			}
			all := c.Count(SeverityError) + c.Count(SeverityWarning) + c.Count(SeverityHint)
			if all != tt.total {
				t.Errorf("counted %d problems, want all %d of them", all, tt.total)
			}
			omitted := 0
			if tt.summary != "" {
				omitted = tt.total - (tt.listed - 1)
			}
			if c.ProblemsOmitted != omitted {
				t.Errorf("ProblemsOmitted = %d, want %d", c.ProblemsOmitted, omitted)
			}
		})
	}
}

// TestProblemsCappedInAll loads more problems than a catalogue lists: the most serious are
// listed, and all are counted.
func TestProblemsCappedInAll(t *testing.T) {
	fsys := fstest.MapFS{"producers/dinum.yaml": {Data: []byte(goodProducer)}}
	// 600 producers of 25 unknown fields: 12 600 warnings listed before the cap.
	for i := range 600 {
		fsys[fmt.Sprintf("producers/p%03d.yaml", i)] = &fstest.MapFile{Data: []byte("name: P\n" + unknownFields(25))}
	}
	fsys["apis/broken.yaml"] = &fstest.MapFile{Data: []byte("title: [\n")}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != MaxProblems {
		t.Errorf("%d problems listed, want %d", len(c.Problems), MaxProblems)
	}
	if c.Count(SeverityWarning) != 600*25 || c.Count(SeverityError) != 1 {
		t.Errorf("counted %d warnings and %d errors, want %d and 1", c.Count(SeverityWarning), c.Count(SeverityError), 600*25)
	}
	if c.Problems[0].Path != "apis/broken.yaml" || c.Problems[0].Severity != SeverityError {
		t.Errorf("first problem = %s, want the error of apis/broken.yaml", c.Problems[0])
	}
	summaries := 0
	for _, p := range c.Problems {
		if strings.HasPrefix(p.Message, "… and ") {
			summaries++
		}
	}
	if want := 600*25 + 1 - (len(c.Problems) - summaries); c.ProblemsOmitted != want {
		t.Errorf("ProblemsOmitted = %d, want %d (the problems not listed)", c.ProblemsOmitted, want)
	}
	for i := 1; i < len(c.Problems); i++ {
		if a, b := c.Problems[i-1], c.Problems[i]; a.Path > b.Path {
			t.Fatalf("problems not sorted by path: %s before %s", a, b)
		}
	}
}

// TestReloadWithCappedProblems checks that an entry whose file broke keeps its last good version
// when its error is not among the problems listed.
func TestReloadWithCappedProblems(t *testing.T) {
	fsys := fstest.MapFS{
		"producers/dinum.yaml": {Data: []byte(goodProducer)},
		"apis/good.yaml":       {Data: []byte(goodEntry)},
	}
	first, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	// More broken files than the catalogue lists problems, all before good.yaml by path.
	for i := range MaxProblems + 10 {
		fsys[fmt.Sprintf("apis/a%05d.yaml", i)] = &fstest.MapFile{Data: []byte("x\n")}
	}
	fsys["apis/good.yaml"] = &fstest.MapFile{Data: []byte("title: API Adr")}
	second, err := Reload(fsys, first)
	if err != nil {
		t.Fatal(err)
	}
	if e := second.Entry("good"); e == nil || e.Title != "API Adresse" {
		t.Errorf("broken file: entry = %+v, want its last good version", e)
	}
	if n := second.Count(SeverityError); n != MaxProblems+11 {
		t.Errorf("%d errors counted, want %d", n, MaxProblems+11)
	}
	if len(second.Problems) > MaxProblems {
		t.Errorf("%d problems listed, over the cap of %d", len(second.Problems), MaxProblems)
	}
}
