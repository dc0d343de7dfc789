package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

var updatePage = flag.Bool("update-page", false, "rewrite testdata/api-page.golden.html")

// pageCatalog has an API whose description holds what must never reach a page (raw HTML, a
// javascript: link) beside the national catalogue's components, another of the same producer
// on habilitation, and one of another producer on the same subject.
var pageCatalog = map[string]string{
	"producers/dinum.yaml": "name: Direction interministérielle du numérique\nacronym: DINUM\n",
	"producers/ign.yaml":   "name: Institut national de l'information géographique et forestière\nacronym: IGN\n",
	"apis/api-adresse.yaml": `title: API Adresse
tagline: Géocoder une adresse en France.
producer: dinum
partners: [IGN]
themes: [Géographie]
keywords: [géocodage, adresse, BAN]
access: open
links:
  doc_tech: https://adresse.data.gouv.fr/outils/api-doc/adresse
  openapi: https://api-adresse.data.gouv.fr/openapi.json
  sandbox: https://adresse.data.gouv.fr/bac-a-sable
  stats: https://adresse.data.gouv.fr/stats
  contact: adresse@data.gouv.fr
rate_limit: 50 appels par seconde
uptime: 99.9
last_update: 2025-01-30
visits: 1000
services:
  - name: Démarches Simplifiées
    url: https://www.demarches-simplifiees.fr
    description: Formulaires en ligne des administrations.
description: |
  Géocoder des **adresses** avec la <External href="https://adresse.data.gouv.fr">Base Adresse Nationale</External>.

  <script>alert(1)</script>

  Un [lien piégé](javascript:alert(1)) et <img src=x onerror=alert(2)> une image.

  ## Usages
  - géocodage
  - autocomplétion
`,
	"apis/api-entreprise.yaml": `title: API Entreprise
tagline: Données des entreprises pour les administrations.
producer: dinum
themes: [Entreprise]
keywords: [SIRET]
access: restricted
links:
  doc_tech: https://entreprise.api.gouv.fr/developpeurs
  access: https://datapass.api.gouv.fr/api-entreprise
visits: 500
`,
	"apis/api-carto.yaml": `title: API Carto
tagline: Les adresses et parcelles sur une carte.
producer: ign
themes: [Géographie]
keywords: [adresse, géocodage, cadastre]
access: account
links:
  access: https://geoservices.ign.fr/compte
`,
}

