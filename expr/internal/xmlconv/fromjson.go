// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/junction-run/junction/expr/value"
)

// errMultipleRoots is Newtonsoft's complaint about a root object that would
// give a document with more than one root element.
var errMultipleRoots = errors.New("json root object has multiple properties; the root object must have a single property to create a valid xml document")

// JSONToXML converts a value to compact XML text the way
// JsonConvert.DeserializeXmlNode does. v must be a *value.Object with exactly
// one root element property (plus optional "?xml" declaration, processing
// instructions and comments). Properties starting with "@" become
// attributes, "#text" text, "#cdata-section" CDATA, "#comment" a comment,
// "#whitespace" and "#significant-whitespace" whitespace; arrays repeat the
// element; null gives an empty element; numbers and booleans are written as
// XmlConvert writes them. The json.net metadata properties "$id", "$ref",
// "$type", "$value" and "$values" are ignored.
func JSONToXML(v any) ([]byte, error) {
	obj, ok := v.(*value.Object)
	if !ok {
		return nil, fmt.Errorf("xml conversion needs a json object with a single root property, not %s", typeName(v))
	}
	doc := &node{kind: kindDoc}
	if err := fromObject(doc, obj, obj.Keys(), nil); err != nil {
		return nil, err
	}
	if !hasElement(doc) {
		return nil, errors.New("json root object has no property that gives a root element")
	}
	var b bytes.Buffer
	writeXML(&b, doc, nil)
	return b.Bytes(), nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []byte:
		return "binary content"
	default:
		return "a number"
	}
}

func hasElement(n *node) bool {
	for _, c := range n.children {
		if c.kind == kindElem {
			return true
		}
	}
	return false
}

// fromObject is DeserializeNode: every property of obj named in keys adds
// to cur.
func fromObject(cur *node, obj *value.Object, keys []string, scope *nsBinding) error {
	for _, k := range keys {
		v, _ := obj.Get(k)
		if arr, ok := v.([]any); ok {
			for _, item := range arr {
				if err := fromValue(cur, k, item, scope); err != nil {
					return err
				}
			}
			continue
		}
		if err := fromValue(cur, k, v, scope); err != nil {
			return err
		}
	}
	return nil
}

// fromValue is DeserializeValue: one property (or one array item) named
// name with value v.
func fromValue(cur *node, name string, v any, scope *nsBinding) error {
	textNode := func(k kind) error {
		s, err := xmlText(v)
		if err != nil {
			return fmt.Errorf("property %q: %w", name, err)
		}
		if (k == kindWS || k == kindSigWS) && !isXMLSpace([]byte(s)) {
			return fmt.Errorf("property %q: value is not whitespace", name)
		}
		if k == kindComment && (strings.Contains(s, "--") || strings.HasSuffix(s, "-")) {
			return errors.New(`an xml comment cannot contain "--" or end with "-"`)
		}
		if cur.kind == kindDoc && k != kindComment && k != kindWS {
			return fmt.Errorf("property %q: text is not allowed outside the root element", name)
		}
		cur.appendChild(&node{kind: k, data: s})
		return nil
	}
	switch name {
	case "#text":
		return textNode(kindText)
	case "#cdata-section":
		return textNode(kindCDATA)
	case "#whitespace":
		return textNode(kindWS)
	case "#significant-whitespace":
		return textNode(kindSigWS)
	case "#comment":
		return textNode(kindComment)
	case "$id", "$ref", "$type", "$value", "$values":
		return nil
	}
	switch {
	case name == "":
		return errors.New("cannot convert json with an empty property name to xml")
	case name == "?xml":
		return fromDecl(cur, v)
	case name[0] == '?':
		s, err := xmlText(v)
		if err != nil {
			return fmt.Errorf("property %q: %w", name, err)
		}
		target := EncodeXMLName(name[1:])
		if target == "" || strings.EqualFold(target, "xml") || strings.Contains(s, "?>") {
			return fmt.Errorf("property %q: invalid processing instruction", name)
		}
		cur.appendChild(&node{kind: kindPI, local: target, data: s})
		return nil
	case strings.EqualFold(name, "!DOCTYPE"):
		return errors.New("document type declarations are not supported")
	case name[0] == '@':
		s, err := xmlText(v)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", name, err)
		}
		if cur.kind != kindElem {
			return fmt.Errorf("attribute %q must be inside an element", name)
		}
		// A declaration after the element's first child comes too late to
		// give the element its namespace, and must not contradict it.
		if p, ok := declaredPrefix(name[1:]); ok && p == cur.prefix && s != cur.ns {
			return fmt.Errorf("namespace declaration %q must come before the other properties of its element", name)
		}
		return addAttr(cur, name[1:], s, scope)
	}
	if arr, ok := v.([]any); ok {
		// A nested array is an element of the same name holding the items.
		el, err := addElem(cur, name, scope)
		if err != nil {
			return err
		}
		for _, item := range arr {
			if err := fromValue(el, name, item, scope); err != nil {
				return err
			}
		}
		el.empty = len(el.children) == 0
		return nil
	}
	return fromElem(cur, name, v, scope)
}

