// SPDX-License-Identifier: Apache-2.0

// Package jsonc reads the JSON that real connector files contain: a UTF-8
// byte order mark, Latin-1 text, comments, trailing commas and duplicate
// keys are accepted, each with a warning, and turned into standard JSON.
// Errors name the file, line and column.
package jsonc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tailscale/hujson"

	"github.com/junction-run/junction/connector"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// Standardize returns data as standard JSON (UTF-8, no comments, no trailing
// commas, for a duplicate key only its last member) and a warning for each
// thing it repaired. file names the source in warnings and errors. A
// document that cannot be repaired returns a *connector.SyntaxError.
func Standardize(data []byte, file string) ([]byte, []connector.Warning, error) {
	var warns []connector.Warning
	warn := func(line, col int, format string, args ...any) {
		warns = append(warns, connector.Warning{File: file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
	}
	if bytes.HasPrefix(data, bom) {
		data = data[len(bom):]
		warn(0, 0, "file starts with a UTF-8 byte order mark")
	}
	if !utf8.Valid(data) {
		line, col := position(data, invalidUTF8Offset(data))
		warn(line, col, "file is not valid UTF-8; read as Latin-1")
		data = latin1ToUTF8(data)
	}
	if json.Valid(data) && !hasDuplicateKeys(data) {
		return data, warns, nil // the common case: nothing to repair
	}
	if fixed, off := escapeControls(data); off >= 0 {
		line, col := position(data, off)
		warn(line, col, "string contains a raw control character, which JSON does not allow")
		data = fixed
	}
	v, err := hujson.Parse(data)
	// A member or element followed, after a line break, by the next one
	// without a comma is a common hand-editing slip: add the comma and go on.
	for tries := 0; err != nil && tries < maxRepairs; tries++ {
		off, ok := missingComma(data, err)
		if !ok {
			break
		}
		line, col := position(data, off)
		warn(line, col, "missing comma before this line; added")
		data = append(data[:off:off], append([]byte{','}, data[off:]...)...)
		v, err = hujson.Parse(data)
	}
	if err != nil {
		return nil, warns, syntaxError(data, file, err)
	}
	if !v.IsStandard() {
		if hasComment(v) {
			line, col := firstComment(data, v)
			warn(line, col, "file contains comments, which JSON does not allow")
		}
		if off := trailingComma(&v); off >= 0 {
			line, col := position(data, off)
			warn(line, col, "file contains a trailing comma, which JSON does not allow")
		}
	}
	dedupe(&v, data, "", warn)
	v.Standardize()
	return v.Pack(), warns, nil
}

// hasComment reports whether any whitespace around values holds a comment.
func hasComment(v hujson.Value) bool {
	found := false
	v.Range(func(v *hujson.Value) bool {
		if containsComment(v.BeforeExtra) || containsComment(v.AfterExtra) {
			found = true
			return false
		}
		switch t := v.Value.(type) {
		case *hujson.Object:
			if containsComment(t.AfterExtra) {
				found = true
			}
		case *hujson.Array:
			if containsComment(t.AfterExtra) {
				found = true
			}
		}
		return !found
	})
	return found
}

func containsComment(e hujson.Extra) bool {
	return bytes.Contains(e, []byte("//")) || bytes.Contains(e, []byte("/*"))
}

// firstComment locates the first comment outside strings.
func firstComment(data []byte, _ hujson.Value) (int, int) {
	inString, escaped := false, false
	for i := 0; i < len(data)-1; i++ {
		c := data[i]
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == '/' && (data[i+1] == '/' || data[i+1] == '*'):
			return position(data, i)
		}
	}
	return 0, 0
}

// trailingComma returns the offset of the value followed by a trailing comma
// in the first object or array that has one, or -1.
func trailingComma(v *hujson.Value) int {
	off := -1
	v.Range(func(v *hujson.Value) bool {
		switch t := v.Value.(type) {
		case *hujson.Object:
			if n := len(t.Members); n > 0 && t.Members[n-1].Value.AfterExtra != nil {
				off = t.Members[n-1].Value.EndOffset
			}
		case *hujson.Array:
			if n := len(t.Elements); n > 0 && t.Elements[n-1].AfterExtra != nil {
				off = t.Elements[n-1].EndOffset
			}
		}
		return off < 0
	})
	return off
}

// dedupe removes all but the last member of each duplicated key.
func dedupe(v *hujson.Value, data []byte, ptr string, warn func(line, col int, format string, args ...any)) {
	switch t := v.Value.(type) {
	case *hujson.Object:
		last := make(map[string]int, len(t.Members))
		names := make([]string, len(t.Members))
		for i := range t.Members {
			names[i] = memberName(t.Members[i].Name)
			last[names[i]] = i
		}
		if len(last) != len(t.Members) {
			kept := t.Members[:0:0]
			for i, m := range t.Members {
				if last[names[i]] != i {
					line, col := position(data, m.Name.StartOffset)
					warn(line, col, "duplicate key %q at %s; the last one wins", names[i], ptr+"/"+escapePointer(names[i]))
					continue
				}
				kept = append(kept, m)
			}
			t.Members = kept
		}
		for i := range t.Members {
			dedupe(&t.Members[i].Value, data, ptr+"/"+escapePointer(memberName(t.Members[i].Name)), warn)
		}
	case *hujson.Array:
		for i := range t.Elements {
			dedupe(&t.Elements[i], data, ptr+"/"+strconv.Itoa(i), warn)
		}
	}
}

func memberName(v hujson.Value) string {
	if lit, ok := v.Value.(hujson.Literal); ok {
		return lit.String()
	}
	return ""
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// maxRepairs bounds the missing-comma repairs of one document.
const maxRepairs = 50

var missingCommaRE = regexp.MustCompile(`^line (\d+), column (\d+): invalid character .* after (object value|array value|array element)`)

// missingComma returns where to insert a comma to fix err: the end of the
// previous value, when the offending token starts a new line.
func missingComma(data []byte, err error) (int, bool) {
	m := missingCommaRE.FindStringSubmatch(strings.TrimPrefix(err.Error(), "hujson: "))
	if m == nil {
		return 0, false
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	off := offset(data, line, col)
	i := off - 1
	for i >= 0 && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i--
	}
	if i < 0 || !bytes.ContainsRune(data[i+1:off], '\n') {
		return 0, false
	}
	return i + 1, true
}

// offset is the byte offset of a 1-based line and byte column.
func offset(data []byte, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		n := bytes.IndexByte(data[off:], '\n')
		if n < 0 {
			return len(data)
		}
		off += n + 1
	}
	return min(off+col-1, len(data))
}

// escapeControls escapes raw control characters inside strings and returns
// the new data and the offset of the first one, or -1 when there is none.
func escapeControls(data []byte) ([]byte, int) {
	first := -1
	var out []byte
	inString, escaped := false, false
	for i, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString && c < 0x20:
			if first < 0 {
				first = i
				out = append(make([]byte, 0, len(data)+16), data[:i]...)
			}
			out = fmt.Appendf(out, "\\u%04x", c)
			continue
		}
		if first >= 0 {
			out = append(out, c)
		}
	}
	if first < 0 {
		return data, -1
	}
	return out, first
}