func TestAPIPage(t *testing.T) {
	h := newHandler(t, Config{}, sourceOf(t, catalogFromFiles(t, pageCatalog)))
	w := do(h, http.MethodGet, "/les-api/api-adresse", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /les-api/api-adresse: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	page := w.Body.String()
	for _, want := range []string{
		"<title>API Adresse — Catalogue des API publiques</title>",
		`<meta name="description" content="Géocoder une adresse en France.">`,
		`<link rel="canonical" href="http://example.com/les-api/api-adresse">`,
		`<h1>API Adresse</h1>`,
		`<a class="api-producer" href="/?producer=dinum">Direction interministérielle du numérique (DINUM)</a>`,
		`<a href="/?theme=G%C3%A9ographie">Géographie</a>`,
		`<a href="https://adresse.data.gouv.fr/outils/api-doc/adresse">Documentation technique</a>`,
		`<a href="https://api-adresse.data.gouv.fr/openapi.json">Document OpenAPI</a>`,
		`<a href="https://adresse.data.gouv.fr/bac-a-sable">Bac à sable</a>`,
		`<a href="https://adresse.data.gouv.fr/stats">Statistiques publiques</a>`,
		`<a href="mailto:adresse@data.gouv.fr">Contact</a>`,
		`Cette API s’utilise sans compte ni autorisation.`,
		`<a href="https://www.demarches-simplifiees.fr">Démarches Simplifiées</a>`,
		`<strong>adresses</strong> avec la <a href="https://adresse.data.gouv.fr">Base Adresse Nationale</a>`,
		`Un lien piégé et  une image.`,
		`<h3>Usages</h3>`,
		`<a href="/les-api/api-entreprise">API Entreprise</a>`, // the same producer
		`<a href="/les-api/api-carto">API Carto</a>`,           // related, another producer
		`99,9 %`, `30/01/2025`, `50 appels par seconde`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, bad := range []string{"javascript:", "alert(1)", "alert(2)", "<img", "onerror", "<External", "**"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, problem := range inlineCode(page) {
		t.Errorf("the content security policy would block %s", problem)
	}
	ld := jsonLDOf(t, page)
	if ld["@type"] != "WebAPI" || ld["name"] != "API Adresse" || ld["url"] != "http://example.com/les-api/api-adresse" ||
		ld["documentation"] != "https://adresse.data.gouv.fr/outils/api-doc/adresse" {
		t.Errorf("JSON-LD = %v", ld)
	}
	if p, _ := ld["provider"].(map[string]any); p["name"] != "Direction interministérielle du numérique" {
		t.Errorf("JSON-LD provider = %v", ld["provider"])
	}

	// The access procedure of an API on habilitation.
	page = do(h, http.MethodGet, "/les-api/api-entreprise", nil).Body.String()
	for _, want := range []string{`<a class="btn btn-primary api-access-link" href="https://datapass.api.gouv.fr/api-entreprise">Demander une habilitation</a>`,
		`Sur habilitation`, `<a href="/les-api/api-adresse">API Adresse</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("/les-api/api-entreprise lacks %s", want)
		}
	}
}

// jsonLDOf parses the page's JSON-LD.
func jsonLDOf(t *testing.T, page string) map[string]any {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			t.Fatal("no JSON-LD in the page")
		case html.StartTagToken:
			tok := z.Token()
			if tok.Data != "script" || !isDataScript(tok) {
				continue
			}
			z.Next()
			var ld map[string]any
			if err := json.Unmarshal(z.Text(), &ld); err != nil {
				t.Fatalf("JSON-LD %s: %v", z.Text(), err)
			}
			return ld
		}
	}
}

func TestAPIPageNotFound(t *testing.T) {
	h := newHandler(t, Config{}, sourceOf(t, catalogFromFiles(t, pageCatalog)))
	for _, target := range []string{"/les-api/api-nope", "/les-api/%3Cscript%3Ealert(1)"} {
		w := do(h, http.MethodGet, target, nil)
		body := w.Body.String()
		if w.Code != 404 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(body, "<h1>API introuvable</h1>") {
			t.Errorf("GET %s: %d %s\n%s", target, w.Code, w.Header().Get("Content-Type"), body)
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("GET %s: the slug is not escaped", target)
		}
	}
	if body := do(h, http.MethodGet, "/les-api/api-nope", nil).Body.String(); !strings.Contains(body, `href="/?q=api&#43;nope"`) {
		t.Errorf("the 404 page does not offer to search the slug's words:\n%s", body)
	}
	if w := do(h, http.MethodGet, "/les-api", nil); w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/" {
		t.Errorf("GET /les-api: %d to %q, want a redirect to the search page", w.Code, w.Header().Get("Location"))
	}
}

// Pages have the cache headers of the public API: an ETag by index generation, a 304 when the
// browser has it, gzip; HEAD answers; the canonical URL follows the public URL.
func TestAPIPageCaching(t *testing.T) {
	h := newHandler(t, Config{PublicURL: "https://recherche.api.gouv.fr"}, sourceOf(t, catalogFromFiles(t, pageCatalog)))
	w := do(h, http.MethodGet, "/les-api/api-adresse", map[string]string{"Accept-Encoding": "gzip"})
	etag := w.Header().Get("ETag")
	if w.Code != 200 || etag == "" || w.Header().Get("Cache-Control") != cacheControl || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("first GET: %d, ETag %q, Cache-Control %q, Content-Encoding %q", w.Code, etag, w.Header().Get("Cache-Control"), w.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(zr)
	if !bytes.Contains(page, []byte(`<link rel="canonical" href="https://recherche.api.gouv.fr/les-api/api-adresse">`)) {
		t.Errorf("the canonical URL does not follow the public URL")
	}
	// From the answer cache, the same page.
	if again := do(h, http.MethodGet, "/les-api/api-adresse", nil); !bytes.Equal(again.Body.Bytes(), page) {
		t.Errorf("the second answer differs from the first")
	}
	if w := do(h, http.MethodGet, "/les-api/api-adresse", map[string]string{"If-None-Match": etag}); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", w.Code)
	}
	if w := do(h, http.MethodHead, "/les-api/api-adresse", nil); w.Code != 200 {
		t.Errorf("HEAD: %d", w.Code)
	}

	// Without a public URL, the Host the page is reached at, each kept apart.
	h = newHandler(t, Config{}, sourceOf(t, catalogFromFiles(t, pageCatalog)))
	for _, host := range []string{"a.example", "b.example"} {
		r := do(h, http.MethodGet, "http://"+host+"/les-api/api-adresse", nil)
		if want := `href="http://` + host + `/les-api/api-adresse"`; !strings.Contains(r.Body.String(), want) {
			t.Errorf("Host %s: no %s", host, want)
		}
	}
}

// TestAPIPageGolden keeps one rendered page in testdata: go test ./internal/server -run
// TestAPIPageGolden -update-page rewrites it.
func TestAPIPageGolden(t *testing.T) {
	h := newHandler(t, Config{PublicURL: "https://recherche.api.gouv.fr"}, sourceOf(t, catalogFromFiles(t, pageCatalog)))
	got := do(h, http.MethodGet, "/les-api/api-adresse", nil).Body.Bytes()
	path := filepath.Join("testdata", "api-page.golden.html")
	if *updatePage {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-page to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the page differs from %s: rerun with -update-page and read the diff", path)
	}
}
