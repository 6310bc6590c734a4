// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxDepth bounds element nesting in both directions, which keeps the
// recursive conversions cheap on hostile input.
const maxDepth = 10000

const (
	nsXMLNS = "http://www.w3.org/2000/xmlns/"
	nsXML   = "http://www.w3.org/XML/1998/namespace"
	// nsJSON is Newtonsoft's namespace for json:Array and friends.
	nsJSON = "http://james.newtonking.com/projects/json"
)

// kind is the type of a node in the document model, a small subset of the
// .NET XmlDocument node types.
type kind uint8

const (
	kindDoc kind = iota
	kindElem
	kindAttr
	kindText
	kindCDATA
	kindComment
	kindPI
	kindDecl
	kindWS    // insignificant whitespace, only created from JSON
	kindSigWS // whitespace inside xml:space="preserve"
)

// node is one node of a parsed or built document. Element and attribute
// names keep the prefix as written; ns is the resolved namespace URI.
type node struct {
	kind   kind
	prefix string
	local  string // element/attribute local name, PI target
	ns     string
	data   string // text, CDATA, comment, PI data, attribute value
	// Declaration fields.
	version, encoding, standalone string

	attrs    []*node
	children []*node
	parent   *node
	idx      int  // position in parent.children or parent.attrs
	order    int  // document order, set by numberNodes
	depth    int  // 0 for the document
	empty    bool // element written <a/> (XmlElement.IsEmpty)
}

func (n *node) appendChild(c *node) {
	c.parent = n
	c.depth = n.depth + 1
	c.idx = len(n.children)
	n.children = append(n.children, c)
}

func (n *node) qname() string {
	if n.prefix == "" {
		return n.local
	}
	return n.prefix + ":" + n.local
}

// isNSDecl reports whether an attribute is a namespace declaration.
func (n *node) isNSDecl() bool {
	return n.prefix == "xmlns" || (n.prefix == "" && n.local == "xmlns")
}

var attrSpace = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

