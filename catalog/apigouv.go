package catalog

import (
	"regexp"
	"strings"
)

// The national catalogue's front matter fields. Fields it uses for its own pages only are
// known, so that they are not reported, and ignored.
var (
	apigouvAPIFields = set("title", "tagline", "content_intro", "is_open", "producer", "partners",
		"keywords", "themes", "contact_link", "external_site", "doc_tech_link", "doc_tech_external",
		"access_page", "datapass_link", "account_link", "rate_limiting_resume",
		"rate_limiting_description", "rate_limiting_link", "uptime", "last_update", "visits_2019",
		"monitoring_link", "monitoring_description", "stat", "stats_detail_resume",
		"stats_detail_description", "stats_detail_link", "is_france_connected", "datagouv_uuid",
		"category", "useSwaggerProxy", "clients", "hide_pre_footer", "layout", "additional_css")
	apigouvProducerFields = set("name", "acronym", "type", "site", "logo", "nameWithPronoun",
		"name_with_pronoun", "description", "short", "contact", "annuaire", "siteOpenData",
		"data", "siteAPI")
	apigouvServiceFields = set("title", "link", "description", "api", "screenshot", "noindex")
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// apigouvAPI is an API's front matter in the national catalogue.
type apigouvAPI struct {
	Title           string   `yaml:"title"`
	Tagline         string   `yaml:"tagline"`
	ContentIntro    string   `yaml:"content_intro"`
	IsOpen          *int     `yaml:"is_open"`
	Producer        string   `yaml:"producer"`
	Partners        []string `yaml:"partners"`
	Keywords        []string `yaml:"keywords"`
	Themes          []string `yaml:"themes"`
	ContactLink     string   `yaml:"contact_link"`
	ExternalSite    string   `yaml:"external_site"`
	DocTechLink     string   `yaml:"doc_tech_link"`
	DocTechExternal string   `yaml:"doc_tech_external"`
	DatapassLink    string   `yaml:"datapass_link"`
	AccountLink     string   `yaml:"account_link"`
	RateLimit       string   `yaml:"rate_limiting_resume"`
	Uptime          *float64 `yaml:"uptime"`
	LastUpdate      string   `yaml:"last_update"`
	Visits          int      `yaml:"visits_2019"`
	MonitoringLink  string   `yaml:"monitoring_link"`
	StatsLink       string   `yaml:"stats_detail_link"`
	Stat            struct {
		Link string `yaml:"link"`
	} `yaml:"stat"`
	FranceConnected int `yaml:"is_france_connected"`
	AccessPage      []struct {
		IsEligible  int    `yaml:"is_eligible"`
		Description string `yaml:"description"`
	} `yaml:"access_page"`
}

// urlPattern finds a web address in a Markdown text.
var urlPattern = regexp.MustCompile(`https?://[^\s)"'<>\]]+`)

// accessLink is the address where a reuser asks for access: the DataPass or account link, else
// the first link (as cleanLink accepts them) given to eligible reusers on the access page.
func (fm *apigouvAPI) accessLink() string {
	if fm.DatapassLink != "" {
		return fm.DatapassLink
	}
	if fm.AccountLink != "" {
		return fm.AccountLink
	}
	for _, step := range fm.AccessPage {
		if step.IsEligible >= 0 {
			for _, u := range urlPattern.FindAllString(step.Description, -1) {
				if link, err := cleanLink(u, apiGouvSite); err == nil {
					return link
				}
			}
		}
	}
	return ""
}

// links are the fields of an API's front matter that hold addresses.
func (fm *apigouvAPI) links() []linkField {
	return []linkField{
		{"contact_link", []any{"contact_link"}, &fm.ContactLink},
		{"external_site", []any{"external_site"}, &fm.ExternalSite},
		{"doc_tech_link", []any{"doc_tech_link"}, &fm.DocTechLink},
		{"doc_tech_external", []any{"doc_tech_external"}, &fm.DocTechExternal},
		{"datapass_link", []any{"datapass_link"}, &fm.DatapassLink},
		{"account_link", []any{"account_link"}, &fm.AccountLink},
		{"monitoring_link", []any{"monitoring_link"}, &fm.MonitoringLink},
		{"stats_detail_link", []any{"stats_detail_link"}, &fm.StatsLink},
		{"link", []any{"stat", "link"}, &fm.Stat.Link},
	}
}

func (l *loader) apigouvEntry(p, slug string) (*Entry, document, bool) {
	doc, ok := l.read(p, slug, apigouvAPIFields)
	var fm apigouvAPI
	if !ok || !l.decode(p, slug, doc, &fm) || !l.cleanLinks(p, slug, doc, apiGouvSite, fm.links()) {
		return nil, doc, false
	}
	var access Access
	switch {
	case fm.IsOpen == nil:
		l.report(p, SeverityError, slug, errorAt(0, "no is_open field: expected 1 (open), 0 (account) or -1 (restricted)"))
		return nil, doc, false
	case *fm.IsOpen == 1:
		access = AccessOpen
	case *fm.IsOpen == 0:
		access = AccessAccount
	case *fm.IsOpen == -1:
		access = AccessRestricted
	default:
		l.report(p, SeverityError, slug, errorAt(doc.lines["is_open"], "unknown is_open value %d: expected 1 (open), 0 (account) or -1 (restricted)", *fm.IsOpen))
		return nil, doc, false
	}
	description := strings.TrimSpace(doc.body)
	if intro := strings.TrimSpace(fm.ContentIntro); intro != "" {
		description = intro + "\n\n" + description
	}
	stats := fm.StatsLink
	if stats == "" {
		stats = fm.Stat.Link
	}
	e := &Entry{
		Title:         fm.Title,
		Tagline:       strings.TrimSpace(fm.Tagline),
		Description:   description,
		Producer:      ProducerRef{Slug: strings.TrimSpace(fm.Producer)},
		Partners:      fm.Partners,
		Themes:        fm.Themes,
		Keywords:      fm.Keywords,
		Access:        access,
		FranceConnect: fm.FranceConnected == 1,
		Links: Links{
			DocTech:     fm.DocTechLink,
			DocExternal: fm.DocTechExternal,
			Access:      fm.accessLink(),
			Contact:     fm.ContactLink,
			Site:        fm.ExternalSite,
			Monitoring:  fm.MonitoringLink,
			Stats:       stats,
		},
		RateLimit:  strings.TrimSpace(fm.RateLimit),
		Uptime:     fm.Uptime,
		LastUpdate: fm.LastUpdate,
		Visits:     fm.Visits,
	}
	return e, doc, true
}

func (l *loader) apigouvProducer(p string) (*Producer, bool) {
	doc, ok := l.read(p, "", apigouvProducerFields)
	var fm struct {
		Name    string `yaml:"name"`
		Acronym string `yaml:"acronym"`
		Type    string `yaml:"type"`
		Site    string `yaml:"site"`
	}
	if !ok || !l.decode(p, "", doc, &fm) || !l.cleanLinks(p, "", doc, apiGouvSite, []linkField{{"site", []any{"site"}, &fm.Site}}) {
		return nil, false
	}
	return &Producer{Name: strings.TrimSpace(fm.Name), Acronym: strings.TrimSpace(fm.Acronym), Type: strings.TrimSpace(fm.Type), Site: fm.Site}, true
}

// loadServiceFile reads a reusing service, which names the APIs it uses by their titles, and
// adds it to those entries.
func (l *loader) loadServiceFile(p string) {
	doc, ok := l.read(p, "", apigouvServiceFields)
	var fm struct {
		Title       string   `yaml:"title"`
		Link        string   `yaml:"link"`
		Description string   `yaml:"description"`
		APIs        []string `yaml:"api"`
	}
	if !ok || !l.decode(p, "", doc, &fm) || !l.cleanLinks(p, "", doc, apiGouvSite, []linkField{{"link", []any{"link"}, &fm.Link}}) {
		return
	}
	if strings.TrimSpace(fm.Title) == "" {
		l.report(p, SeverityError, "", errorAt(doc.lines["title"], "service has no title"))
		return
	}
	byTitle := make(map[string]*Entry, len(l.entries))
	for _, e := range l.entries {
		byTitle[Fold(e.Title)] = e
	}
	svc := Service{Name: strings.TrimSpace(fm.Title), URL: fm.Link, Description: strings.TrimSpace(fm.Description)}
	for _, title := range fm.APIs {
		e := byTitle[Fold(title)]
		if e == nil {
			l.report(p, SeverityWarning, "", errorAt(doc.lines["api"], "service names API %s, which is not in the catalogue", quote(title)))
			continue
		}
		e.Services = append(e.Services, svc)
	}
}
