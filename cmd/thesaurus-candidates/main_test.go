package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseMythesRelatesBothWays(t *testing.T) {
	th, err := parseMythes(strings.NewReader("UTF-8\nvoiture|1\n(Nom)|auto|bagnole|Véhicule\nbagnole|1\n(Nom)|voiture\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := th.related("voiture"), []string{"bagnole", "Véhicule", "auto"}; !reflect.DeepEqual(got, want) {
		t.Errorf("related(voiture) = %q, want %q (both ways first)", got, want)
	}
	if got, want := th.related("vehicule"), []string{"voiture"}; !reflect.DeepEqual(got, want) {
		t.Errorf("related(vehicule) = %q, want %q", got, want)
	}
	if _, err := parseMythes(strings.NewReader("ISO8859-1\n")); err == nil {
		t.Error("a file in another encoding is accepted")
	}
}

func dictdEncode(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if n == 0 {
		return "A"
	}
	s := ""
	for ; n > 0; n /= 64 {
		s = string(alphabet[n%64]) + s
	}
	return s
}

func TestParseDictd(t *testing.T) {
	e1 := "library /x/\nbibliothèque\n"
	e2 := "bank /y/\n1. banque\n2. rive, berge\n"
	body := []byte("header\n" + e1 + e2)
	index := "00databaseinfo\tA\tH\n" +
		"library\t" + dictdEncode(7) + "\t" + dictdEncode(len(e1)) + "\n" +
		"bank\t" + dictdEncode(7+len(e1)) + "\t" + dictdEncode(len(e2)) + "\n"
	got, err := parseDictd(strings.NewReader(index), body)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"library": {"bibliothèque"}, "bank": {"banque", "rive", "berge"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseDictd = %q, want %q", got, want)
	}
	if _, err := parseDictd(strings.NewReader("bank\tA\t//\n"), body); err == nil {
		t.Error("an entry past the end of the body is accepted")
	}
	if n, err := dictdNumber(dictdEncode(123456)); err != nil || n != 123456 {
		t.Errorf("dictdNumber round trip = %d, %v", n, err)
	}
}

func TestCatalogContainsAndHeadings(t *testing.T) {
	c := &catalog{words: map[string]bool{}, headingDocs: map[string]int{}}
	c.addEntry([]byte("---\ntitle: API Comptes bancaires\ntagline: Vérifiez un RIB\nkeywords:\n  - banque\nthemes:\n  - Entreprise\n---\nLe relevé d'identité bancaire des véhicules.\n"))
	c.addEntry([]byte("---\ntitle: Banque des territoires\n---\n"))
	for _, p := range []string{"compte bancaire", "Comptes Bancaires", "relevé d'identité bancaire", "véhicule", "vehicules"} {
		if !c.contains(p) {
			t.Errorf("contains(%q) = false", p)
		}
	}
	for _, p := range []string{"compte épargne", "bancaire compte", "", "voiture"} {
		if c.contains(p) {
			t.Errorf("contains(%q) = true", p)
		}
	}
	if got, want := c.headingWords(2), []string{"banque"}; !reflect.DeepEqual(got, want) {
		t.Errorf("headingWords(2) = %q, want %q", got, want)
	}
	if c.headingDocs["api"] != 0 || c.headingDocs["des"] != 0 {
		t.Error("stop words counted as heading words")
	}
}
