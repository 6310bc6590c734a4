// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/junction-run/junction/expr/internal/dotnet"
	"github.com/junction-run/junction/expr/internal/xmlconv"
)

func init() {
	str := func(name string, min, max int, sig, doc string, fn impl, ex ...Example) {
		register(FuncSpec{Name: name, Category: "string", MinArgs: min, MaxArgs: max, Signature: sig, Doc: doc, Examples: ex}, fn)
	}
	str("concat", 1, -1, "concat(text1, text2, ...)", "Combines two or more strings; other values are converted to strings.", fnConcat,
		Example{Expr: "concat('Hello', 'World')", Want: `"HelloWorld"`},
		Example{Expr: "concat('n=', 1, null, true)", Want: `"n=1True"`})
	str("endsWith", 2, 2, "endsWith(text, searchText)", "Checks whether a string ends with a substring (case-insensitive).", fnEndsWith,
		Example{Expr: "endsWith('hello world', 'WORLD')", Want: "true"})
	str("startsWith", 2, 2, "startsWith(text, searchText)", "Checks whether a string starts with a substring (case-insensitive).", fnStartsWith,
		Example{Expr: "startsWith('hello world', 'Hello')", Want: "true"})
	str("formatNumber", 2, 3, "formatNumber(number, format, locale?)", "Formats a number with a .NET numeric format string in a culture (default en-US).", fnFormatNumber,
		Example{Expr: "formatNumber(1234567890, '#,##0.00', 'en-US')", Want: `"1,234,567,890.00"`})
	register(FuncSpec{Name: "guid", Category: "string", MaxArgs: 1, Impure: true, Signature: "guid(format?)", Doc: "Returns a new GUID; format is N, D (default), B, P or X."}, fnGUID)
	str("indexOf", 2, 2, "indexOf(text, searchText)", "Returns the position of a substring (case-insensitive), or -1.", fnIndexOf,
		Example{Expr: "indexOf('hello world', 'World')", Want: "6"})
	str("lastIndexOf", 2, 2, "lastIndexOf(text, searchText)", "Returns the position of the last occurrence of a substring (case-insensitive), or -1.", fnLastIndexOf,
		Example{Expr: "lastIndexOf('hello world hello world', 'world')", Want: "18"})
	str("nthIndexOf", 3, 3, "nthIndexOf(text, searchText, occurrence)", "Returns the position of the nth occurrence of a substring (negative n counts from the end), or -1.", fnNthIndexOf,
		Example{Expr: "nthIndexOf('123456789123465789', '1', 2)", Want: "9"})
	str("replace", 3, 3, "replace(text, oldText, newText)", "Replaces every occurrence of a substring (case-sensitive).", fnReplace,
		Example{Expr: "replace('the old string', 'old', 'new')", Want: `"the new string"`})
	str("slice", 2, 3, "slice(text, startIndex, endIndex?)", "Returns a substring by start and end position; negative positions count from the end.", fnSlice,
		Example{Expr: "slice('Hello World', 3, -1)", Want: `"lo Worl"`})
	str("split", 2, 2, "split(text, delimiter)", "Splits a string at each occurrence of the delimiter.", fnSplit,
		Example{Expr: "split('a_b_c', '_')", Want: `["a","b","c"]`})
	str("substring", 2, 3, "substring(text, startIndex, length?)", "Returns characters from a string starting at a position.", fnSubstring,
		Example{Expr: "substring('hello world', 6, 5)", Want: `"world"`},
		Example{Expr: "substring('hello', 3, 5)", Err: "out of range"})
	str("toLower", 1, 1, "toLower(text)", "Returns a string in lowercase.", fnToLower,
		Example{Expr: "toLower('Hello')", Want: `"hello"`})
	str("toUpper", 1, 1, "toUpper(text)", "Returns a string in uppercase.", fnToUpper,
		Example{Expr: "toUpper('Hello')", Want: `"HELLO"`})
	str("trim", 1, 1, "trim(text)", "Removes leading and trailing white space.", fnTrim,
		Example{Expr: "trim(' Hello World  ')", Want: `"Hello World"`})
	str("utf8Length", 1, 1, "utf8Length(text)", "Returns the length of a string in UTF-8 bytes.", fnUTF8Length,
		Example{Expr: "utf8Length('é')", Want: "2"})
	str("utf16Length", 1, 1, "utf16Length(text)", "Returns the length of a string in UTF-16 code units.", fnUTF16Length,
		Example{Expr: "utf16Length('a😀')", Want: "3"})
	str("trimByteOrderMark", 1, 1, "trimByteOrderMark(value)", "Removes a leading byte order mark from a string or binary content.", fnTrimBOM,
		Example{Expr: "trimByteOrderMark(concat(decodeUriComponent('%EF%BB%BF'), 'x'))", Want: `"x"`})
	str("encodeXmlName", 1, 1, "encodeXmlName(text)", "Escapes characters that are not valid in an XML name as _xHHHH_.", fnXMLName(xmlconv.EncodeXMLName))
	str("decodeXmlName", 1, 1, "decodeXmlName(text)", "Reverses encodeXmlName.", fnXMLName(xmlconv.DecodeXMLName))
	str("encodeXmlValue", 1, 1, "encodeXmlValue(text)", "Escapes &, <, >, \" and ' as XML entities.", fnXMLName(xmlconv.EncodeXMLValue))
	str("decodeXmlValue", 1, 1, "decodeXmlValue(text)", "Replaces XML entities with their characters.", fnXMLName(xmlconv.DecodeXMLValue))
}

