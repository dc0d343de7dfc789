package server

import (
	"html/template"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/stats"

	"github.com/gin-gonic/gin"
)

// Lengths of the lists of queries and words: the public statistics show the most frequent,
// /admin/stats more of them.
const (
	topQueries      = 20
	adminTopQueries = 100
)

// catalogStats are the catalogue's volumes.
type catalogStats struct {
	Entries      int             `json:"entries"`
	ByAccess     []catalog.Count `json:"by_access"`
	ByTheme      []catalog.Count `json:"by_theme"`
	ByProducer   []catalog.Count `json:"by_producer"`
	WithWarnings int             `json:"with_warnings"`
}

// statsPayload is what /stats.json answers and /stats shows.
type statsPayload struct {
	Catalog catalogStats   `json:"catalog"`
	Service stats.Snapshot `json:"service"`
}

func (s *Server) statsPayload(ix *index.Index, n int, v stats.View) statsPayload {
	c := ix.Catalog()
	cs := catalogStats{Entries: len(c.Entries), ByTheme: c.Themes()}
	access := map[string]int{}
	producers := map[string]int{}
	for _, e := range c.Entries {
		access[string(e.Access)]++
		producers[e.Producer.Name]++
	}
	for _, a := range catalog.Accesses {
		cs.ByAccess = append(cs.ByAccess, catalog.Count{Value: string(a), Count: access[string(a)]})
	}
	for name, n := range producers {
		cs.ByProducer = append(cs.ByProducer, catalog.Count{Value: name, Count: n})
	}
	sort.Slice(cs.ByProducer, func(i, j int) bool {
		a, b := cs.ByProducer[i], cs.ByProducer[j]
		return a.Count > b.Count || a.Count == b.Count && catalog.Fold(a.Value) < catalog.Fold(b.Value)
	})
	warned := map[string]bool{}
	for _, p := range c.Problems {
		if p.Severity == catalog.SeverityWarning && p.Slug != "" {
			warned[p.Slug] = true
		}
	}
	cs.WithWarnings = len(warned)
	return statsPayload{Catalog: cs, Service: s.stats.Snapshot(n, v)}
}

// statsJSON answers GET /stats.json: the queries and words only once PublicClients distinct
// clients sent them on the same day.
func (s *Server) statsJSON(c *gin.Context) {
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	c.JSON(http.StatusOK, s.statsPayload(ix, topQueries, stats.Public))
}

// adminStats answers GET /admin/stats: the statistics with every query and word tracked,
// whoever sent them, for editors to look at behind the admin token.
func (s *Server) adminStats(c *gin.Context) {
	if _, err := params(c, nil); err != nil {
		abort(c, s.log, err)
		return
	}
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	c.JSON(http.StatusOK, s.statsPayload(ix, adminTopQueries, stats.Full))
}

// click answers POST /stats/click?q=…&slug=…, the beacon the search page sends when a result
// is opened: it counts the result opened for the query, nothing about who opened it.
func (s *Server) click(c *gin.Context) {
	v, err := params(c, []string{"q", "slug"}, "q", "slug")
	if err != nil {
		abort(c, s.log, err)
		return
	}
	q, slug := v.Get("q"), v.Get("slug")
	if n := utf8.RuneCountInString(q); n > index.MaxQueryLength {
		abort(c, s.log, errorf(CodeInvalidParameter, "parameter q is %d characters long, the maximum is %d", n, index.MaxQueryLength))
		return
	}
	if !s.sameSite(c) {
		abort(c, s.log, errorf(CodeOriginNotAllowed, "origin %q may not send results opened", truncate(c.GetHeader("Origin"))))
		return
	}
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	if slug == "" || ix.Catalog().Entry(slug) == nil {
		abort(c, s.log, errorf(CodeInvalidParameter, "parameter slug must be the slug of an API of the catalogue, got %q", truncate(slug)))
		return
	}
	s.stats.Click(q, slug)
	c.Status(http.StatusNoContent)
}

// sameSite reports whether a request comes from the service's own pages or from an origin
// allowed to call it: a browser always names the page's origin in a POST; a program sends none.
func (s *Server) sameSite(c *gin.Context) bool {
	origin := c.GetHeader("Origin")
	if origin == "" || origin == "http://"+c.Request.Host || origin == "https://"+c.Request.Host {
		return true
	}
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" || o == origin {
			return true
		}
	}
	return false
}

