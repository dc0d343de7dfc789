package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest catalogue file read; a larger one is reported and skipped.
const MaxFileSize = 1 << 20

// fileError is a fatal problem with one file, at a line when one is known.
type fileError struct {
	line int
	msg  string
}

func (e *fileError) Error() string { return e.msg }

func errorAt(line int, format string, args ...any) *fileError {
	return &fileError{line: line, msg: fmt.Sprintf(format, args...)}
}

// IsEntryFile reports whether a file name can hold a catalogue entry, a producer or a service:
// editors' temporary and backup files, hidden files, READMEs and templates never can.
func IsEntryFile(name string) bool {
	base := path.Base(name)
	lower := strings.ToLower(base)
	switch {
	case base == "" || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "#"),
		strings.HasSuffix(base, "~"),
		base == "4913", // vim's probe file
		strings.Contains(base, "___jb_"),
		strings.HasPrefix(lower, "readme"):
		return false
	}
	switch path.Ext(lower) {
	case ".md", ".yaml", ".yml":
		return true
	}
	return false
}

// maxQuoted is how many characters of a value from a file a message quotes.
const maxQuoted = 80

// quote quotes a value from a file for a message: with Go escapes for the characters that are
// not graphic, so that it can neither forge a line of a report nor reach a terminal, and cut
// after maxQuoted characters, so that a long value does not make a long message.
func quote(s string) string {
	if cut := cutAt(s, maxQuoted); cut < len(s) {
		return strconv.QuoteToGraphic(s[:cut]) + "…"
	}
	return strconv.QuoteToGraphic(s)
}

// cutAt returns the byte offset of s after n characters, or len(s) when it is shorter.
func cutAt(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// slugPattern is what a slug may contain, so that it is safe in a URL path and a file name.
var slugPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// readFile reads a catalogue file and returns its text as UTF-8 with LF line ends, and raw, the
// bytes of the file as read (nil when it could not be read whole). A BOM or CRLF line ends are
// fixed and reported as warnings; anything that prevents reading is an error.
func readFile(fsys fs.FS, name string) (text string, raw []byte, warnings []string, err error) {
	// What was opened is what is checked: the name may have become a FIFO or a folder since
	// the folder was listed (an FS from OpenDir opens without waiting).
	f, err := fsys.Open(name)
	if err != nil {
		return "", nil, nil, fmt.Errorf("cannot read file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", nil, nil, fmt.Errorf("cannot read file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return "", nil, nil, errors.New("not a regular file")
	}
	if info.Size() > MaxFileSize {
		return "", nil, nil, fmt.Errorf("file is %d bytes, over the %d-byte cap", info.Size(), MaxFileSize)
	}
	// The size may have changed since Stat: never read past the cap.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return "", nil, nil, fmt.Errorf("cannot read file: %w", err)
	}
	if len(data) > MaxFileSize {
		return "", nil, nil, fmt.Errorf("file is over the %d-byte cap", MaxFileSize)
	}
	raw = data
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		data = data[3:]
		warnings = append(warnings, "file starts with a byte order mark (BOM); it was ignored, save the file as UTF-8 without BOM")
	}
	if !utf8.Valid(data) {
		line := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			if r == '\n' {
				line++
			}
			i += size
		}
		return "", raw, warnings, errorAt(line, "invalid UTF-8 (save the file as UTF-8)")
	}
	if bytes.Contains(data, []byte("\r\n")) {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		warnings = append(warnings, "file has CRLF (Windows) line ends; they were read as LF")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", raw, warnings, errors.New("file contains a NUL byte: it is not a text file")
	}
	return Normalize(string(data)), raw, warnings, nil
}

