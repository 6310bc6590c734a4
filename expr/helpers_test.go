// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"encoding/base64"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
)

// decodeJSON decodes JSON test data into values.
func decodeJSON(tb testing.TB, s string) any {
	tb.Helper()
	v, err := Decode([]byte(s))
	if err != nil {
		tb.Fatalf("bad JSON %q: %v", s, err)
	}
	return v
}

func readCorpus(tb testing.TB, name string) []any {
	tb.Helper()
	data, err := os.ReadFile("/work/shared/corpus/wdl/" + name)
	if err != nil {
		tb.Skipf("corpus not available: %v", err)
	}
	v, err := Decode(data)
	if err != nil {
		tb.Fatal(err)
	}
	return v.([]any)
}

var spaceBetweenTags = regexp.MustCompile(`>\s+<`)

func normXML(s string) string {
	return strings.TrimSpace(spaceBetweenTags.ReplaceAllString(s, "><"))
}

// sameValue compares a result with an expected JSON value the way the
// corpus README says: numbers by value, objects ignoring key order, XML
// content as text ignoring whitespace between tags, binary content as its
// text or its base64.
func sameValue(got, want any) bool {
	switch g := got.(type) {
	case []byte:
		w, ok := want.(string)
		return ok && (string(g) == w || base64.StdEncoding.EncodeToString(g) == w)
	case *Object:
		if b, ok := contentBytes(g); ok {
			if w, ok := want.(string); ok {
				return normXML(string(b)) == normXML(w) || string(b) == w
			}
		}
		w, ok := want.(*Object)
		if !ok || g.Len() != w.Len() {
			return false
		}
		for _, k := range g.Keys() {
			gv, _ := g.Get(k)
			wv, ok := w.Get(k)
			if !ok || !sameValue(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		w, ok := want.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range g {
			if !sameValue(g[i], w[i]) {
				return false
			}
		}
		return true
	case int64, float64, Decimal:
		if kindOf(want) == notNum {
			return false
		}
		a, b := toFloat(got), toFloat(want)
		return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
	case string:
		w, ok := want.(string)
		return ok && (g == w || strings.HasPrefix(g, "<") && normXML(g) == normXML(w))
	}
	return Equal(got, want) && TypeName(got) == TypeName(want)
}

func jsonText(v any) string { return string(AppendJSON(nil, v)) }
