package server

import (
	"apisearch/index"

	"github.com/gin-gonic/gin"
)

// readiness is /readyz's answer for the served index: its generation and the version of the
// catalogue it was built from, so that ops can see replicas converge after a change.
func readiness(ix *index.Index) gin.H {
	c := ix.Catalog()
	body := gin.H{"status": "ready", "generation": ix.Generation(), "catalog_version": c.Version}
	if c.Commit != "" {
		body["catalog_commit"] = c.Commit
	}
	return body
}
