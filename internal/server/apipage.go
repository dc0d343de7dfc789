package server

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"apisearch/catalog"
	"apisearch/index"

	"github.com/gin-gonic/gin"
)

// An API's page is server-rendered HTML at a stable address, /les-api/{slug} as on api.gouv.fr,
// that works without JavaScript: what a person needs to decide whether they can use the API,
// following the national catalogue's criteria, and what search engines index. /apis/{slug}
// stays the entry's JSON, for programs.

// Lists at the foot of an API's page.
const (
	maxProducerAPIs = 12 // other APIs of the same producer, the most visited first
	relatedAPIs     = 5  // APIs the search engine finds closest, of other producers
)

// apiPagePath is the address of an API's page.
func apiPagePath(slug string) string {
	return "/les-api/" + url.PathEscape(slug)
}

// searchPath is the address of the search page filtered on one value of a filter.
func searchPath(filter, value string) string {
	return "/?" + url.Values{filter: {value}}.Encode()
}

// pageLink is a link of an API's page: its label and address, and what it is, for the text
// beside it.
type pageLink struct {
	Label, URL, Note string
}

// apiPageData is what the API page template shows.
type apiPageData struct {
	Entry        *catalog.Entry
	Canonical    string
	Description  template.HTML
	ProducerURL  string
	Themes       []pageLink
	Access       accessInfo
	Links        []pageLink
	Uptime       string // "99,5 %", "" when unknown
	LastUpdate   string // DD/MM/YYYY, "" when unknown
	SameProducer []*catalog.Entry
	MoreProducer int // the producer's APIs not listed in SameProducer
	Related      []*catalog.Entry
	JSONLD       webAPI
}

// accessInfo says how a person gets access to an API.
type accessInfo struct {
	Label, Class, Text string
	Action             *pageLink // the account or authorisation request, when there is one
}

// accessOf explains an entry's access type and links its procedure.
func accessOf(e *catalog.Entry) accessInfo {
	a := accessInfo{Label: e.Access.Label(), Class: "access-" + string(e.Access)}
	switch e.Access {
	case catalog.AccessOpen:
		a.Text = "Cette API s’utilise sans compte ni autorisation."
	case catalog.AccessAccount:
		a.Text = "Il faut un compte ou une clé, gratuits et sans condition, pour appeler cette API."
		if e.Links.Access != "" {
			a.Action = &pageLink{Label: "Créer un compte", URL: e.Links.Access}
		}
	case catalog.AccessRestricted:
		a.Text = "Cette API est réservée aux organismes habilités : la demande d’habilitation précise le cadre juridique et les données demandées."
		if e.Links.Access != "" {
			a.Action = &pageLink{Label: "Demander une habilitation", URL: e.Links.Access}
		}
	}
	if a.Action == nil && e.Access != catalog.AccessOpen {
		a.Text += " La procédure est décrite dans la documentation ou auprès du contact de l’API."
	}
	return a
}

// linksOf lists an entry's useful addresses, in the order a reuser needs them.
func linksOf(e *catalog.Entry) []pageLink {
	var out []pageLink
	for _, l := range []pageLink{
		{"Documentation technique", e.Links.DocTech, ""},
		{"Document OpenAPI", e.Links.OpenAPI, "la description de l’API, lisible par les outils"},
		{"Autre documentation", e.Links.DocExternal, ""},
		{"Bac à sable", e.Links.Sandbox, "un environnement de test"},
		{"Statistiques publiques", e.Links.Stats, "l’usage de l’API"},
		{"Suivi de disponibilité", e.Links.Monitoring, ""},
		{"Site de l’API", e.Links.Site, ""},
		{"Contact", e.Links.Contact, ""},
	} {
		if l.URL != "" {
			out = append(out, l)
		}
	}
	if mail, ok := strings.CutPrefix(e.Links.Contact, "mailto:"); ok {
		out[len(out)-1].Note = mail
	}
	return out
}

