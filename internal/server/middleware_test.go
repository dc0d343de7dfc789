package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"apisearch/index"
)

// TestOneGenerationPerRequest switches the served generation after the chain of a public
// request has taken the index once, twice or three times: the request's ETag and its answer,
// fresh or from the answer cache, must still come from one generation.
func TestOneGenerationPerRequest(t *testing.T) {
	first, err := index.Build(context.Background(), testCatalog(t), index.Config{})
	if err != nil {
		t.Fatal(err)
	}
	live := index.NewLive(first)
	defer live.Close()
	old, releaseOld := live.Acquire() // keeps generation 1 open once generation 2 is served
	defer releaseOld()
	changed := catalogFromFiles(t, map[string]string{
		"producers/dinum.yaml":  "name: DINUM\ntype: Ministère\n",
		"apis/api-adresse.yaml": "title: API Adresse nouvelle\naccess: open\nproducer: dinum\n",
	})
	if _, err := live.Apply(context.Background(), changed); err != nil {
		t.Fatal(err)
	}
	for _, switchAfter := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("switched after %d", switchAfter), func(t *testing.T) {
			taken := 0
			h := newHandler(t, Config{}, func() (*index.Index, func()) {
				taken++
				if taken <= switchAfter {
					return old, func() {}
				}
				return live.Acquire()
			})
			// The first request is answered fresh; the second from the cache, unless the
			// generation changed in between.
			for _, answered := range []string{"fresh", "from the cache"} {
				rec := do(h, "GET", "/search?q=adresse", nil)
				var res struct{ Generation uint64 }
				if err := json.Unmarshal(rec.Body.Bytes(), &res); rec.Code != 200 || err != nil {
					t.Fatalf("%s: %d %v %s", answered, rec.Code, err, rec.Body)
				}
				etag := rec.Header().Get("ETag")
				if want := fmt.Sprintf(`W/"%d-`, res.Generation); !strings.HasPrefix(etag, want) {
					t.Errorf("answered %s: ETag %s, but the answer is of generation %d", answered, etag, res.Generation)
				}
			}
		})
	}
}