// Normalize gives a text the form in which catalogue files and queries are compared: accents
// written as a letter and a combining mark (as macOS and PDFs give them) composed with their
// letter (NFC), fullwidth letters, digits and signs as their ASCII forms, and Latin ligatures
// (ﬁ, ﬂ…) spelt out. Other compatibility forms (m², ℹ) stay as written.
func Normalize(s string) string {
	s = norm.NFC.String(s)
	if !strings.ContainsFunc(s, isWideOrLigature) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\u3000':
			b.WriteByte(' ')
		case r >= '！' && r <= '～':
			b.WriteRune(r - '！' + '!')
		case r >= 'ﬀ' && r <= 'ﬆ':
			b.WriteString(norm.NFKC.String(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	// A combining mark after a fullwidth letter composes only with its ASCII form.
	return norm.NFC.String(b.String())
}

// isWideOrLigature reports whether Normalize spells r otherwise: a fullwidth form or a Latin
// ligature.
func isWideOrLigature(r rune) bool {
	return r == '\u3000' || r >= '！' && r <= '～' || r >= 'ﬀ' && r <= 'ﬆ'
}

// splitFrontMatter splits a Markdown file into its YAML front matter, which starts on the file's
// second line, and its body.
func splitFrontMatter(text string) (front, body string, err error) {
	if !strings.HasPrefix(text, "---\n") && text != "---" {
		return "", "", errorAt(1, "no front matter: the file must start with a line \"---\"")
	}
	lines := strings.SplitAfter(text, "\n")
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t\n") == "---" {
			return strings.Join(lines[1:i], ""), strings.Join(lines[i+1:], ""), nil
		}
	}
	return "", "", errorAt(1, "front matter is not closed: no line \"---\" after the opening one")
}

// decodeYAML parses a YAML document into a node, so that callers can see its keys and their
// lines. firstLine is the file's line of the text's first line: node lines and errors are the
// file's.
func decodeYAML(text string, firstLine int) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, syntaxError(err, text, firstLine)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, errorAt(0, "empty document: no fields")
	}
	if aliasValues(&doc, maxYAMLValues) > maxYAMLValues {
		return nil, errorAt(0, "YAML aliases expand to more than %d values (alias bomb?)", maxYAMLValues)
	}
	shiftLines(&doc, firstLine-1)
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, errorAt(0, "empty document: no fields")
	}
	if root.Kind != yaml.MappingNode {
		// yaml.v3 may place a value on the line after the last one ("---" alone).
		line := min(root.Line, lineCount(text)+firstLine-1)
		return nil, errorAt(line, "expected fields (key: value), found a %s", kindName(root.Kind))
	}
	return root, nil
}

// lineCount is the number of lines of text as yaml.v3 counts them: its line breaks (CR, LF, NEL,
// LS or PS) plus one.
func lineCount(text string) int {
	n := 1
	for _, r := range text {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}

// lastLine is the number of the last line of text with something other than spaces on it, lines
// counted as yaml.v3 counts them; 1 for a blank text.
func lastLine(text string) int {
	line, last := 1, 1
	for _, r := range text {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			line++
		case ' ', '\t':
		default:
			last = line
		}
	}
	return last
}

// shiftLines adds by to the line of every node written in the document.
func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// lineInMessage finds the "line N: " that starts yaml.v3's messages when it knows a line.
var lineInMessage = regexp.MustCompile(`^line (\d+): `)

// yamlLine splits a yaml.v3 message into its line, 0 when it gives none, and its problem.
func yamlLine(msg string) (int, string) {
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := lineInMessage.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	line, _ := strconv.Atoi(m[1])
	return line, msg[len(m[0]):]
}

// parserProblems are the messages of yaml.v3's parser. It names the line of a mark counted from
// 0, where its scanner adds 1; and it leaves the line out when the mark is on the first line.
var parserProblems = set("did not find expected <stream-start>", "did not find expected <document start>",
	"did not find expected node content", "did not find expected key", "did not find expected '-' indicator",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "found duplicate %YAML directive",
	"found incompatible YAML document", "found duplicate %TAG directive", "found undefined tag handle")

// flowProblems are the parser's messages about an unclosed "[" or "{".
var flowProblems = set("did not find expected ',' or ']'", "did not find expected ',' or '}'")

