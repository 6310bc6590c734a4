// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/junction-run/junction/expr/internal/xmlconv"
	"github.com/junction-run/junction/expr/value"
)

func init() {
	conv := func(name string, min, max int, sig, doc string, fn impl, ex ...Example) {
		register(FuncSpec{Name: name, Category: "conversion", MinArgs: min, MaxArgs: max, Signature: sig, Doc: doc, Examples: ex}, fn)
	}
	conv("array", 1, 1, "array(value)", "Returns an array holding the value.", fnArray,
		Example{Expr: "array('hello')", Want: `["hello"]`})
	conv("createArray", 1, -1, "createArray(object1, object2, ...)", "Returns an array of the arguments.", fnCreateArray,
		Example{Expr: "createArray('h', 1, null)", Want: `["h",1,null]`})
	conv("base64", 1, 1, "base64(value)", "Returns the base64 encoding of a string (UTF-8) or binary content.", fnBase64,
		Example{Expr: "base64('hello')", Want: `"aGVsbG8="`})
	conv("base64ToBinary", 1, 1, "base64ToBinary(value)", "Decodes a base64 string to binary content.", fnBase64ToBinary,
		Example{Expr: "string(base64ToBinary('aGVsbG8='))", Want: `"hello"`})
	conv("base64ToString", 1, 1, "base64ToString(value)", "Decodes a base64 string to text.", fnBase64ToString,
		Example{Expr: "base64ToString('aGVsbG8=')", Want: `"hello"`}, Example{Expr: "base64ToString('%%')", Err: "base64"})
	conv("decodeBase64", 1, 1, "decodeBase64(value)", "Deprecated form of base64ToString.", fnBase64ToString,
		Example{Expr: "decodeBase64('aGVsbG8=')", Want: `"hello"`})
	conv("binary", 1, 1, "binary(value)", "Returns the binary content of a string (UTF-8).", fnBinary,
		Example{Expr: "base64(binary('hello'))", Want: `"aGVsbG8="`})
	conv("bool", 1, 1, "bool(value)", "Converts a number or 'true'/'false' string to a boolean.", fnBool,
		Example{Expr: "bool(-1)", Want: "true"}, Example{Expr: "bool('False')", Want: "false"}, Example{Expr: "bool('yes')", Err: "bool"})
	conv("dataUri", 1, 1, "dataUri(value)", "Returns a data URI for a string or binary content.", fnDataURI,
		Example{Expr: "dataUri('hello')", Want: `"data:text/plain;charset=utf-8;base64,aGVsbG8="`})
	conv("dataUriToBinary", 1, 1, "dataUriToBinary(value)", "Returns the binary content of a data URI.", fnDataURIToBinary,
		Example{Expr: "string(dataUriToBinary('data:,a%20b'))", Want: `"a b"`})
	conv("decodeDataUri", 1, 1, "decodeDataUri(value)", "Returns the binary content of a data URI.", fnDataURIToBinary,
		Example{Expr: "string(decodeDataUri('data:text/plain;charset=utf-8;base64,aGVsbG8='))", Want: `"hello"`})
	conv("dataUriToString", 1, 1, "dataUriToString(value)", "Returns the text of a data URI.", fnDataURIToString,
		Example{Expr: "dataUriToString('data:text/plain;charset=utf-8;base64,aGVsbG8=')", Want: `"hello"`})
	conv("decimal", 1, 1, "decimal(value)", "Converts a string or number to an exact decimal number.", fnDecimal,
		Example{Expr: "string(decimal('1.2345678912312131'))", Want: `"1.2345678912312131"`})
	conv("decodeUriComponent", 1, 1, "decodeUriComponent(value)", "Replaces %XX escapes with their characters.", fnDecodeURIComponent,
		Example{Expr: "decodeUriComponent('https%3A%2F%2Fcontoso.com')", Want: `"https://contoso.com"`})
	// Designer-generated connector paths call encodeURIComponent with
	// several arguments, which the runtime concatenates.
	conv("encodeUriComponent", 1, -1, "encodeUriComponent(value, ...)", "Escapes URL-unsafe characters as %XX; several arguments are concatenated first.", fnEncodeURIComponent,
		Example{Expr: "encodeUriComponent('https://contoso.com')", Want: `"https%3A%2F%2Fcontoso.com"`},
		Example{Expr: "encodeURIComponent('workflows/', 'a b', '/runs')", Want: `"workflows%2Fa%20b%2Fruns"`})
	conv("uriComponent", 1, 1, "uriComponent(value)", "Escapes URL-unsafe characters as %XX.", fnEncodeURIComponent,
		Example{Expr: "uriComponent('a b')", Want: `"a%20b"`})
	conv("uriComponentToBinary", 1, 1, "uriComponentToBinary(value)", "Decodes a URI-encoded string to binary content.", fnURIComponentToBinary,
		Example{Expr: "base64(uriComponentToBinary('https%3A%2F%2Fcontoso.com'))", Want: `"aHR0cHM6Ly9jb250b3NvLmNvbQ=="`})
	conv("uriComponentToString", 1, 1, "uriComponentToString(value)", "Decodes a URI-encoded string.", fnDecodeURIComponent,
		Example{Expr: "uriComponentToString('https%3A%2F%2Fcontoso.com')", Want: `"https://contoso.com"`})
	conv("float", 1, 2, "float(value, locale?)", "Converts a string (in a culture, default invariant) or number to a floating-point number.", fnFloat,
		Example{Expr: "float('10,000.333')", Want: "10000.333"}, Example{Expr: "float('10.000,333', 'de-DE')", Want: "10000.333"},
		Example{Expr: "float('abc')", Err: "float"})
	conv("isFloat", 1, 2, "isFloat(value, locale?)", "Checks whether a string is a floating-point number in a culture.", fnIsFloat,
		Example{Expr: "isFloat('10,000.00')", Want: "true"}, Example{Expr: "isFloat('abc')", Want: "false"})
	conv("int", 1, 1, "int(value)", "Converts a string or number to an integer.", fnInt,
		Example{Expr: "int('10')", Want: "10"}, Example{Expr: "int('10.5')", Err: "int"})
	conv("isInt", 1, 1, "isInt(value)", "Checks whether a string is an integer.", fnIsInt,
		Example{Expr: "isInt('10')", Want: "true"}, Example{Expr: "isInt('1.5')", Want: "false"})
	conv("json", 1, 1, "json(value)", "Parses JSON text, or converts XML to JSON.", fnJSON,
		Example{Expr: "json('[1, 2, 3]')", Want: "[1,2,3]"}, Example{Expr: "json('{')", Err: "json"})
	conv("string", 1, 1, "string(value)", "Converts a value to a string (JSON for arrays and objects).", fnString,
		Example{Expr: "string(10)", Want: `"10"`}, Example{Expr: "string(true)", Want: `"True"`},
		Example{Expr: "string(json('{\"a\":[1,\"<b>\"]}'))", Want: `"{\"a\":[1,\"<b>\"]}"`})
	conv("xml", 1, 1, "xml(value)", "Returns XML content for an XML string or a JSON object.", fnXML)
}

