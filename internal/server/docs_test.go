package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
	"gopkg.in/yaml.v3"
)

// element is a start tag of a page: its name and attributes.
type element struct {
	tag   string
	attrs map[string]string
}

// elements lists the start tags of page, in order.
func elements(t *testing.T, page string) []element {
	t.Helper()
	var out []element
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			e := element{tag: tok.Data, attrs: make(map[string]string)}
			for _, a := range tok.Attr {
				e.attrs[a.Key] = a.Val
			}
			out = append(out, e)
		}
	}
}

// TestDocsPageListsEveryOperation checks /docs against the document: one section and one form
// per operation, an input with a label per parameter, prefilled with the example, a token field
// for admin operations, nothing more; the page is in French and loads only the service's files.
func TestDocsPageListsEveryOperation(t *testing.T) {
	doc, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	w := do(newTestServer(t), "GET", "/docs", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/docs = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	page := w.Body.String()
	els := elements(t, page)
	byID := make(map[string]element)
	labelled := make(map[string]bool)
	sections, forms := make(map[string]bool), make(map[string]element)
	for _, e := range els {
		if id := e.attrs["id"]; id != "" {
			if _, dup := byID[id]; dup {
				t.Errorf("id %q used twice", id)
			}
			byID[id] = e
		}
		switch {
		case e.tag == "label":
			labelled[e.attrs["for"]] = true
		case e.tag == "section" && e.attrs["class"] == "operation":
			sections[strings.TrimPrefix(e.attrs["id"], "op-")] = true
		case e.tag == "form":
			forms[e.attrs["data-operation"]] = e
		case e.tag == "script" && e.attrs["src"] != "static/docs.js":
			t.Errorf("/docs loads script %q", e.attrs["src"])
		}
	}
	operations := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			operations++
			id := op.OperationID
			if !sections[id] {
				t.Errorf("no section for %s %s (op-%s)", method, path, id)
			}
			form, ok := forms[id]
			if !ok {
				t.Errorf("no form for %s %s", method, path)
				continue
			}
			if form.attrs["data-method"] != method || "/"+form.attrs["data-path"] != path {
				t.Errorf("the form of %s sends %s /%s, want %s %s", id, form.attrs["data-method"], form.attrs["data-path"], method, path)
			}
			for _, p := range op.Parameters {
				input, ok := byID["try-"+id+"-"+p.Value.Name]
				switch {
				case !ok:
					t.Errorf("the form of %s has no input for %s", id, p.Value.Name)
				case !labelled[input.attrs["id"]]:
					t.Errorf("the input of %s in the form of %s has no label", p.Value.Name, id)
				case input.attrs["name"] != p.Value.Name || input.attrs["data-in"] != p.Value.In:
					t.Errorf("the input of %s in the form of %s is named %q, in %q", p.Value.Name, id, input.attrs["name"], input.attrs["data-in"])
				case input.tag == "input" && p.Value.Example != nil && input.attrs["value"] != inputValue(p.Value.Example):
					t.Errorf("the input of %s in the form of %s holds %q, want the example %q", p.Value.Name, id, input.attrs["value"], inputValue(p.Value.Example))
				}
				if _, ok := byID["try-"+id+"-"+p.Value.Name+"-desc"]; !ok {
					t.Errorf("the parameter %s of %s has no description for its input", p.Value.Name, id)
				}
			}
			token, hasToken := byID["try-"+id+"-token"]
			if hasToken != needsToken(doc, op) {
				t.Errorf("the form of %s has a token field: %v, the operation needs a token: %v", id, hasToken, needsToken(doc, op))
			}
			if hasToken && (token.attrs["type"] != "password" || token.attrs["name"] != "" || !labelled["try-"+id+"-token"]) {
				t.Errorf("the token field of %s: %v; want a labelled password input without a name, never sent in the URL", id, token.attrs)
			}
		}
	}
	if len(sections) != operations || len(forms) != operations {
		t.Errorf("%d sections and %d forms for %d operations", len(sections), len(forms), operations)
	}
	for id, e := range byID {
		if (e.tag == "input" || e.tag == "select") && !labelled[id] {
			t.Errorf("input %s has no label", id)
		}
	}
	for _, want := range []string{
		`<html lang="fr">`, "Documentation de l’API", "Paramètres de <code>GET /search</code>", "Réponses de <code>GET /search</code>",
		"Rechercher dans le catalogue", "Envoyer la requête", "Public : sans authentification.", "Réservé à l’exploitation",
		`<p lang="en">`, "did_you_mean", "&lt;mark&gt;Adresse&lt;/mark&gt;", `<a href="#schema-SearchResult">SearchResult</a>`,
		`<option value="" selected>(par défaut : relevance)</option>`, `<code>-mot</code>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/docs lacks %q", want)
		}
	}
	js := do(newTestServer(t), "GET", "/static/docs.js", nil)
	if js.Code != 200 || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("/static/docs.js = %d %s", js.Code, js.Header().Get("Content-Type"))
	}
}

// TestPublicOperationsNeedNoSecurity checks that every operation says what it needs: the
// admin ones the bearer token, every other one nothing (security: []), which tools read as
// "public", where no security at all would mean "whatever the document says".
func TestPublicOperationsNeedNoSecurity(t *testing.T) {
	doc, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			admin := strings.HasPrefix(path, "/admin/")
			switch {
			case op.Security == nil:
				t.Errorf("%s %s says nothing of its security", method, path)
			case admin && len(*op.Security) == 0:
				t.Errorf("%s %s is an admin operation but needs no token", method, path)
			case !admin && len(*op.Security) != 0:
				t.Errorf("%s %s is public but asks for %v", method, path, *op.Security)
			}
		}
	}
}

// servedServers reads the servers of /openapi.json and /openapi.yaml as answered to target.
func servedServers(t *testing.T, cfg Config, target string) (fromJSON, fromYAML string) {
	t.Helper()
	h := newHandler(t, cfg, testSource(t))
	var j, y struct {
		Servers []struct{ URL string } `json:"servers" yaml:"servers"`
	}
	if err := json.Unmarshal(do(h, "GET", target+"/openapi.json", nil).Body.Bytes(), &j); err != nil || len(j.Servers) != 1 {
		t.Fatalf("/openapi.json: %v, %d servers", err, len(j.Servers))
	}
	if err := yaml.Unmarshal(do(h, "GET", target+"/openapi.yaml", nil).Body.Bytes(), &y); err != nil || len(y.Servers) != 1 {
		t.Fatalf("/openapi.yaml: %v, %d servers", err, len(y.Servers))
	}
	return j.Servers[0].URL, y.Servers[0].URL
}

// TestServersFollowPublicURL checks that the document names the URL the service is reached
// at: the public URL when configured, else the request's scheme and host, else this host.
func TestServersFollowPublicURL(t *testing.T) {
	tests := []struct {
		name, publicURL, target, want string
	}{
		{"public URL", "https://recherche.api.gouv.fr", "http://10.0.0.7:8080", "https://recherche.api.gouv.fr"},
		{"public URL with a path prefix", "https://api.gouv.fr/recherche", "http://localhost:8080", "https://api.gouv.fr/recherche"},
		{"request host", "", "http://catalogue.example:8443", "http://catalogue.example:8443"},
		{"request over TLS", "", "https://catalogue.example", "https://catalogue.example"},
		{"IPv6 host", "", "http://[::1]:8080", "http://[::1]:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fromJSON, fromYAML := servedServers(t, Config{PublicURL: tt.publicURL}, tt.target)
			if fromJSON != tt.want || fromYAML != tt.want {
				t.Errorf("servers: %q in JSON, %q in YAML; want %q", fromJSON, fromYAML, tt.want)
			}
		})
	}

	// A Host that is not a plain host is never written into the document.
	h := newTestServer(t)
	for _, host := range []string{`evil.example"/x`, "a b", "évil.example", "host:port:80", ""} {
		var doc struct{ Servers []struct{ URL string } }
		req := httptest.NewRequest("GET", "/openapi.json", nil)
		req.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
			t.Errorf("Host %q: %v, servers %+v; want /", host, err, doc.Servers)
		}
	}

	// Apart from its server, the document served is the one the service was built with.
	doc, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var served, built map[string]any
	raw, _ := json.Marshal(doc)
	_ = json.Unmarshal(raw, &built)
	if err := json.Unmarshal(do(h, "GET", "/openapi.json", nil).Body.Bytes(), &served); err != nil {
		t.Fatal(err)
	}
	delete(served, "servers")
	delete(built, "servers")
	a, _ := json.Marshal(served)
	b, _ := json.Marshal(built)
	if !bytes.Equal(a, b) {
		t.Error("/openapi.json differs from the document beyond its servers")
	}
	y := do(h, "GET", "/openapi.yaml", nil).Body.String()
	if want := strings.Replace(string(openapiYAML), "\n  - url: /\n", "\n  - url: \"http://example.com\"\n", 1); y != want {
		t.Error("/openapi.yaml differs from openapi.yaml beyond its server's URL")
	}
}