// syntaxError turns the error of yaml.v3's parser into a fileError at the file's line, for a text
// whose first line is the file's line firstLine.
//
// yaml.v3 names the line where the faulty construct starts when it knows it and that is not the
// text's first line, else the line where it found the problem; for a parser error that line is
// counted from 0.
func syntaxError(err error, text string, firstLine int) *fileError {
	line, problem := yamlLine(err.Error())
	switch {
	case flowProblems[problem]:
		// An unclosed bracket is best shown where it opens, on the text's first line too.
		line = openingLine(text, problem, line+1)
	case parserProblems[problem]:
		line++
	case line == 0 && !strings.HasPrefix(problem, "unknown anchor"):
		// Both of the scanner's marks were on the first line.
		line = 1
	}
	if line > 0 {
		// A problem found at the end of the text is named on the line after it, or on blank
		// lines: the last line with something on it is the one to look at.
		line = min(line, lastLine(text)) + firstLine - 1
	}
	return errorAt(line, "invalid YAML: %s", problem)
}

// openingLine is the line of text where the unclosed collection of a flow problem opens, or
// otherwise when it cannot tell. Parsed after a blank line, the collection never opens on the
// first line and yaml.v3 names the line it opens on (counted from 0 in the longer text, so from
// 1 in text).
func openingLine(text, problem string, otherwise int) int {
	var doc yaml.Node
	err := yaml.Unmarshal([]byte("\n"+text), &doc)
	if err == nil {
		return otherwise
	}
	if line, again := yamlLine(err.Error()); again == problem && line > 0 {
		return line
	}
	return otherwise
}

// yamlError turns a yaml.v3 error from decoding a node into a fileError with its line.
func yamlError(err error) *fileError {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line, problem := yamlLine(msg)
	return errorAt(line, "invalid YAML: %s", problem)
}

// maxYAMLValues bounds the values that a catalogue file's aliases may add once followed, so that
// a few lines of aliases (an "alias bomb") cannot take the memory and time of the loader. The
// values written in the file need no bound: the size cap bounds them.
const maxYAMLValues = 10000

// aliasValues counts the values that the aliases of a document add once followed, stopping past
// limit. Each anchored value's size is computed once, so that the count costs a walk of the
// document whatever the aliases multiply to; an alias inside the value it names never ends and
// counts as over the limit.
func aliasValues(doc *yaml.Node, limit int) int {
	const inProgress = -1
	sizes := make(map[*yaml.Node]int) // expanded size of each anchored value
	// expanded is the number of values n stands for once its aliases are followed, up to limit+1.
	var expanded func(n *yaml.Node) int
	expanded = func(n *yaml.Node) int {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if size, seen := sizes[n]; seen {
			if size == inProgress {
				return limit + 1
			}
			return size
		}
		if n.Anchor != "" {
			sizes[n] = inProgress
		}
		size := 1
		for _, c := range n.Content {
			if size += expanded(c); size > limit {
				size = limit + 1
				break
			}
		}
		if n.Anchor != "" {
			sizes[n] = size
		}
		return size
	}
	added := 0
	// walk visits the values written in the file, and adds what each alias stands for.
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			added = min(added+expanded(n.Alias), limit+1)
			return
		}
		for _, c := range n.Content {
			if added > limit {
				return
			}
			walk(c)
		}
	}
	walk(doc)
	return added
}

// maxFieldKeys bounds the keys of a mapping inside a field (links, a service): catalogue fields
// hold a few, and yaml.v3 compares every key of a mapping with every other when decoding it.
const maxFieldKeys = 100