func fnArray(s *state, args []any) (any, error) { return []any{args[0]}, nil }

func fnCreateArray(s *state, args []any) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

// bytesOf returns the bytes of a string (UTF-8) or binary value.
func (s *state) bytesOf(args []any, i int) ([]byte, string, error) {
	switch v := args[i].(type) {
	case string:
		return []byte(v), "text/plain;charset=utf-8", nil
	case []byte:
		return v, "application/octet-stream", nil
	case *Object:
		if b, ok := contentBytes(v); ok {
			return b, contentType(v), nil
		}
	case nil:
		return nil, "text/plain;charset=utf-8", nil
	}
	return nil, "", s.argErr(i, "a string or binary content", args[i])
}

func fnBase64(s *state, args []any) (any, error) {
	b, _, err := s.bytesOf(args, 0)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func (s *state) decodeBase64(args []any) ([]byte, error) {
	str, err := s.strOrNull(args, 0)
	if err != nil {
		if o, ok := args[0].(*Object); ok {
			if b, ok := contentBytes(o); ok {
				return b, nil
			}
		}
		return nil, err
	}
	str = strings.TrimSpace(str)
	b, err := base64.StdEncoding.DecodeString(str)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(str, "="))
	}
	if err != nil {
		return nil, s.errorf("The template language function '%s' was invoked with a parameter that is not valid. The value cannot be decoded from base64 representation.", s.fname())
	}
	return b, nil
}

