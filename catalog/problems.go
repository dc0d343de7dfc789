package catalog

import (
	"container/heap"
	"fmt"
	"sort"
)

// MaxFileProblems is how many problems of one file are listed, the most serious first; one more
// problem says how many others the file has. The note that an entry's last good version is still
// served comes on top.
const MaxFileProblems = 20

// MaxProblems is how many problems a catalogue lists, the most serious first, so that a folder of
// a million broken files does not hold a million problems in memory. Catalog.Count counts them
// all.
const MaxProblems = 10000

// severityRank orders severities from the most serious.
func severityRank(s Severity) int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// fileProblems collects the problems of the file being read.
type fileProblems struct {
	kept    []Problem        // at most MaxFileProblems, the most serious first, then in the order reported
	dropped map[Severity]int // problems beyond MaxFileProblems, by severity
	worst   Severity         // the most serious of the dropped problems
	slug    string           // the entry of the dropped problems, when there is one
}

// add keeps a problem of the file, or counts it when more serious ones fill the list.
func (f *fileProblems) add(p Problem) {
	i := sort.Search(len(f.kept), func(i int) bool { return severityRank(f.kept[i].Severity) > severityRank(p.Severity) })
	if i == MaxFileProblems {
		f.drop(p)
		return
	}
	if len(f.kept) == MaxFileProblems {
		f.drop(f.kept[len(f.kept)-1])
		f.kept = f.kept[:len(f.kept)-1]
	}
	f.kept = append(f.kept, Problem{})
	copy(f.kept[i+1:], f.kept[i:])
	f.kept[i] = p
}

// drop counts a problem of the file that is not listed.
func (f *fileProblems) drop(p Problem) {
	if f.dropped == nil {
		f.dropped = make(map[Severity]int)
		f.worst = p.Severity
	}
	if severityRank(p.Severity) < severityRank(f.worst) {
		f.worst = p.Severity
	}
	if f.slug == "" {
		f.slug = p.Slug
	}
	f.dropped[p.Severity]++
}

// flush moves the file's problems to the catalogue's list, with one that says how many were
// dropped, and makes f ready for the next file.
func (f *fileProblems) flush(path string, to *problemList) {
	for _, p := range f.kept {
		to.add(p, false)
	}
	dropped := 0
	for sev, n := range f.dropped {
		to.count(sev, n)
		dropped += n
	}
	if dropped > 0 {
		noun := "problems"
		if dropped == 1 {
			noun = "problem"
		}
		to.add(Problem{Path: path, Severity: f.worst, Slug: f.slug, Message: fmt.Sprintf("… and %d more %s in this file", dropped, noun)}, true)
	}
	*f = fileProblems{kept: f.kept[:0]}
}

// listed is a problem in the catalogue's list.
type listed struct {
	Problem
	seq     int  // order reported, to keep it among problems of the same file and line
	summary bool // says how many problems of its file were dropped, and is not one itself
}

// before tells whether a is more serious than b: it is listed when only one of them can be.
func (a *listed) before(b *listed) bool {
	if ra, rb := severityRank(a.Severity), severityRank(b.Severity); ra != rb {
		return ra < rb
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	return a.seq < b.seq
}

// problemList is the catalogue's problems: the MaxProblems most serious, and counts of all.
type problemList struct {
	kept   listHeap
	counts map[Severity]int
	seq    int
}

// count counts n problems of a severity that are not listed.
func (l *problemList) count(s Severity, n int) {
	if l.counts == nil {
		l.counts = make(map[Severity]int)
	}
	l.counts[s] += n
}

// add counts a problem and lists it when it is among the MaxProblems most serious; a summary of
// a file's dropped problems is listed but not counted.
func (l *problemList) add(p Problem, summary bool) {
	if !summary {
		l.count(p.Severity, 1)
	}
	l.seq++
	item := listed{Problem: p, seq: l.seq, summary: summary}
	switch {
	case len(l.kept) < MaxProblems:
		heap.Push(&l.kept, item)
	case item.before(&l.kept[0]):
		l.kept[0] = item
		heap.Fix(&l.kept, 0)
	}
}

// list returns the listed problems, sorted by path and line with each file's summary last, how
// many problems are not listed, and the counts of all by severity.
func (l *problemList) list() (problems []Problem, omitted int, counts map[Severity]int) {
	sort.Slice(l.kept, func(i, j int) bool {
		a, b := &l.kept[i], &l.kept[j]
		switch {
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.summary != b.summary:
			return b.summary
		case a.Line != b.Line:
			return a.Line < b.Line
		}
		return a.seq < b.seq
	})
	problems = make([]Problem, 0, len(l.kept))
	for _, p := range l.kept {
		problems = append(problems, p.Problem)
		if !p.summary {
			omitted--
		}
	}
	for _, n := range l.counts {
		omitted += n
	}
	return problems, omitted, l.counts
}

// listHeap holds the listed problems with the least serious on top, to be replaced first.
type listHeap []listed

// Len is for heap.Interface.
func (h listHeap) Len() int { return len(h) }

// Less puts the least serious problem on top, for heap.Interface.
func (h listHeap) Less(i, j int) bool { return h[j].before(&h[i]) }

// Swap is for heap.Interface.
func (h listHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push is for heap.Interface.
func (h *listHeap) Push(x any) { *h = append(*h, x.(listed)) }

// Pop is for heap.Interface.
func (h *listHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
