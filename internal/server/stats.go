package server

import (
	"html/template"
	"net/http"
	"sort"
	"strings"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/stats"

	"github.com/gin-gonic/gin"
)

// topQueries is how many of the most frequent queries the statistics show.
const topQueries = 20

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

func (s *Server) statsPayload(ix *index.Index) statsPayload {
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
	return statsPayload{Catalog: cs, Service: s.stats.Snapshot(topQueries)}
}

// statsJSON answers GET /stats.json.
func (s *Server) statsJSON(c *gin.Context) {
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	c.JSON(http.StatusOK, s.statsPayload(ix))
}

// statsPage answers GET /stats: the same figures for people.
func (s *Server) statsPage(c *gin.Context) {
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	var b strings.Builder
	if err := statsTemplate.Execute(&b, s.statsPayload(ix)); err != nil {
		abort(c, s.log, err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}

var statsTemplate = template.Must(template.New("stats").Funcs(template.FuncMap{
	"access": func(v string) string { return catalog.Access(v).Label() },
	"join":   strings.Join,
}).Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Statistiques — recherche dans le catalogue des API publiques</title>
<link rel="stylesheet" href="/static/stats.css"></head><body>
<nav><a href="/">Recherche</a><a href="/docs">Documentation de l'API</a><a href="/stats.json">stats.json</a></nav>
<h1>Statistiques publiques</h1>
<p>Chiffres agrégés : aucune adresse IP ni donnée personnelle n'est conservée ; les requêtes sont normalisées (minuscules, sans accents).</p>
<h2>Le catalogue</h2>
<p>{{.Catalog.Entries}} API, dont {{.Catalog.WithWarnings}} ne remplissent pas encore tous les critères du catalogue national.</p>
<table><tr><th>Accès</th><th>API</th></tr>{{range .Catalog.ByAccess}}<tr><td>{{access .Value}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<table><tr><th>Thème</th><th>API</th></tr>{{range .Catalog.ByTheme}}<tr><td>{{.Value}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<table><tr><th>Producteur</th><th>API</th></tr>{{range .Catalog.ByProducer}}<tr><td>{{.Value}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<h2>Le service, depuis le {{.Service.Since.Format "02/01/2006 15:04"}} (UTC)</h2>
{{with .Service.Total}}<table>
<tr><th>Recherches</th><td class="n">{{.Searches}}</td></tr>
<tr><th>Recherches sans résultat</th><td class="n">{{.ZeroResults}}</td></tr>
<tr><th>Suggestions (autocomplétion)</th><td class="n">{{.Autocompletes}}</td></tr>
<tr><th>Temps de réponse des recherches, médiane / 95e centile</th><td class="n">{{.SearchP50MS}} ms / {{.SearchP95MS}} ms</td></tr>
<tr><th>Temps de réponse des suggestions, médiane / 95e centile</th><td class="n">{{.SuggestP50MS}} ms / {{.SuggestP95MS}} ms</td></tr>
</table>{{end}}
<h2>Par jour</h2>
<table><tr><th>Jour</th><th>Recherches</th><th>Sans résultat</th><th>Suggestions</th><th>Médiane</th><th>95e centile</th></tr>
{{range .Service.Days}}<tr><td>{{.Date}}</td><td class="n">{{.Searches}}</td><td class="n">{{.ZeroResults}}</td><td class="n">{{.Autocompletes}}</td><td class="n">{{.SearchP50MS}} ms</td><td class="n">{{.SearchP95MS}} ms</td></tr>{{end}}</table>
<h2>Requêtes les plus fréquentes</h2>
<table><tr><th>Requête</th><th>Fois</th></tr>{{range .Service.TopQueries}}<tr><td>{{.Query}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<h2>Requêtes les plus fréquentes sans résultat</h2>
<p>Elles disent aux éditeurs quels mots-clés manquent au catalogue. La dernière colonne donne les mots de la requête que rien ne reconnaît dans le catalogue ; vide, c'est une expression entre guillemets ou un filtre qui n'a rien trouvé.</p>
<table><tr><th>Requête</th><th>Fois</th><th>Mots sans correspondance</th></tr>{{range .Service.TopZeroResultQueries}}<tr><td>{{.Query}}</td><td class="n">{{.Count}}</td><td>{{join .UnknownWords ", "}}</td></tr>{{end}}</table>
<h2>Mots sans correspondance les plus fréquents</h2>
<p>Mots des recherches, avec ou sans résultat, que rien ne reconnaît dans le catalogue : ni ses textes, ni un synonyme, ni un mot à une faute de frappe près. Quand l'un d'eux désigne ce qu'offre une API, ajoutez-le au fichier <code>synonyms.yaml</code> à la racine du dossier du catalogue, avec les mots du catalogue qu'il veut dire.</p>
<table><tr><th>Mot</th><th>Recherches</th></tr>{{range .Service.TopUnknownWords}}<tr><td>{{.Word}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
</body></html>
`))