func isXMLSpace(s []byte) bool {
	for _, c := range s {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// parser turns XML text into the document model, as XmlDocument.LoadXml
// does with PreserveWhitespace off.
type parser struct {
	data []byte
	dec  *xml.Decoder
}

func (p *parser) errAt(off int64, format string, args ...any) *SyntaxError {
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	line, col := 1, 1
	for _, c := range p.data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else if c&0xC0 != 0x80 { // count runes, not bytes
			col++
		}
	}
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// parseXML parses a whole document with exactly one root element.
func parseXML(data []byte) (*node, error) {
	// A byte order mark is not part of the document.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	p := &parser{data: data, dec: xml.NewDecoder(bytes.NewReader(data))}
	p.dec.Strict = true
	// The text is already decoded; like LoadXml on a string, ignore the
	// encoding named in the declaration.
	p.dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }

	doc := &node{kind: kindDoc}
	cur := doc
	hasRoot := false
	// Per open element: the namespace bindings and whether xml:space is
	// "preserve", so that lookups do not walk the ancestors.
	type scope struct {
		ns       *nsBinding
		preserve bool
	}
	stack := []scope{{}}
	for {
		start := p.dec.InputOffset()
		tok, err := p.dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			msg := err.Error()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				msg = se.Msg
			}
			// The decoder stops just after the offending byte.
			return nil, p.errAt(max(p.dec.InputOffset()-1, 0), "%s", msg)
		}
		end := p.dec.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > maxDepth {
				return nil, p.errAt(start, "elements are nested more than %d deep", maxDepth)
			}
			if cur == doc && hasRoot {
				return nil, p.errAt(start, "there are multiple root elements")
			}
			if t.Name.Space == "xmlns" || t.Name.Local == "" {
				return nil, p.errAt(start, "invalid element name %q", qualified(t.Name))
			}
			el := &node{kind: kindElem, prefix: t.Name.Space, local: t.Name.Local}
			el.empty = end-start >= 2 && string(data[end-2:end]) == "/>"
			// Attribute-value normalization: literal tabs and line breaks
			// become spaces. Character references to them are kept, so this
			// is only done when the tag has none.
			raw := data[start:end]
			normalize := bytes.ContainsAny(raw, "\t\n\r") && !bytes.Contains(raw, []byte("&#"))
			for _, a := range t.Attr {
				if normalize {
					a.Value = attrSpace.Replace(a.Value)
				}
				at := &node{kind: kindAttr, prefix: a.Name.Space, local: a.Name.Local, data: a.Value, parent: el, idx: len(el.attrs)}
				for _, o := range el.attrs {
					if o.prefix == at.prefix && o.local == at.local {
						return nil, p.errAt(start, "attribute %q is repeated", at.qname())
					}
				}
				el.attrs = append(el.attrs, at)
			}
			cur.appendChild(el)
			cur = el
			if cur.parent == doc {
				hasRoot = true
			}
			sc := stack[len(stack)-1]
			for _, a := range el.attrs {
				switch {
				case a.prefix == "xmlns":
					if a.local == "xmlns" || a.local == "xml" || a.data == "" {
						return nil, p.errAt(start, "invalid namespace declaration %q", a.qname())
					}
					sc.ns = &nsBinding{prefix: a.local, uri: a.data, next: sc.ns}
				case a.prefix == "" && a.local == "xmlns":
					sc.ns = &nsBinding{uri: a.data, next: sc.ns}
				case a.prefix == "xml" && a.local == "space":
					sc.preserve = a.data == "preserve"
				}
			}
			stack = append(stack, sc)
			ns, ok := lookupNS(sc.ns, el.prefix)
			if !ok {
				return nil, p.errAt(start, "namespace prefix %q is not declared", el.prefix)
			}
			el.ns = ns
			for _, a := range el.attrs {
				switch {
				case a.isNSDecl():
					a.ns = nsXMLNS
				case a.prefix != "":
					ns, ok := lookupNS(sc.ns, a.prefix)
					if !ok {
						return nil, p.errAt(start, "namespace prefix %q is not declared", a.prefix)
					}
					a.ns = ns
				}
			}
		case xml.EndElement:
			if cur == doc || t.Name.Space != cur.prefix || t.Name.Local != cur.local {
				if cur == doc {
					return nil, p.errAt(start, "unexpected end tag </%s>", qualified(t.Name))
				}
				return nil, p.errAt(start, "end tag </%s> does not match start tag <%s>", qualified(t.Name), cur.qname())
			}
			cur = cur.parent
			stack = stack[:len(stack)-1]
		case xml.CharData:
			cdata := bytes.HasPrefix(data[start:end], []byte("<![CDATA["))
			if cur == doc {
				if cdata || !isXMLSpace(t) {
					return nil, p.errAt(start, "text is not allowed outside the root element")
				}
				continue
			}
			switch {
			case cdata:
				cur.appendChild(&node{kind: kindCDATA, data: string(t)})
			case !isXMLSpace(t):
				cur.appendChild(&node{kind: kindText, data: string(t)})
			case stack[len(stack)-1].preserve:
				cur.appendChild(&node{kind: kindSigWS, data: string(t)})
			}
		case xml.Comment:
			cur.appendChild(&node{kind: kindComment, data: string(t)})
		case xml.ProcInst:
			if strings.EqualFold(t.Target, "xml") {
				if start != 0 || t.Target != "xml" {
					return nil, p.errAt(start, "the xml declaration must be at the very start of the document")
				}
				d := &node{kind: kindDecl}
				d.version, _ = procInstParam(t.Inst, "version")
				d.encoding, _ = procInstParam(t.Inst, "encoding")
				d.standalone, _ = procInstParam(t.Inst, "standalone")
				cur.appendChild(d)
				continue
			}
			cur.appendChild(&node{kind: kindPI, local: t.Target, data: string(t.Inst)})
		case xml.Directive:
			return nil, p.errAt(start, "document type declarations are not supported")
		}
	}
	if cur != doc {
		return nil, p.errAt(int64(len(data)), "unexpected end of input: element <%s> is not closed", cur.qname())
	}
	if !hasRoot {
		return nil, p.errAt(int64(len(data)), "the document has no root element")
	}
	return doc, nil
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// procInstParam returns the value of a pseudo-attribute of the xml
// declaration.
func procInstParam(inst []byte, name string) (string, bool) {
	s := string(inst)
	for {
		i := strings.Index(s, name)
		if i < 0 {
			return "", false
		}
		rest := strings.TrimLeft(s[i+len(name):], " \t\r\n")
		if (i > 0 && !strings.ContainsRune(" \t\r\n", rune(s[i-1]))) || !strings.HasPrefix(rest, "=") {
			s = s[i+len(name):]
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\r\n")
		if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
			return "", false
		}
		j := strings.IndexByte(rest[1:], rest[0])
		if j < 0 {
			return "", false
		}
		return rest[1 : j+1], true
	}
}

// nsBinding is a linked scope of namespace declarations made while writing.
type nsBinding struct {
	prefix, uri string
	next        *nsBinding
}