// fromElem is ReadElement/CreateElement: the leading "@" properties of an
// object are read first, since they may declare the element's namespace.
func fromElem(cur *node, name string, v any, scope *nsBinding) error {
	obj, _ := v.(*value.Object)
	type attr struct{ name, val string }
	var attrs []attr
	keys := obj.Keys()
	for len(keys) > 0 && strings.HasPrefix(keys[0], "@") {
		av, _ := obj.Get(keys[0])
		s, err := xmlText(av)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", keys[0], err)
		}
		an := keys[0][1:]
		attrs = append(attrs, attr{an, s})
		if p, ok := declaredPrefix(an); ok {
			scope = &nsBinding{prefix: p, uri: s, next: scope}
		}
		keys = keys[1:]
	}
	el, err := addElem(cur, name, scope)
	if err != nil {
		return err
	}
	for _, a := range attrs {
		if err := addAttr(el, a.name, a.val, scope); err != nil {
			return err
		}
	}
	switch t := v.(type) {
	case nil:
	case *value.Object:
		if err := fromObject(el, t, keys, scope); err != nil {
			return err
		}
	default:
		s, err := xmlText(v)
		if err != nil {
			return fmt.Errorf("element %q: %w", name, err)
		}
		el.appendChild(&node{kind: kindText, data: s})
	}
	el.empty = len(el.children) == 0
	return nil
}

// declaredPrefix returns the prefix an attribute name declares: "" for
// xmlns, p for xmlns:p.
func declaredPrefix(attr string) (string, bool) {
	if attr == "xmlns" {
		return "", true
	}
	return strings.CutPrefix(attr, "xmlns:")
}

// prefixOf is MiscellaneousUtils.GetPrefix.
func prefixOf(qname string) string {
	i := strings.IndexByte(qname, ':')
	if i <= 0 || i == len(qname)-1 {
		return ""
	}
	return qname[:i]
}

func splitName(encoded, prefix string) (string, string) {
	if prefix == "" {
		return "", encoded
	}
	return prefix, encoded[len(prefix)+1:]
}

func addElem(cur *node, name string, scope *nsBinding) (*node, error) {
	if cur.kind == kindDoc && hasElement(cur) {
		return nil, errMultipleRoots
	}
	if cur.kind != kindDoc && cur.kind != kindElem {
		return nil, fmt.Errorf("element %q cannot be added here", name)
	}
	if cur.depth >= maxDepth {
		return nil, fmt.Errorf("elements are nested more than %d deep", maxDepth)
	}
	prefix := prefixOf(name)
	encoded := EncodeXMLName(name)
	if prefix != "" && EncodeXMLName(prefix) != prefix {
		prefix = ""
	}
	ns, ok := scope.lookup(prefix)
	switch {
	case prefix == "xml":
		ns, ok = nsXML, true
	case prefix == "xmlns":
		ok = false
	}
	if !ok {
		return nil, fmt.Errorf("element %q: namespace prefix %q is not declared", name, prefix)
	}
	p, local := splitName(encoded, prefix)
	if strings.Contains(local, ":") {
		local = strings.ReplaceAll(local, ":", "_x003A_")
	}
	el := &node{kind: kindElem, prefix: p, local: local, ns: ns}
	cur.appendChild(el)
	return el, nil
}