func fnConcat(s *state, args []any) (any, error) {
	if len(args) == 2 {
		a, ok1 := args[0].(string)
		b, ok2 := args[1].(string)
		if ok1 && ok2 {
			return a + b, nil
		}
	}
	n := 0
	for _, a := range args {
		if v, ok := a.(string); ok {
			n += len(v)
		} else {
			n += 8
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, a := range args {
		if v, ok := a.(string); ok {
			b.WriteString(v)
		} else {
			b.WriteString(Stringify(a))
		}
	}
	if b.Len() > 104857600 {
		return nil, s.errorf("The template language function 'concat' result exceeds the maximum length of 104857600 characters.")
	}
	return b.String(), nil
}

func twoStrings(s *state, args []any) (string, string, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return "", "", err
	}
	b, err := s.strOrNull(args, 1)
	return a, b, err
}

func fnEndsWith(s *state, args []any) (any, error) {
	a, b, err := twoStrings(s, args)
	if err != nil {
		return nil, err
	}
	return len(a) >= len(b) && strings.EqualFold(a[len(a)-len(b):], b) || hasFold(a, b, false), nil
}

func fnStartsWith(s *state, args []any) (any, error) {
	a, b, err := twoStrings(s, args)
	if err != nil {
		return nil, err
	}
	return len(a) >= len(b) && strings.EqualFold(a[:len(b)], b) || hasFold(a, b, true), nil
}

// hasFold handles non-ASCII prefixes/suffixes whose case variants differ
// in byte length.
func hasFold(a, b string, prefix bool) bool {
	if isASCII(a) && isASCII(b) {
		return false
	}
	fa, fb := foldUnits(a), foldUnits(b)
	if len(fb) > len(fa) {
		return false
	}
	if prefix {
		return equalUnits(fa[:len(fb)], fb)
	}
	return equalUnits(fa[len(fa)-len(fb):], fb)
}

func fnIndexOf(s *state, args []any) (any, error) {
	a, b, err := twoStrings(s, args)
	if err != nil {
		return nil, err
	}
	return int64(indexUnits(foldUnits(a), foldUnits(b), 0)), nil
}

func fnLastIndexOf(s *state, args []any) (any, error) {
	a, b, err := twoStrings(s, args)
	if err != nil {
		return nil, err
	}
	if b == "" {
		// Documented rule: an empty search text gives the last index.
		n := strLen(a)
		if n == 0 {
			return int64(0), nil
		}
		return int64(n - 1), nil
	}
	return int64(lastIndexUnits(foldUnits(a), foldUnits(b))), nil
}

func fnNthIndexOf(s *state, args []any) (any, error) {
	a, b, err := twoStrings(s, args)
	if err != nil {
		return nil, err
	}
	n, err := s.integer(args, 2)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, s.errorf("The template language function 'nthIndexOf' expects its third parameter 'occurrence' to be a non-zero integer.")
	}
	hs, ns := unitsString(foldUnits(a)), unitsString(foldUnits(b))
	units := len(hs) / 2
	if n > int64(units)+1 || -n > int64(units)+1 {
		return int64(-1), nil
	}
	pos := -1
	if n > 0 {
		for i := int64(0); i < n; i++ {
			if pos = indexPacked(hs, ns, pos+1); pos < 0 {
				return int64(-1), nil
			}
		}
		return int64(pos), nil
	}
	end := units
	for i := int64(0); i < -n; i++ {
		if pos = lastIndexPacked(hs, ns, end); pos < 0 {
			return int64(-1), nil
		}
		// The next match must start before this one.
		end = pos + len(ns)/2 - 1
		if end < 0 {
			return int64(-1), nil
		}
	}
	return int64(pos), nil
}

func fnReplace(s *state, args []any) (any, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	old, err := s.strOrNull(args, 1)
	if err != nil {
		return nil, err
	}
	nw, err := s.strOrNull(args, 2)
	if err != nil {
		return nil, err
	}
	if old == "" {
		return nil, s.errorf("The template language function 'replace' expects its second parameter 'oldText' to be a non-empty string.")
	}
	return strings.ReplaceAll(a, old, nw), nil
}