// statsPage answers GET /stats: the public figures for people, with charts.
func (s *Server) statsPage(c *gin.Context) {
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	p := s.statsPayload(ix, topQueries, stats.Public)
	access := func(v string) string { return catalog.Access(v).Label() }
	same := func(v string) string { return v }
	page := statsView{statsPayload: p, MinClients: stats.PublicClients,
		Daily:  dailyCharts(p.Service),
		Access: shareChart("chart-access", "Part des API par type d'accès", p.Catalog.ByAccess, p.Catalog.Entries, access),
		Themes: shareChart("chart-themes", "Part des API par thème", p.Catalog.ByTheme, p.Catalog.Entries, same)}
	for _, cl := range p.Service.TopClicked {
		title := cl.Slug
		if e := ix.Catalog().Entry(cl.Slug); e != nil {
			title = e.Title
		}
		page.Clicked = append(page.Clicked, clickedResult{ClickCount: cl, Title: title, Page: apiPagePath(cl.Slug)})
	}
	var b strings.Builder
	if err := statsTemplate.Execute(&b, page); err != nil {
		abort(c, s.log, err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}

// statsView is what the /stats page shows.
type statsView struct {
	statsPayload
	MinClients     int
	Daily          []chart
	Access, Themes chart
	Clicked        []clickedResult
}

// clickedResult is a result opened from a query, with the API's title and page.
type clickedResult struct {
	stats.ClickCount
	Title, Page string
}

var statsTemplate = template.Must(template.New("stats").Funcs(template.FuncMap{
	"access":  func(v string) string { return catalog.Access(v).Label() },
	"join":    strings.Join,
	"percent": percent,
	"share": func(n, of int) string {
		if of == 0 {
			return percent(0)
		}
		return percent(float64(n) / float64(of))
	},
}).Parse(`{{define "chart"}}<figure class="chart">
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{{.ID}}-title" aria-describedby="{{.ID}}-desc" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Summary}}</desc>
{{range .Lines}}<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}" stroke="#929292" stroke-width="1"/>
{{end}}{{range .Bars}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="#000091"><title>{{.Tip}}</title></rect>
{{end}}{{range .Labels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}" font-size="14" fill="#3a3a3a">{{.Text}}</text>
{{end}}</svg>
<figcaption>{{.Title}}</figcaption>
</figure>{{end}}<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Statistiques — recherche dans le catalogue des API publiques</title>
<link rel="stylesheet" href="/static/stats.css"></head><body>
<nav><a href="/">Recherche</a><a href="/docs">Documentation de l'API</a><a href="/stats.json">stats.json</a></nav>
<main>
<h1>Statistiques publiques</h1>
<p>Chiffres agrégés : aucune adresse IP ni donnée personnelle n'est conservée ; les requêtes sont normalisées (minuscules, sans accents). Ne comptent que les recherches abouties — validées, ou laissées à l'écran une fois la saisie arrêtée — et non chaque lettre tapée. Une requête ou un mot n'apparaît ici qu'une fois cherché par au moins {{.MinClients}} visiteurs distincts le même jour (comptés par une empreinte salée qui change chaque jour, jamais par leur adresse), pour que personne ne puisse y afficher un texte en le répétant.</p>
<h2>Le catalogue</h2>
<p>{{.Catalog.Entries}} API, dont {{.Catalog.WithWarnings}} ne remplissent pas encore tous les critères du catalogue national.</p>
{{template "chart" .Access}}
<table><caption>API par type d'accès</caption><tr><th scope="col">Accès</th><th scope="col">API</th><th scope="col">Part</th></tr>{{$n := .Catalog.Entries}}{{range .Catalog.ByAccess}}<tr><td>{{access .Value}}</td><td class="n">{{.Count}}</td><td class="n">{{share .Count $n}}</td></tr>{{end}}</table>
{{template "chart" .Themes}}
<table><caption>API par thème</caption><tr><th scope="col">Thème</th><th scope="col">API</th><th scope="col">Part</th></tr>{{range .Catalog.ByTheme}}<tr><td>{{.Value}}</td><td class="n">{{.Count}}</td><td class="n">{{share .Count $n}}</td></tr>{{end}}</table>
<table><caption>API par producteur</caption><tr><th scope="col">Producteur</th><th scope="col">API</th></tr>{{range .Catalog.ByProducer}}<tr><td>{{.Value}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<h2>Le service, depuis le {{.Service.Since.Format "02/01/2006 15:04"}} (UTC)</h2>
{{with .Service.Total}}<table>
<tr><th scope="row">Recherches</th><td class="n">{{.Searches}}</td></tr>
<tr><th scope="row">Recherches sans résultat</th><td class="n">{{.ZeroResults}} ({{percent .ZeroResultRate}})</td></tr>
<tr><th scope="row">Résultats ouverts</th><td class="n">{{.Clicks}}</td></tr>
<tr><th scope="row">Taux de clic (résultats ouverts pour 100 recherches)</th><td class="n">{{percent .ClickRate}}</td></tr>
<tr><th scope="row">Recherches pendant la saisie (non comptées ailleurs)</th><td class="n">{{.TypingSearches}}</td></tr>
<tr><th scope="row">Suggestions (autocomplétion)</th><td class="n">{{.Autocompletes}}</td></tr>
<tr><th scope="row">Temps de réponse des recherches, médiane / 95e centile</th><td class="n">{{.SearchP50MS}} ms / {{.SearchP95MS}} ms</td></tr>
<tr><th scope="row">Temps de réponse des suggestions, médiane / 95e centile</th><td class="n">{{.SuggestP50MS}} ms / {{.SuggestP95MS}} ms</td></tr>
</table>{{end}}
<h2>Par jour</h2>
{{range .Daily}}{{template "chart" .}}
{{end}}<div class="table-scroll" role="region" tabindex="0" aria-labelledby="daily-caption"><table><caption id="daily-caption">Chiffres par jour</caption><tr><th scope="col">Jour</th><th scope="col">Recherches</th><th scope="col">Sans résultat</th><th scope="col">Résultats ouverts</th><th scope="col">Suggestions</th><th scope="col">Médiane</th><th scope="col">95e centile</th></tr>
{{range .Service.Days}}<tr><td>{{.Date}}</td><td class="n">{{.Searches}}</td><td class="n">{{.ZeroResults}} ({{percent .ZeroResultRate}})</td><td class="n">{{.Clicks}}</td><td class="n">{{.Autocompletes}}</td><td class="n">{{.SearchP50MS}} ms</td><td class="n">{{.SearchP95MS}} ms</td></tr>{{end}}</table></div>
<h2>Requêtes les plus fréquentes</h2>
{{if .Service.TopQueries}}<table><tr><th scope="col">Requête</th><th scope="col">Fois</th><th scope="col">Résultats ouverts</th></tr>{{range .Service.TopQueries}}<tr><td>{{.Query}}</td><td class="n">{{.Count}}</td><td class="n">{{.Clicks}}</td></tr>{{end}}</table>{{else}}<p class="empty">Aucune pour l’instant.</p>{{end}}
<h2>Requêtes fréquentes dont aucun résultat n'a été ouvert</h2>
<p>Des résultats s'affichent, mais personne n'en ouvre aucun : ce que cherchent ces personnes n'y est sans doute pas, ou le titre et le résumé des API ne le disent pas.</p>
{{if .Service.NeverClickedQueries}}<table><tr><th scope="col">Requête</th><th scope="col">Fois</th></tr>{{range .Service.NeverClickedQueries}}<tr><td>{{.Query}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>{{else}}<p class="empty">Aucune pour l’instant.</p>{{end}}
<h2>Résultats les plus ouverts</h2>
{{if .Clicked}}<table><tr><th scope="col">Requête</th><th scope="col">API ouverte</th><th scope="col">Fois</th></tr>{{range .Clicked}}<tr><td>{{.Query}}</td><td><a href="{{.Page}}">{{.Title}}</a></td><td class="n">{{.Count}}</td></tr>{{end}}</table>{{else}}<p class="empty">Aucune pour l’instant.</p>{{end}}
<h2>Requêtes les plus fréquentes sans résultat</h2>
<p>Elles disent aux éditeurs quels mots-clés manquent au catalogue. La dernière colonne donne les mots de la requête que rien ne reconnaît dans le catalogue ; vide, c'est une expression entre guillemets ou un filtre qui n'a rien trouvé.</p>
{{if .Service.TopZeroResultQueries}}<table><tr><th scope="col">Requête</th><th scope="col">Fois</th><th scope="col">Mots sans correspondance</th></tr>{{range .Service.TopZeroResultQueries}}<tr><td>{{.Query}}</td><td class="n">{{.Count}}</td><td>{{join .UnknownWords ", "}}</td></tr>{{end}}</table>{{else}}<p class="empty">Aucune pour l’instant.</p>{{end}}
<h2>Mots sans correspondance les plus fréquents</h2>
<p>Mots des recherches, avec ou sans résultat, que rien ne reconnaît dans le catalogue : ni ses textes, ni un synonyme, ni un mot à une faute de frappe près. Quand l'un d'eux désigne ce qu'offre une API, ajoutez-le au fichier <code>synonyms.yaml</code> à la racine du dossier du catalogue, avec les mots du catalogue qu'il veut dire.</p>
{{if .Service.TopUnknownWords}}<table><tr><th scope="col">Mot</th><th scope="col">Recherches</th></tr>{{range .Service.TopUnknownWords}}<tr><td>{{.Word}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>{{else}}<p class="empty">Aucun pour l’instant.</p>{{end}}
</main>
</body></html>
`))
