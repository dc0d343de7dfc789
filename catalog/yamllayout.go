package catalog

import "strings"

// The project's own layout's fields.
var (
	yamlAPIFields = set("title", "tagline", "description", "producer", "partners", "themes",
		"keywords", "access", "france_connect", "links", "rate_limit", "uptime", "last_update",
		"visits", "services")
	yamlProducerFields = set("name", "acronym", "type", "site", "former_names", "description")
)

// yamlAPI is an entry in the project's own layout.
type yamlAPI struct {
	Title         string    `yaml:"title"`
	Tagline       string    `yaml:"tagline"`
	Description   string    `yaml:"description"`
	Producer      string    `yaml:"producer"`
	Partners      []string  `yaml:"partners"`
	Themes        []string  `yaml:"themes"`
	Keywords      []string  `yaml:"keywords"`
	Access        string    `yaml:"access"`
	FranceConnect bool      `yaml:"france_connect"`
	Links         Links     `yaml:"links"`
	RateLimit     string    `yaml:"rate_limit"`
	Uptime        *float64  `yaml:"uptime"`
	LastUpdate    string    `yaml:"last_update"`
	Visits        int       `yaml:"visits"`
	Services      []Service `yaml:"services"`
}

func (l *loader) yamlEntry(p, slug string) (*Entry, document, bool) {
	doc, ok := l.read(p, slug, yamlAPIFields)
	var y yamlAPI
	if !ok || !l.decode(p, slug, doc, &y) {
		return nil, doc, false
	}
	links := []linkField{
		{"doc_tech", []any{"links", "doc_tech"}, &y.Links.DocTech},
		{"openapi", []any{"links", "openapi"}, &y.Links.OpenAPI},
		{"doc_external", []any{"links", "doc_external"}, &y.Links.DocExternal},
		{"access", []any{"links", "access"}, &y.Links.Access},
		{"contact", []any{"links", "contact"}, &y.Links.Contact},
		{"site", []any{"links", "site"}, &y.Links.Site},
		{"monitoring", []any{"links", "monitoring"}, &y.Links.Monitoring},
		{"stats", []any{"links", "stats"}, &y.Links.Stats},
		{"sandbox", []any{"links", "sandbox"}, &y.Links.Sandbox},
	}
	for i := range y.Services {
		links = append(links, linkField{"url", []any{"services", i, "url"}, &y.Services[i].URL})
	}
	if !l.cleanLinks(p, slug, doc, "", links) {
		return nil, doc, false
	}
	access := Access(strings.TrimSpace(y.Access))
	if !access.Valid() {
		line := doc.lines["access"]
		if y.Access == "" {
			l.report(p, SeverityError, slug, errorAt(line, "no access field: expected open, account or restricted"))
		} else {
			l.report(p, SeverityError, slug, errorAt(line, "unknown access value %s: expected open, account or restricted", quote(y.Access)))
		}
		return nil, doc, false
	}
	body := strings.TrimSpace(y.Description)
	if doc.body != "" {
		body = strings.TrimSpace(body + "\n\n" + strings.TrimSpace(doc.body))
	}
	e := &Entry{
		Title:         y.Title,
		Tagline:       strings.TrimSpace(y.Tagline),
		Description:   body,
		Producer:      ProducerRef{Slug: strings.TrimSpace(y.Producer)},
		Partners:      y.Partners,
		Themes:        y.Themes,
		Keywords:      y.Keywords,
		Access:        access,
		FranceConnect: y.FranceConnect,
		Links:         y.Links,
		RateLimit:     strings.TrimSpace(y.RateLimit),
		Uptime:        y.Uptime,
		LastUpdate:    y.LastUpdate,
		Visits:        y.Visits,
		Services:      y.Services,
	}
	return e, doc, true
}

func (l *loader) yamlProducer(p string) (*Producer, bool) {
	doc, ok := l.read(p, "", yamlProducerFields)
	var y struct {
		Name        string   `yaml:"name"`
		Acronym     string   `yaml:"acronym"`
		Type        string   `yaml:"type"`
		Site        string   `yaml:"site"`
		FormerNames []string `yaml:"former_names"`
	}
	if !ok || !l.decode(p, "", doc, &y) || !l.cleanLinks(p, "", doc, "", []linkField{{"site", []any{"site"}, &y.Site}}) {
		return nil, false
	}
	return &Producer{Name: strings.TrimSpace(y.Name), Acronym: strings.TrimSpace(y.Acronym), Type: strings.TrimSpace(y.Type), Site: y.Site, FormerNames: clean(y.FormerNames)}, true
}