// webAPI is the schema.org description of an API, as JSON-LD, for search engines.
type webAPI struct {
	Context       string       `json:"@context"`
	Type          string       `json:"@type"`
	Name          string       `json:"name"`
	Description   string       `json:"description,omitempty"`
	URL           string       `json:"url"`
	Identifier    string       `json:"identifier"`
	Provider      organization `json:"provider"`
	Documentation string       `json:"documentation,omitempty"`
	Category      []string     `json:"category,omitempty"`
	AreaServed    string       `json:"areaServed"`
}

// organization is the schema.org producer of an API.
type organization struct {
	Type          string `json:"@type"`
	Name          string `json:"name"`
	AlternateName string `json:"alternateName,omitempty"`
}

func jsonLD(e *catalog.Entry, canonical string) webAPI {
	doc := e.Links.DocTech
	for _, d := range []string{e.Links.OpenAPI, e.Links.DocExternal} {
		if doc == "" {
			doc = d
		}
	}
	return webAPI{
		Context: "https://schema.org", Type: "WebAPI", Name: e.Title, Description: e.Tagline,
		URL: canonical, Identifier: e.Slug, Documentation: doc, Category: e.Themes, AreaServed: "FR",
		Provider: organization{Type: "GovernmentOrganization", Name: e.Producer.Name, AlternateName: e.Producer.Acronym},
	}
}

// sameProducer lists the other APIs of e's producer, the most visited first, at most max, and
// how many more there are.
func sameProducer(c *catalog.Catalog, e *catalog.Entry, max int) ([]*catalog.Entry, int) {
	var out []*catalog.Entry
	for _, other := range c.Entries {
		if other.Producer.Slug == e.Producer.Slug && other.Slug != e.Slug {
			out = append(out, other)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Visits != out[j].Visits {
			return out[i].Visits > out[j].Visits
		}
		return catalog.Fold(out[i].Title) < catalog.Fold(out[j].Title)
	})
	if len(out) > max {
		return out[:max], len(out) - max
	}
	return out, 0
}

// frenchDate turns YYYY-MM-DD into DD/MM/YYYY.
func frenchDate(iso string) string {
	if y, md, ok := strings.Cut(iso, "-"); ok {
		if m, d, ok := strings.Cut(md, "-"); ok {
			return d + "/" + m + "/" + y
		}
	}
	return iso
}

// apiPage answers GET /les-api/{slug}: the API's page, or a 404 page. Pages are kept in the
// answer cache like JSON answers, under the address they are reached at, which their canonical
// URL names.
func (s *Server) apiPage(c *gin.Context, r publicRequest) {
	ix := r.ix
	base := strings.TrimSuffix(s.serverURL(c), "/")
	slug := c.Param("slug")
	key := strconv.FormatUint(ix.Generation(), 10) + " " + base + apiPagePath(slug)
	if !s.cfg.NoAnswerCache {
		if a, ok := s.answers.get(key); ok {
			s.send(c, a)
			return
		}
	}
	cat := ix.Catalog()
	e := cat.Entry(slug)
	if e == nil {
		s.notFoundPage(c, slug)
		return
	}
	body, err := s.renderAPIPage(c, ix, e, base)
	if err != nil {
		abort(c, s.log, err)
		return
	}
	a := newAnswer(body, "text/html; charset=utf-8")
	if !s.cfg.NoAnswerCache {
		s.answers.add(key, a)
	}
	s.send(c, a)
}