func fnSlice(s *state, args []any) (any, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	n := int64(strLen(a))
	start, err := s.integer(args, 1)
	if err != nil {
		return nil, err
	}
	end := n
	if len(args) > 2 && args[2] != nil {
		if end, err = s.integer(args, 2); err != nil {
			return nil, err
		}
	}
	start, end = clampIndex(start, n), clampIndex(end, n)
	if end <= start {
		return "", nil
	}
	return substr(a, int(start), int(end)), nil
}

// clampIndex resolves a negative index from the end and clamps to [0, n].
func clampIndex(i, n int64) int64 {
	if i < 0 {
		i += n
		if i < 0 {
			i = 0
		}
	}
	if i > n {
		i = n
	}
	return i
}

func fnSplit(s *state, args []any) (any, error) {
	a, sep, err := twoStrings(s, args)
	if err != nil {
		return nil, err
	}
	var parts []string
	if sep == "" {
		parts = []string{a}
	} else {
		parts = strings.Split(a, sep)
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnSubstring(s *state, args []any) (any, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	start, err := s.integer(args, 1)
	if err != nil {
		return nil, err
	}
	n := int64(strLen(a))
	length := n - start
	if len(args) > 2 {
		if length, err = s.integer(args, 2); err != nil {
			return nil, err
		}
	}
	if start < 0 || length < 0 || start > n || length > n-start {
		return nil, s.errorf("The template language function 'substring' parameters are out of range: 'start index' and 'length' must be non-negative integers and their sum must be no larger than the length of the string.")
	}
	return substr(a, int(start), int(start+length)), nil
}

func fnToLower(s *state, args []any) (any, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	return strings.ToLower(a), nil
}

func fnToUpper(s *state, args []any) (any, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	return strings.ToUpper(a), nil
}

func fnTrim(s *state, args []any) (any, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	return strings.TrimFunc(a, unicode.IsSpace), nil
}

func fnUTF8Length(s *state, args []any) (any, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	return int64(len(a)), nil
}

func fnUTF16Length(s *state, args []any) (any, error) {
	a, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	return int64(strLen(a)), nil
}

func fnTrimBOM(s *state, args []any) (any, error) {
	switch v := args[0].(type) {
	case string:
		return strings.TrimPrefix(v, "\uFEFF"), nil
	case []byte:
		if len(v) >= 3 && v[0] == 0xEF && v[1] == 0xBB && v[2] == 0xBF {
			return v[3:], nil
		}
		return v, nil
	case *Object:
		if b, ok := contentBytes(v); ok {
			if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
				b = b[3:]
			}
			return newContent(contentType(v), b), nil
		}
	case nil:
		return nil, nil
	}
	return nil, s.argErr(0, "a string or binary content", args[0])
}

func fnXMLName(f func(string) string) impl {
	return func(s *state, args []any) (any, error) {
		a, err := s.strOrNull(args, 0)
		if err != nil {
			return nil, err
		}
		return f(a), nil
	}
}

func fnFormatNumber(s *state, args []any) (any, error) {
	format, err := s.str(args, 1)
	if err != nil {
		return nil, err
	}
	culture, err := s.optStr(args, 2, "en-US")
	if err != nil {
		return nil, err
	}
	var out string
	switch v := args[0].(type) {
	case int64:
		out, err = dotnet.FormatInt(v, format, culture)
	case float64:
		out, err = dotnet.FormatFloat(v, format, culture)
	case Decimal:
		out, err = dotnet.FormatFloat(toFloat(v), format, culture)
	default:
		return nil, s.argErr(0, "a number", args[0])
	}
	if err != nil {
		return nil, s.errorf("The template language function 'formatNumber' could not format the number with format '%s' and locale '%s': %v.", format, culture, err)
	}
	return out, nil
}

func fnGUID(s *state, args []any) (any, error) {
	format, err := s.optStr(args, 0, "D")
	if err != nil {
		return nil, err
	}
	g := strings.ToLower(s.env.NewGUID())
	if len(g) != 36 || !utf8.ValidString(g) {
		return nil, s.errorf("The template language function 'guid' got an invalid GUID %q from the runtime.", g)
	}
	switch format {
	case "D", "d", "":
		return g, nil
	case "N", "n":
		return strings.ReplaceAll(g, "-", ""), nil
	case "B", "b":
		return "{" + g + "}", nil
	case "P", "p":
		return "(" + g + ")", nil
	case "X", "x":
		h := strings.ReplaceAll(g, "-", "")
		var b strings.Builder
		fmt.Fprintf(&b, "{0x%s,0x%s,0x%s,{", h[0:8], h[8:12], h[12:16])
		for i := 16; i < 32; i += 2 {
			if i > 16 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "0x%s", h[i:i+2])
		}
		b.WriteString("}}")
		return b.String(), nil
	}
	return nil, s.errorf("The template language function 'guid' expects its parameter to be one of the formats 'N', 'D', 'B', 'P' or 'X'. The provided value is '%s'.", format)
}