func addAttr(el *node, name, val string, scope *nsBinding) error {
	if name == "" {
		return errors.New(`cannot convert the property "@" to an attribute without a name`)
	}
	prefix := prefixOf(name)
	encoded := EncodeXMLName(name)
	if prefix != "" && EncodeXMLName(prefix) != prefix {
		prefix = ""
	}
	p, local := splitName(encoded, prefix)
	if strings.Contains(local, ":") {
		local = strings.ReplaceAll(local, ":", "_x003A_")
	}
	a := &node{kind: kindAttr, prefix: p, local: local, data: val, parent: el}
	switch {
	case a.prefix == "xmlns" && (val == "" || a.local == "xml" || a.local == "xmlns"):
		return fmt.Errorf("attribute %q: invalid namespace declaration", name)
	case a.isNSDecl():
		a.ns = nsXMLNS
	case p != "":
		ns, ok := scope.lookup(p)
		if p == "xml" {
			ns, ok = nsXML, true
		}
		if !ok || ns == "" {
			return fmt.Errorf("attribute %q: namespace prefix %q is not declared", name, p)
		}
		a.ns = ns
	}
	for i, o := range el.attrs {
		if o.prefix == a.prefix && o.local == a.local {
			a.idx = i
			el.attrs[i] = a // SetAttributeNode replaces
			return nil
		}
	}
	a.idx = len(el.attrs)
	el.attrs = append(el.attrs, a)
	return nil
}

func fromDecl(cur *node, v any) error {
	if cur.kind != kindDoc || len(cur.children) > 0 {
		return errors.New("the xml declaration must be the first node of the document")
	}
	obj, ok := v.(*value.Object)
	if !ok {
		return errors.New(`"?xml" must be an object`)
	}
	d := &node{kind: kindDecl}
	for _, k := range obj.Keys() {
		kv, _ := obj.Get(k)
		s, err := xmlText(kv)
		if err != nil {
			return fmt.Errorf("xml declaration %q: %w", k, err)
		}
		switch k {
		case "@version":
			d.version = s
		case "@encoding":
			d.encoding = s
		case "@standalone":
			d.standalone = s
		default:
			return fmt.Errorf("unexpected property %q in the xml declaration", k)
		}
	}
	switch {
	case d.version != "" && d.version != "1.0":
		return fmt.Errorf("xml declaration: version %q is not 1.0", d.version)
	case d.standalone != "" && d.standalone != "yes" && d.standalone != "no":
		return fmt.Errorf(`xml declaration: standalone %q is not "yes" or "no"`, d.standalone)
	case d.encoding != "" && !validEncodingName(d.encoding):
		return fmt.Errorf("xml declaration: invalid encoding name %q", d.encoding)
	}
	cur.appendChild(d)
	return nil
}

// validEncodingName checks the EncName production of XML 1.0.
func validEncodingName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '.' || c == '_' || c == '-')) {
			return false
		}
	}
	return true
}

// xmlText is ConvertTokenToXmlValue: the text XmlConvert gives a scalar.
func xmlText(v any) (string, error) {
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	case bool:
		return strconv.FormatBool(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case float64:
		return formatDouble(t), nil
	case value.Decimal:
		return t.Text, nil
	case []byte:
		return base64.StdEncoding.EncodeToString(t), nil
	case *value.Object:
		return "", errors.New("cannot get an xml string value from an object")
	case []any:
		return "", errors.New("cannot get an xml string value from an array")
	default:
		return "", fmt.Errorf("cannot get an xml string value from %T", v)
	}
}

// formatDouble is XmlConvert.ToString(double): the shortest round-trip
// form, in exponent notation when the exponent is below -4 or above 14.
func formatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "INF"
	case math.IsInf(f, -1):
		return "-INF"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if exp > -5 && exp < 15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	sign := "+"
	if exp < 0 {
		sign = "-"
		exp = -exp
	}
	return fmt.Sprintf("%sE%s%02d", e[:i], sign, exp)
}