func (s *Server) renderAPIPage(c *gin.Context, ix *index.Index, e *catalog.Entry, base string) ([]byte, error) {
	cat := ix.Catalog()
	related, err := ix.Related(c.Request.Context(), e.Slug, relatedAPIs)
	if err != nil {
		return nil, err
	}
	canonical := base + apiPagePath(e.Slug)
	d := apiPageData{
		Entry:       e,
		Canonical:   canonical,
		Description: cat.DescriptionHTML(e, apiPagePath),
		ProducerURL: searchPath("producer", e.Producer.Slug),
		Access:      accessOf(e),
		Links:       linksOf(e),
		LastUpdate:  frenchDate(e.LastUpdate),
		Related:     related,
		JSONLD:      jsonLD(e, canonical),
	}
	for _, t := range e.Themes {
		d.Themes = append(d.Themes, pageLink{Label: t, URL: searchPath("theme", t)})
	}
	if e.Uptime != nil {
		d.Uptime = strings.Replace(strconv.FormatFloat(*e.Uptime, 'f', -1, 64), ".", ",", 1) + " %"
	}
	d.SameProducer, d.MoreProducer = sameProducer(cat, e, maxProducerAPIs)
	var b bytes.Buffer
	if err := apiPageTemplate.ExecuteTemplate(&b, "api", d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// notFoundPage answers a 404 page for an unknown API, which offers to search its slug's words.
func (s *Server) notFoundPage(c *gin.Context, slug string) {
	words := strings.Join(strings.FieldsFunc(slug, func(r rune) bool { return r == '-' || r == '_' || r == '.' }), " ")
	var b bytes.Buffer
	if err := apiPageTemplate.ExecuteTemplate(&b, "notfound", struct{ Slug, Search string }{slug, searchPath("q", words)}); err != nil {
		abort(c, s.log, err)
		return
	}
	// Like every error, kept out of caches: the API may be added in a moment.
	h := c.Writer.Header()
	h.Del("ETag")
	h.Set("Cache-Control", "no-store")
	c.Data(http.StatusNotFound, "text/html; charset=utf-8", b.Bytes())
}

// redirectToSearch answers GET /les-api: the list of every API is the search page, browsing.
func (s *Server) redirectToSearch(c *gin.Context) {
	c.Redirect(http.StatusMovedPermanently, "/")
}

var apiPageTemplate = template.Must(template.New("").Funcs(template.FuncMap{"page": apiPagePath}).Parse(`
{{define "top"}}<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css">{{end}}

{{define "header"}}<a class="skip-link" href="#main">Aller au contenu</a>
<header class="site-header">
<div class="container site-header-row">
<p class="site-title"><a href="/">Catalogue des API publiques</a></p>
<form class="site-search" role="search" action="/" method="get">
<label for="site-q" class="visually-hidden">Rechercher une API</label>
<input id="site-q" name="q" type="search" maxlength="200" placeholder="Rechercher une API">
<button type="submit" class="btn btn-secondary">Rechercher</button>
</form>
</div>
</header>{{end}}

{{define "footer"}}<footer class="site-footer">
<div class="container">
<ul class="footer-links">
<li><a href="/">Rechercher une API</a></li>
<li><a href="/docs">Documentation de l’API</a></li>
<li><a href="/stats">Statistiques publiques</a></li>
</ul>
</div>
</footer>
</body>
</html>{{end}}

{{define "entries"}}<ul class="api-list">
{{range .}}<li><a href="{{page .Slug}}">{{.Title}}</a>{{if .Tagline}} <span class="api-list-tagline">{{.Tagline}}</span>{{end}}</li>
{{end}}</ul>{{end}}

{{define "api"}}{{template "top"}}
<title>{{.Entry.Title}} — Catalogue des API publiques</title>
<meta name="description" content="{{.Entry.Tagline}}">
<link rel="canonical" href="{{.Canonical}}">
<script type="application/ld+json">{{.JSONLD}}</script>
</head>
<body>
{{template "header"}}
<main id="main" class="container api-page">
<nav aria-label="Fil d’Ariane"><ol class="breadcrumb">
<li><a href="/">Recherche</a></li>
<li><a href="{{.ProducerURL}}">{{.Entry.Producer.Name}}</a></li>
<li aria-current="page">{{.Entry.Title}}</li>
</ol></nav>

<h1>{{.Entry.Title}}</h1>
{{if .Entry.Tagline}}<p class="api-tagline">{{.Entry.Tagline}}</p>{{end}}

<dl class="api-facts">
<dt>Producteur</dt>
<dd><a class="api-producer" href="{{.ProducerURL}}">{{.Entry.Producer.Name}}{{with .Entry.Producer.Acronym}} ({{.}}){{end}}</a></dd>
{{with .Entry.Partners}}<dt>Partenaires</dt><dd>{{range $i, $p := .}}{{if $i}}, {{end}}{{$p}}{{end}}</dd>{{end}}
{{with .Themes}}<dt>Thèmes</dt><dd><ul class="hit-themes">{{range .}}<li class="hit-theme"><a href="{{.URL}}">{{.Label}}</a></li>{{end}}</ul></dd>{{end}}
<dt>Accès</dt><dd><span class="hit-access {{.Access.Class}}">{{.Access.Label}}</span></dd>
{{if .Entry.FranceConnect}}<dt>FranceConnect</dt><dd>Compatible FranceConnect</dd>{{end}}
{{with .Entry.RateLimit}}<dt>Limite d’appels</dt><dd>{{.}}</dd>{{end}}
{{with .Uptime}}<dt>Disponibilité</dt><dd>{{.}}</dd>{{end}}
{{with .LastUpdate}}<dt>Mise à jour</dt><dd>{{.}}</dd>{{end}}
</dl>

<section class="api-section" aria-labelledby="access-title">
<h2 id="access-title">Accéder à l’API</h2>
<p class="api-access"><span class="hit-access {{.Access.Class}}">{{.Access.Label}}</span> {{.Access.Text}}</p>
{{with .Access.Action}}<p><a class="btn btn-primary api-access-link" href="{{.URL}}">{{.Label}}</a></p>{{end}}
{{with .Links}}<ul class="api-links">
{{range .}}<li><a href="{{.URL}}">{{.Label}}</a>{{with .Note}} <span class="api-link-note">— {{.}}</span>{{end}}</li>
{{end}}</ul>{{end}}
</section>

{{if .Description}}<section class="api-section api-description" aria-labelledby="description-title">
<h2 id="description-title">Description</h2>
{{.Description}}
</section>{{end}}

{{with .Entry.Services}}<section class="api-section" aria-labelledby="services-title">
<h2 id="services-title">Services qui utilisent cette API</h2>
<ul class="api-list">
{{range .}}<li>{{if .URL}}<a href="{{.URL}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}{{with .Description}} <span class="api-list-tagline">{{.}}</span>{{end}}</li>
{{end}}</ul>
</section>{{end}}

{{if .SameProducer}}<section class="api-section" aria-labelledby="producer-title">
<h2 id="producer-title">Autres API de {{.Entry.Producer.Name}}</h2>
{{template "entries" .SameProducer}}
{{if .MoreProducer}}<p><a href="{{.ProducerURL}}">Voir toutes les API de {{.Entry.Producer.Name}}</a> ({{.MoreProducer}} de plus)</p>{{end}}
</section>{{end}}

{{if .Related}}<section class="api-section" aria-labelledby="related-title">
<h2 id="related-title">API proches</h2>
{{template "entries" .Related}}
</section>{{end}}

{{with .Entry.Keywords}}<p class="api-keywords">Mots-clés : {{range $i, $k := .}}{{if $i}}, {{end}}{{$k}}{{end}}</p>{{end}}
<p class="api-json">Pour les programmes : <a href="/apis/{{.Entry.Slug}}">cette fiche en JSON</a>.</p>
</main>
{{template "footer"}}{{end}}

{{define "notfound"}}{{template "top"}}
<title>API introuvable — Catalogue des API publiques</title>
<meta name="robots" content="noindex">
</head>
<body>
{{template "header"}}
<main id="main" class="container api-page">
<h1>API introuvable</h1>
<p>Aucune API du catalogue n’a l’adresse <code>/les-api/{{.Slug}}</code> : elle a pu changer de nom ou quitter le catalogue.</p>
<p><a href="{{.Search}}">Rechercher une API proche</a> ou <a href="/">parcourir le catalogue</a>.</p>
</main>
{{template "footer"}}{{end}}
`))