// largeMapping finds, in the values of a document's fields, a mapping written with more than
// maxFieldKeys keys. Mappings reached through aliases are bounded by maxYAMLValues.
func largeMapping(root *yaml.Node) *fileError {
	var walk func(n *yaml.Node) *fileError
	walk = func(n *yaml.Node) *fileError {
		if n.Kind == yaml.MappingNode && len(n.Content)/2 > maxFieldKeys {
			return errorAt(n.Line, "a mapping of %d keys: a field holds at most %d", len(n.Content)/2, maxFieldKeys)
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 1; i < len(root.Content); i += 2 {
		if err := walk(root.Content[i]); err != nil {
			return err
		}
	}
	return nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	case yaml.AliasNode:
		return "alias"
	case yaml.MappingNode:
		return "mapping"
	}
	return "document"
}

// maxNearMissKeys bounds the unknown keys of a file that are compared with the known ones: a
// typo is one key or two, and comparing the thousands of keys of a hostile file would cost time.
const maxNearMissKeys = 50

// fields checks the keys of a mapping node against the known ones. A key that is one or two
// letters away from exactly one known, absent key is read as that key (the real catalogue has
// "extrenal_site" and "visit_2019"); other unknown keys are ignored. Both are reported. It
// returns the line of every known key, for messages about values, and an error for a key given
// twice.
//
// Unknown keys are removed from the node: yaml.v3 compares every key of a mapping with every
// other when decoding it, which would make a file of many unknown keys cost the square of their
// number.
func fields(root *yaml.Node, known map[string]bool) (lines map[string]int, warnings []*fileError, err *fileError) {
	first := make(map[string]int, len(root.Content)/2)
	for i := 0; i+1 < len(root.Content); i += 2 {
		key := root.Content[i]
		if key.Kind != yaml.ScalarNode {
			continue
		}
		if line, dup := first[key.Value]; dup {
			return nil, nil, errorAt(key.Line, "invalid YAML: mapping key %s already defined at line %d", quote(key.Value), line)
		}
		first[key.Value] = key.Line
	}
	lines = make(map[string]int)
	kept := root.Content[:0]
	examined := 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		// "<<: *defaults" is YAML's own, not a field: yaml.v3 merges the mapping in.
		if key.Kind != yaml.ScalarNode || !known[key.Value] && key.ShortTag() != "!!merge" {
			near, ok := "", false
			if examined < maxNearMissKeys && key.Kind == yaml.ScalarNode {
				examined++
				near, ok = nearKey(key.Value, known, first)
			}
			if !ok {
				warnings = append(warnings, errorAt(key.Line, "unknown field %s ignored", quote(key.Value)))
				continue
			}
			warnings = append(warnings, errorAt(key.Line, "unknown field %s read as %q (typo?)", quote(key.Value), near))
			key.Value = near
			first[near] = key.Line
		}
		lines[key.Value] = key.Line
		kept = append(kept, key, value)
	}
	clear(root.Content[len(kept):])
	root.Content = kept
	return lines, warnings, nil
}

// nearKey returns the one known key absent from the file's keys that key is at most two edits
// away from.
func nearKey(key string, known map[string]bool, keys map[string]int) (string, bool) {
	// Known keys are ASCII: a key more than two characters longer or shorter is never near, and
	// is not compared, so that a long key costs no more than reading it.
	n := utf8.RuneCountInString(key)
	near, found := "", 0
	for k := range known {
		if _, present := keys[k]; present || n < len(k)-2 || n > len(k)+2 {
			continue
		}
		if EditDistance(k, key) <= 2 {
			near = k
			found++
		}
	}
	return near, found == 1
}

// shortWord is the length up to which EditDistance works in arrays on the stack.
const shortWord = 32

// EditDistance is the Levenshtein distance, with a transposition counted as one edit. It does
// not allocate for words of up to 32 characters, such as field names.
func EditDistance(a, b string) int {
	var abuf, bbuf [shortWord]rune
	ra, rb := abuf[:0], bbuf[:0]
	for _, r := range a {
		ra = append(ra, r)
	}
	for _, r := range b {
		rb = append(rb, r)
	}
	var rows [3][shortWord + 1]int
	var prev2, prev, cur []int
	if len(rb) <= shortWord {
		prev2, prev, cur = rows[0][:len(rb)+1], rows[1][:len(rb)+1], rows[2][:len(rb)+1]
	} else {
		prev2, prev, cur = make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
