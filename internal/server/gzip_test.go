package server

import (
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"encoding/json"
	"io"
	"testing"

	"apisearch/catalog"
	"apisearch/index"

	"github.com/klauspost/compress/gzip"
)

// BenchmarkGzip packs a search's answer as the answer cache does, with the standard library's
// gzip and with klauspost/compress's, at the fastest level: bytes is the packed size.
func BenchmarkGzip(b *testing.B) {
	c, err := catalog.Load(catalog.Default())
	if err != nil {
		b.Fatal(err)
	}
	ix, err := index.Build(context.Background(), c, index.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Search(context.Background(), index.Request{Query: "api donnees", PerPage: 20})
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(res)
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []struct {
		name string
		zw   interface {
			io.WriteCloser
			Reset(io.Writer)
		}
	}{
		{"stdlib", must(stdgzip.NewWriterLevel(nil, stdgzip.BestSpeed))},
		{"klauspost", must(gzip.NewWriterLevel(nil, gzip.BestSpeed))},
	} {
		b.Run(w.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				buf.Reset()
				w.zw.Reset(&buf)
				w.zw.Write(body)
				w.zw.Close()
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