func TestCheckPublicURL(t *testing.T) {
	for _, ok := range []string{"https://recherche.api.gouv.fr", "http://localhost:8080", "https://api.gouv.fr/recherche", "https://[2001:db8::1]:8443/a/b"} {
		if err := CheckPublicURL(ok); err != nil {
			t.Errorf("CheckPublicURL(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "recherche.api.gouv.fr", "ftp://api.gouv.fr", "https://", "https://api.gouv.fr/", "https://api.gouv.fr/recherche/",
		"https://api.gouv.fr?x=1", "https://api.gouv.fr#top", "https://user@api.gouv.fr", "https://api.gouv.fr/{version}", "mailto:a@b.fr", "https://api.gouv.fr/a b"} {
		if err := CheckPublicURL(bad); err == nil {
			t.Errorf("CheckPublicURL(%q) accepted it", bad)
		}
	}
	if _, err := New(Config{PublicURL: "https://api.gouv.fr/"}, testSource(t)); err == nil || !strings.Contains(err.Error(), "public URL") {
		t.Errorf("New with a public URL ending in /: %v", err)
	}
}

// redoclyCLI is the version of Redocly's CLI that lints the OpenAPI document, pinned so that a
// release with new rules never fails a build unannounced.
const redoclyCLI = "@redocly/cli@2.77.0"

// TestOpenAPILint lints the document as the service serves it with Redocly's recommended rules
// (npx fetches the CLI from the npm registry the first time): any error fails, warnings are
// logged. This is the only place the lint runs; .ci/run runs it through go test. Skipped with
// -short, and without Node.js outside CI.
func TestOpenAPILint(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not linting the OpenAPI document")
	}
	npx, err := exec.LookPath("npx")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no npx in CI: .ci/run should have installed Node.js")
		}
		t.Skip("no npx on this machine (Node.js 20.19 or later): not linting the OpenAPI document")
	}
	dir := t.TempDir()
	h := newHandler(t, Config{PublicURL: "https://recherche.api.gouv.fr"}, testSource(t))
	file := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(file, do(h, "GET", "/openapi.yaml", nil).Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npx, "--yes", redoclyCLI, "lint", "--format=stylish", file)
	cmd.Dir = dir // no redocly.yaml around: the recommended rules
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if !bytes.Contains(out, []byte("validating")) {
		// npx could not fetch or start the CLI: offline, or a Node.js too old.
		if os.Getenv("CI") != "" {
			t.Fatalf("redocly did not run: %v\n%s", err, out)
		}
		t.Skipf("redocly did not run (offline? Node.js older than 20.19?): %v\n%s", err, out)
	}
	if err != nil {
		t.Fatalf("redocly lint found errors in the OpenAPI document:\n%s", out)
	}
	if bytes.Contains(out, []byte("warning")) {
		t.Logf("redocly lint warnings:\n%s", out)
	}
}

