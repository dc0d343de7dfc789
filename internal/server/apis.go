package server

import (
	"apisearch/catalog"

	"github.com/gin-gonic/gin"
)

// apiSummary is the short form of an entry, as listed by GET /apis.
type apiSummary struct {
	Slug     string          `json:"slug"`
	Title    string          `json:"title"`
	Tagline  string          `json:"tagline"`
	Producer producerSummary `json:"producer"`
	Themes   []string        `json:"themes"`
	Access   catalog.Access  `json:"access"`
}

type producerSummary struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Acronym string `json:"acronym"`
}

func summarize(e *catalog.Entry) apiSummary {
	return apiSummary{
		Slug:     e.Slug,
		Title:    e.Title,
		Tagline:  e.Tagline,
		Producer: producerSummary{Slug: e.Producer.Slug, Name: e.Producer.Name, Acronym: e.Producer.Acronym},
		Themes:   e.Themes,
		Access:   e.Access,
	}
}

// listAPIs answers GET /apis: every entry, in short form, sorted by slug.
func (s *Server) listAPIs(c *gin.Context, r publicRequest) {
	if _, err := params(c, nil); err != nil {
		abort(c, s.log, err)
		return
	}
	entries := r.ix.Catalog().Entries
	out := make([]apiSummary, len(entries))
	for i, e := range entries {
		out[i] = summarize(e)
	}
	s.writeAnswer(c, r, gin.H{"total": len(out), "apis": out}, nil)
}

// getAPI answers GET /apis/{slug}: one entry in full.
func (s *Server) getAPI(c *gin.Context, r publicRequest) {
	slug := c.Param("slug")
	if _, err := params(c, nil); err != nil {
		abort(c, s.log, err)
		return
	}
	e := r.ix.Catalog().Entry(slug)
	if e == nil {
		abort(c, s.log, errorf(CodeNotFound, "no API with slug %q", slug))
		return
	}
	s.writeAnswer(c, r, e, nil)
}