var lineColRE = regexp.MustCompile(`^line (\d+), column (\d+): `)

// syntaxError turns a hujson error into a SyntaxError with line and column.
func syntaxError(data []byte, file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "hujson: ")
	line, col := position(data, len(data))
	if m := lineColRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		col, _ = strconv.Atoi(m[2])
		msg = msg[len(m[0]):]
	}
	return &connector.SyntaxError{File: file, Line: line, Column: col, Msg: "invalid JSON: " + msg}
}

// Position returns the 1-based line and column (in characters) of a byte
// offset in data.
func Position(data []byte, off int) (line, col int) { return position(data, off) }

func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	col = 1 + utf8.RuneCount(data[start:off])
	return line, col
}

func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return 0
}

func latin1ToUTF8(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/8)
	for _, b := range data {
		out = utf8.AppendRune(out, rune(b))
	}
	return out
}

// hasDuplicateKeys reports whether any object in valid JSON data repeats a
// key. Keys are compared as written (escapes are not decoded), which finds
// every duplicate real files contain.
func hasDuplicateKeys(data []byte) bool {
	type frame struct {
		keys      map[string]struct{}
		expectKey bool
	}
	var stack []frame
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{':
			stack = append(stack, frame{keys: map[string]struct{}{}, expectKey: true})
		case '[':
			stack = append(stack, frame{})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			if n := len(stack); n > 0 && stack[n-1].keys != nil {
				stack[n-1].expectKey = true
			}
		case '"':
			j := i + 1
			for ; j < len(data) && data[j] != '"'; j++ {
				if data[j] == '\\' {
					j++
				}
			}
			if n := len(stack); n > 0 && stack[n-1].expectKey {
				k := string(data[i+1 : j])
				if _, dup := stack[n-1].keys[k]; dup {
					return true
				}
				stack[n-1].keys[k] = struct{}{}
				stack[n-1].expectKey = false
			}
			i = j
		}
	}
	return false
}
