package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"apisearch/catalog"
)

// check validates a catalogue and prints a report; the exit status is 1 when an entry has an
// error.
func check(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	asJSON := fl.Bool("json", false, "print the report as JSON")
	hints := fl.Bool("hints", false, "also print good-practice hints")
	fl.Usage = func() {
		fmt.Fprint(stderr, "Usage: apisearch check [--json] [--hints] [DIR]\n\nValidates a catalogue folder (default: ./catalog, else the embedded one)\nand reports errors (the entry cannot be indexed), warnings against the\nnational catalogue's criteria, and hints. Exit status 1 when there is an error.\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitError(2)
	}
	if fl.NArg() > 1 {
		fmt.Fprintln(stderr, "apisearch check: give at most one folder")
		return exitError(2)
	}
	c, name, err := loadCatalog(fl.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "apisearch check:", catalog.Printable(err.Error()))
		return exitError(2)
	}
	errs := c.Count(catalog.SeverityError)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		report := struct {
			Folder    string            `json:"folder"`
			Layout    catalog.Layout    `json:"layout"`
			Entries   int               `json:"entries"`
			Producers int               `json:"producers"`
			Errors    int               `json:"errors"`
			Warnings  int               `json:"warnings"`
			Hints     int               `json:"hints"`
			Problems  []catalog.Problem `json:"problems"`
			Omitted   int               `json:"problems_omitted"` // problems not in the list, over its caps
		}{name, c.Layout, len(c.Entries), len(c.Producers), errs, c.Count(catalog.SeverityWarning), c.Count(catalog.SeverityHint), c.Problems, c.ProblemsOmitted}
		if report.Problems == nil {
			report.Problems = []catalog.Problem{}
		}
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "Catalogue %s (%s layout): %d entries, %d producers\n\n", catalog.Printable(name), c.Layout, len(c.Entries), len(c.Producers))
		for _, p := range c.Problems {
			if p.Severity != catalog.SeverityHint || *hints {
				fmt.Fprintln(stdout, p)
			}
		}
		fmt.Fprintf(stdout, "\n%d errors, %d warnings, %d hints", errs, c.Count(catalog.SeverityWarning), c.Count(catalog.SeverityHint))
		if !*hints && c.Count(catalog.SeverityHint) > 0 {
			fmt.Fprint(stdout, " (--hints to list them)")
		}
		if c.ProblemsOmitted > 0 {
			fmt.Fprintf(stdout, "; %d problems not listed (at most %d a file and %d in all are)", c.ProblemsOmitted, catalog.MaxFileProblems, catalog.MaxProblems)
		}
		fmt.Fprintln(stdout)
	}
	if errs > 0 {
		return exitError(1)
	}
	return nil
}
