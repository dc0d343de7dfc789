package server

import (
	"embed"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"
)

// web holds the search page and the style sheets of the other pages: plain HTML, CSS and
// JavaScript, no build step, nothing loaded from outside, nothing inline (the content security
// policy allows only the service's own files).
//
//go:embed web/*.html web/*.js web/*.css
var web embed.FS

// staticTypes are the content types of the page's assets.
var staticTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// page answers GET /: the search page.
func (s *Server) page(c *gin.Context) {
	s.serveWeb(c, "index.html", "text/html; charset=utf-8")
}

// static answers GET /static/{file}: the page's script and style sheet.
func (s *Server) static(c *gin.Context) {
	name := path.Base(c.Param("file"))
	typ, ok := staticTypes[path.Ext(name)]
	if !ok || name == "index.html" {
		abort(c, s.log, errorf(CodeNotFound, "no file %s", c.Param("file")))
		return
	}
	s.serveWeb(c, name, typ)
}

func (s *Server) serveWeb(c *gin.Context, name, contentType string) {
	data, err := web.ReadFile("web/" + name)
	if err != nil {
		abort(c, s.log, errorf(CodeNotFound, "no file %s", name))
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, contentType, data)
}
