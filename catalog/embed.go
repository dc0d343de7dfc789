package catalog

import (
	"embed"
	"io/fs"
)

//go:embed apis producers
var defaultFiles embed.FS

// Default returns the project's default catalogue, embedded in the binary.
func Default() fs.FS { return defaultFiles }