func fnBase64ToBinary(s *state, args []any) (any, error) {
	b, err := s.decodeBase64(args)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func fnBase64ToString(s *state, args []any) (any, error) {
	b, err := s.decodeBase64(args)
	if err != nil {
		return nil, err
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func fnBinary(s *state, args []any) (any, error) {
	b, _, err := s.bytesOf(args, 0)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func fnBool(s *state, args []any) (any, error) {
	switch v := args[0].(type) {
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	case float64:
		return v != 0, nil
	case Decimal:
		return toFloat(v) != 0, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, s.errorf("The template language function 'bool' was invoked with a parameter that is not valid. The value '%s' cannot be converted to a boolean.", v)
	}
	return nil, s.argErr(0, "a boolean, a number or a string", args[0])
}

func fnDataURI(s *state, args []any) (any, error) {
	b, ct, err := s.bytesOf(args, 0)
	if err != nil {
		return nil, err
	}
	return "data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(b), nil
}

// parseDataURI decodes "data:[<mediatype>][;base64],<data>".
func (s *state) parseDataURI(args []any) ([]byte, string, error) {
	str, err := s.str(args, 0)
	if err != nil {
		return nil, "", err
	}
	bad := func() error {
		return s.errorf("The template language function '%s' expects its parameter to be a data URI. The provided value '%s' is not valid.", s.fname(), truncate(str, 100))
	}
	if !strings.HasPrefix(strings.ToLower(str), "data:") {
		return nil, "", bad()
	}
	meta, data, ok := strings.Cut(str[5:], ",")
	if !ok {
		return nil, "", bad()
	}
	ct := meta
	isB64 := false
	if strings.HasSuffix(strings.ToLower(meta), ";base64") {
		isB64 = true
		ct = meta[:len(meta)-7]
	}
	if ct == "" {
		ct = "text/plain;charset=US-ASCII"
	}
	if isB64 {
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			return nil, "", bad()
		}
		return b, ct, nil
	}
	return []byte(unescapeData(data)), ct, nil
}

// fnDataURIToBinary returns binary content that keeps the URI's media
// type, as the runtime does.
func fnDataURIToBinary(s *state, args []any) (any, error) {
	b, ct, err := s.parseDataURI(args)
	if err != nil {
		return nil, err
	}
	return newContent(ct, b), nil
}

func fnDataURIToString(s *state, args []any) (any, error) {
	b, _, err := s.parseDataURI(args)
	if err != nil {
		return nil, err
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func fnDecimal(s *state, args []any) (any, error) {
	switch v := args[0].(type) {
	case Decimal:
		return v, nil
	case int64, float64:
		d, err := toDec(v)
		if err != nil {
			return nil, s.overflow()
		}
		return Decimal{Text: d.String()}, nil
	case string:
		d, err := parseDec(v)
		if err != nil {
			return nil, s.errorf("The template language function 'decimal' was invoked with a parameter that is not valid. The value '%s' cannot be converted to a decimal number.", truncate(v, 100))
		}
		return Decimal{Text: d.String()}, nil
	}
	return nil, s.argErr(0, "a string or a number", args[0])
}

// unescapeData decodes %XX escapes like .NET Uri.UnescapeDataString:
// invalid escapes are left as they are; '+' is not a space.
func unescapeData(str string) string {
	if !strings.Contains(str, "%") {
		return str
	}
	var b []byte
	for i := 0; i < len(str); i++ {
		if str[i] == '%' && i+2 < len(str) && ishex(str[i+1]) && ishex(str[i+2]) {
			b = append(b, unhex(str[i+1])<<4|unhex(str[i+2]))
			i += 2
			continue
		}
		b = append(b, str[i])
	}
	return string(b)
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func fnDecodeURIComponent(s *state, args []any) (any, error) {
	str, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	return strings.ToValidUTF8(unescapeData(str), "\uFFFD"), nil
}

func fnURIComponentToBinary(s *state, args []any) (any, error) {
	str, err := s.strOrNull(args, 0)
	if err != nil {
		return nil, err
	}
	return []byte(unescapeData(str)), nil
}

// escapeData escapes like .NET Uri.EscapeDataString (RFC 3986 unreserved
// characters stay).
func escapeData(str string) string {
	const upper = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(str); i++ {
		c := str[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upper[c>>4])
		b.WriteByte(upper[c&15])
	}
	return b.String()
}

func fnEncodeURIComponent(s *state, args []any) (any, error) {
	if len(args) > 1 {
		var b strings.Builder
		for i, a := range args {
			switch a.(type) {
			case []any, *Object:
				return nil, s.argErr(i, "a string", a)
			}
			b.WriteString(Stringify(a))
		}
		return escapeData(b.String()), nil
	}
	switch v := args[0].(type) {
	case string:
		return escapeData(v), nil
	case nil:
		return "", nil
	case []any, *Object:
		return nil, s.argErr(0, "a string", args[0])
	}
	return escapeData(Stringify(args[0])), nil
}

func fnFloat(s *state, args []any) (any, error) {
	switch v := args[0].(type) {
	case float64:
		return v, nil
	case int64:
		return float64(v), nil
	case Decimal:
		return toFloat(v), nil
	case string:
		culture, err := s.optStr(args, 1, "")
		if err != nil {
			return nil, err
		}
		f, ok := parseCultureFloat(v, culture)
		if !ok {
			return nil, s.errorf("The template language function 'float' was invoked with a parameter that is not valid. The value '%s' cannot be converted to a floating-point number.", truncate(v, 100))
		}
		return f, nil
	}
	return nil, s.argErr(0, "a string or a number", args[0])
}

func fnIsFloat(s *state, args []any) (any, error) {
	v, ok := args[0].(string)
	if !ok {
		return nil, s.argErr(0, "a string", args[0])
	}
	culture, err := s.optStr(args, 1, "")
	if err != nil {
		return nil, err
	}
	_, ok = parseCultureFloat(v, culture)
	return ok, nil
}

// parseInt parses like Int64.Parse with NumberStyles.Integer.
func parseInt(v string) (int64, bool) {
	t := strings.TrimSpace(v)
	t = strings.TrimPrefix(t, "+")
	if t == "" || strings.HasPrefix(t, "+") || strings.HasPrefix(t, "-+") {
		return 0, false
	}
	i, err := strconv.ParseInt(t, 10, 64)
	return i, err == nil
}

func fnInt(s *state, args []any) (any, error) {
	switch v := args[0].(type) {
	case int64:
		return v, nil
	case float64:
		if v == float64(int64(v)) && v > -9.3e18 && v < 9.3e18 {
			return int64(v), nil
		}
		return nil, s.errorf("The template language function 'int' was invoked with a parameter that is not valid. The value '%s' cannot be converted to an integer.", FormatFloat(v))
	case Decimal:
		if i, err := strconv.ParseInt(strings.TrimRight(strings.TrimRight(v.Text, "0"), "."), 10, 64); err == nil && strings.Trim(v.Text, "-0123456789.") == "" {
			return i, nil
		}
		return nil, s.errorf("The template language function 'int' was invoked with a parameter that is not valid. The value '%s' cannot be converted to an integer.", v.Text)
	case string:
		if i, ok := parseInt(v); ok {
			return i, nil
		}
		return nil, s.errorf("The template language function 'int' was invoked with a parameter that is not valid. The value '%s' cannot be converted to an integer.", truncate(v, 100))
	}
	return nil, s.argErr(0, "a string or a number", args[0])
}

func fnIsInt(s *state, args []any) (any, error) {
	v, ok := args[0].(string)
	if !ok {
		return nil, s.argErr(0, "a string", args[0])
	}
	_, ok = parseInt(v)
	return ok, nil
}

func fnJSON(s *state, args []any) (any, error) {
	switch v := args[0].(type) {
	case string:
		t := strings.TrimSpace(v)
		if strings.HasPrefix(t, "<") {
			return s.xmlToJSON([]byte(t))
		}
		d, err := value.Decode([]byte(v))
		if err != nil {
			return nil, s.errorf("The template language function 'json' parameter is not valid. The provided value '%s' cannot be parsed: %v.", truncate(v, 100), err)
		}
		return d, nil
	case []byte:
		return s.jsonBytes(v, "")
	case *Object:
		if b, ok := contentBytes(v); ok {
			return s.jsonBytes(b, contentType(v))
		}
		return v, nil
	}
	return args[0], nil
}

func (s *state) jsonBytes(b []byte, ct string) (any, error) {
	t := strings.TrimSpace(string(b))
	if strings.Contains(strings.ToLower(ct), "xml") || strings.HasPrefix(t, "<") {
		return s.xmlToJSON(b)
	}
	d, err := value.Decode(b)
	if err != nil {
		return nil, s.errorf("The template language function 'json' parameter is not valid. The provided content cannot be parsed: %v.", err)
	}
	return d, nil
}

func (s *state) xmlToJSON(b []byte) (any, error) {
	o, err := xmlconv.XMLToJSON(b)
	if err != nil {
		return nil, s.errorf("The template language function 'json' parameter is not valid XML: %v.", err)
	}
	return o, nil
}

func fnString(s *state, args []any) (any, error) { return Stringify(args[0]), nil }

const xmlContentType = "application/xml;charset=utf-8"

func fnXML(s *state, args []any) (any, error) {
	var data []byte
	switch v := args[0].(type) {
	case string:
		data = []byte(v)
	case []byte:
		data = v
	case *Object:
		if b, ok := contentBytes(v); ok {
			data = b
			break
		}
		x, err := xmlconv.JSONToXML(v)
		if err != nil {
			return nil, s.errorf("The template language function 'xml' parameter is not valid. The provided value cannot be converted to XML: %v.", err)
		}
		return newContent(xmlContentType, x), nil
	default:
		return nil, s.argErr(0, "a string or an object", args[0])
	}
	if err := xmlconv.Parse(data); err != nil {
		return nil, s.errorf("The template language function 'xml' parameter is not valid. The provided value cannot be parsed: %v.", err)
	}
	return newContent(xmlContentType, data), nil
}

// parseCultureFloat parses like Double.Parse(s, NumberStyles.Float |
// NumberStyles.AllowThousands | trailing sign, culture): group separators
// may appear anywhere in the integer part, a sign may lead or trail.
func parseCultureFloat(v, culture string) (float64, bool) {
	dec, group := numberSeparators(culture)
	t := strings.TrimSpace(v)
	if t == "" {
		return 0, false
	}
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	case strings.HasSuffix(t, "-"):
		neg, t = true, t[:len(t)-1]
	case strings.HasSuffix(t, "+"):
		t = t[:len(t)-1]
	}
	t = strings.TrimSpace(t)
	var b strings.Builder
	seenDigit, seenDec, seenExp := false, false, false
	for i := 0; i < len(t); {
		switch {
		case isDigit(t[i]):
			b.WriteByte(t[i])
			seenDigit = true
			i++
		case !seenDec && !seenExp && strings.HasPrefix(t[i:], dec):
			b.WriteByte('.')
			seenDec = true
			i += len(dec)
		case !seenDec && !seenExp && seenDigit && group != "" && strings.HasPrefix(t[i:], group):
			i += len(group)
		case !seenExp && seenDigit && (t[i] == 'e' || t[i] == 'E'):
			b.WriteByte('e')
			seenExp = true
			i++
			if i < len(t) && (t[i] == '+' || t[i] == '-') {
				b.WriteByte(t[i])
				i++
			}
			if i >= len(t) || !isDigit(t[i]) {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	if !seenDigit {
		return 0, false
	}
	f, err := strconv.ParseFloat(b.String(), 64)
	if err != nil {
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// numberSeparators returns the decimal and group separators of a culture;
// "" is the invariant culture.
func numberSeparators(culture string) (dec, group string) {
	lang, _, _ := strings.Cut(strings.ToLower(culture), "-")
	switch lang {
	case "de", "es", "it", "nl", "pt", "da", "is", "tr", "id", "el", "ro", "hr", "sl", "sr", "vi":
		if strings.EqualFold(culture, "de-CH") || strings.EqualFold(culture, "it-CH") {
			return ".", "’"
		}
		return ",", "."
	case "fr", "ru", "pl", "cs", "sv", "nb", "no", "fi", "uk", "sk", "hu", "bg", "lt", "lv", "et":
		return ",", "\u00a0"
	}
	return ".", ","
}

var _ = fmt.Sprint