// TestDocsFormsInABrowser sends the search form and an admin form of /docs from Chromium, with
// the page's script under the service's content security policy.
func TestDocsFormsInABrowser(t *testing.T) {
	base, ctx := browse(t)
	var status, body, sent, adminStatus string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/docs"),
		chromedp.WaitVisible(`#op-search form button`, chromedp.ByQuery),
		chromedp.Click(`#op-search form button`, chromedp.ByQuery),
		poll(`document.querySelector("#op-search .status").textContent.startsWith("Réponse")`),
		chromedp.Text(`#op-search .status`, &status, chromedp.ByQuery),
		chromedp.Text(`#op-search .body`, &body, chromedp.ByQuery),
		chromedp.Text(`#op-search .sent`, &sent, chromedp.ByQuery),
		chromedp.SetValue(`#try-getAPI-slug`, "api-adresse", chromedp.ByID),
		chromedp.Click(`#op-getAPI form button`, chromedp.ByQuery),
		poll(`document.querySelector("#op-getAPI .status").textContent.startsWith("Réponse 200")`),
		chromedp.Click(`#op-status form button`, chromedp.ByQuery),
		poll(`document.querySelector("#op-status .status").textContent.startsWith("Réponse")`),
		chromedp.Text(`#op-status .status`, &adminStatus, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(status, "Réponse 200") || !strings.Contains(status, "application/json") {
		t.Errorf("search form status: %q", status)
	}
	if !strings.Contains(body, "\n  \"total\": ") || !strings.Contains(body, `"slug": "api-adresse"`) {
		t.Errorf("search form body, want indented JSON with api-adresse:\n%.400s", body)
	}
	if want := base + "/search?q=adresse&producer=dinum&theme=G%C3%A9ographie&access=open"; sent != "GET "+want {
		t.Errorf("search form sent %q, want GET %s", sent, want)
	}
	// The browser test's service has no admin token: the admin routes do not exist.
	if !strings.HasPrefix(adminStatus, "Réponse 404") {
		t.Errorf("admin form status without admin endpoints: %q", adminStatus)
	}
}