// lookupNS resolves prefix with the bindings b. The empty prefix always
// resolves (to "" when no default namespace is declared).
func lookupNS(b *nsBinding, prefix string) (string, bool) {
	switch prefix {
	case "xml":
		return nsXML, true
	case "xmlns":
		return nsXMLNS, true
	}
	return b.lookup(prefix)
}

func (b *nsBinding) lookup(prefix string) (string, bool) {
	for ; b != nil; b = b.next {
		if b.prefix == prefix {
			return b.uri, true
		}
	}
	return "", prefix == ""
}

// writeXML serializes n as XmlNode.OuterXml does: compact, double-quoted
// attributes, " />" for empty elements, and namespace declarations added
// where a name's namespace is not declared in the written text.
func writeXML(b *bytes.Buffer, n *node, scope *nsBinding) {
	switch n.kind {
	case kindDoc:
		for _, c := range n.children {
			writeXML(b, c, scope)
		}
	case kindElem:
		writeElem(b, n, scope)
	case kindAttr:
		writeAttr(b, n.qname(), n.data)
	case kindText, kindWS, kindSigWS:
		escapeText(b, n.data, false)
	case kindCDATA:
		b.WriteString("<![CDATA[")
		b.WriteString(strings.ReplaceAll(n.data, "]]>", "]]]]><![CDATA[>"))
		b.WriteString("]]>")
	case kindComment:
		b.WriteString("<!--")
		b.WriteString(n.data)
		b.WriteString("-->")
	case kindPI:
		b.WriteString("<?")
		b.WriteString(n.local)
		if n.data != "" {
			b.WriteByte(' ')
			b.WriteString(n.data)
		}
		b.WriteString("?>")
	case kindDecl:
		b.WriteString(`<?xml version="`)
		b.WriteString(cmpOr(n.version, "1.0"))
		b.WriteByte('"')
		if n.encoding != "" {
			b.WriteString(` encoding="`)
			b.WriteString(n.encoding)
			b.WriteByte('"')
		}
		if n.standalone != "" {
			b.WriteString(` standalone="`)
			b.WriteString(n.standalone)
			b.WriteByte('"')
		}
		b.WriteString("?>")
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func writeElem(b *bytes.Buffer, n *node, scope *nsBinding) {
	name := n.qname()
	b.WriteByte('<')
	b.WriteString(name)
	for _, a := range n.attrs {
		switch {
		case a.prefix == "xmlns":
			scope = &nsBinding{prefix: a.local, uri: a.data, next: scope}
		case a.prefix == "" && a.local == "xmlns":
			scope = &nsBinding{uri: a.data, next: scope}
		}
		writeAttr(b, a.qname(), a.data)
	}
	declare := func(prefix, uri string) {
		if prefix == "xml" || prefix == "xmlns" {
			return
		}
		if got, ok := scope.lookup(prefix); ok && got == uri {
			return
		}
		scope = &nsBinding{prefix: prefix, uri: uri, next: scope}
		if prefix == "" {
			writeAttr(b, "xmlns", uri)
		} else {
			writeAttr(b, "xmlns:"+prefix, uri)
		}
	}
	declare(n.prefix, n.ns)
	for _, a := range n.attrs {
		if a.prefix != "" && !a.isNSDecl() {
			declare(a.prefix, a.ns)
		}
	}
	if len(n.children) == 0 {
		if n.empty {
			b.WriteString(" />")
		} else {
			b.WriteString("></")
			b.WriteString(name)
			b.WriteByte('>')
		}
		return
	}
	b.WriteByte('>')
	for _, c := range n.children {
		writeXML(b, c, scope)
	}
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

func writeAttr(b *bytes.Buffer, name, val string) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	escapeText(b, val, true)
	b.WriteByte('"')
}

func escapeText(b *bytes.Buffer, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch c := s[i]; c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if attr {
				esc = "&quot;"
			}
		case '\t', '\n', '\r':
			if attr || c == '\r' {
				esc = fmt.Sprintf("&#x%X;", c)
			}
		}
		if esc != "" {
			b.WriteString(s[last:i])
			b.WriteString(esc)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
}

// outerXML returns the serialized text of n.
func outerXML(n *node) string {
	var b bytes.Buffer
	writeXML(&b, n, nil)
	return b.String()
}

// numberNodes sets the document order of every node under n, attributes
// right after their element, and returns the next number.
func numberNodes(n *node, next int) int {
	n.order = next
	next++
	for _, a := range n.attrs {
		a.order = next
		next++
	}
	for _, c := range n.children {
		next = numberNodes(c, next)
	}
	return next
}
