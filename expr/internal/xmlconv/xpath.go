// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/antchfx/xpath"

	"github.com/junction-run/junction/expr/value"
)

// XPath evaluates an XPath 1.0 query against an XML document. A node-set
// gives a []any (possibly empty) with one entry per node in document order:
// the outer XML string of an element (with the namespace declarations it
// needs), a string for text, CDATA and comment nodes, a *value.Object
// {"@name": "value"} for an attribute (as SerializeXmlNode writes an
// attribute), and the whole document's XML for the root node. A number
// gives float64, a boolean bool and a string string.
//
// As in .NET, a name test without a prefix matches only names in no
// namespace: select elements in a default namespace with local-name() or
// name(). Prefixes in the query are an error, since no namespace bindings
// can be supplied.
func XPath(doc []byte, query string) (any, error) {
	root, err := parseXML(doc)
	if err != nil {
		return nil, err
	}
	expr, err := compileXPath(query)
	if err != nil {
		return nil, err
	}
	numberNodes(root, 0)
	return evalXPath(expr, root)
}

func compileXPath(query string) (expr *xpath.Expr, err error) {
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("the xpath expression is empty")
	}
	q, err := qualifyNames(query)
	if err != nil {
		return nil, fmt.Errorf("invalid xpath expression %q: %w", query, err)
	}
	defer func() {
		if r := recover(); r != nil {
			expr, err = nil, fmt.Errorf("invalid xpath expression %q: %s", query, libMessage(r))
		}
	}()
	expr, err = xpath.CompileWithNS(q, map[string]string{noNSPrefix: ""})
	if err != nil {
		return nil, fmt.Errorf("invalid xpath expression %q: %s", query, libMessage(err))
	}
	return expr, nil
}

// libMessage formats an error or panic value of the XPath library in our
// style: no trailing punctuation.
func libMessage(v any) string {
	return strings.TrimRight(fmt.Sprint(v), ". ")
}

func evalXPath(expr *xpath.Expr, root *node) (res any, err error) {
	// The library reports some evaluation errors (wrong argument types and
	// the like) by panicking; they are errors in the query, not in this
	// program.
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("evaluating xpath expression %q: %s", expr.String(), libMessage(r))
		}
	}()
	nav := &navigator{root: root, cur: root, attr: -1}
	switch v := expr.Evaluate(nav).(type) {
	case *xpath.NodeIterator:
		var navs []*navigator
		for v.MoveNext() {
			navs = append(navs, v.Current().Copy().(*navigator))
		}
		// The library does not always keep document order (unions), which
		// .NET node-sets have.
		slices.SortStableFunc(navs, func(a, b *navigator) int { return a.node().order - b.node().order })
		out := make([]any, 0, len(navs))
		for i, n := range navs {
			if i > 0 && n.node() == navs[i-1].node() {
				continue
			}
			out = append(out, nodeResult(n))
		}
		return out, nil
	case float64, string, bool:
		return v, nil
	default:
		return nil, fmt.Errorf("xpath expression %q gave an unexpected %T", expr.String(), v)
	}
}

func nodeResult(n *navigator) any {
	if n.attr >= 0 {
		a := n.cur.attrs[n.attr]
		obj := value.NewObject(1)
		obj.Set(propName(a), a.data)
		return obj
	}
	switch n.cur.kind {
	case kindDoc, kindElem:
		return outerXML(n.cur)
	default:
		return n.cur.data
	}
}

// navigator implements xpath.NodeNavigator over the document model. The
// XML declaration and processing instructions are not visible (the library
// has no node type for them); CDATA and whitespace nodes are text nodes.
type navigator struct {
	root *node
	cur  *node
	attr int // index in cur.attrs when on an attribute, else -1
}

var _ xpath.NodeNavigator = (*navigator)(nil)

func visible(n *node) bool {
	return n.kind != kindDecl && n.kind != kindPI
}

func (n *navigator) NodeType() xpath.NodeType {
	if n.attr >= 0 {
		return xpath.AttributeNode
	}
	switch n.cur.kind {
	case kindDoc:
		return xpath.RootNode
	case kindElem:
		return xpath.ElementNode
	case kindComment:
		return xpath.CommentNode
	default:
		return xpath.TextNode
	}
}

func (n *navigator) node() *node {
	if n.attr >= 0 {
		return n.cur.attrs[n.attr]
	}
	return n.cur
}

func (n *navigator) LocalName() string { return n.node().local }

// Prefix returns the prefix as written, which name() reports. Unprefixed
// name tests are rewritten by qualifyNames so that they compare namespace
// URIs instead (see NamespaceURL).
func (n *navigator) Prefix() string { return n.node().prefix }

// NamespaceURL is the optional method the library uses for namespace-uri()
// and for name tests whose prefix is bound to a URI.
func (n *navigator) NamespaceURL() string { return n.node().ns }

func (n *navigator) Value() string {
	c := n.node()
	switch c.kind {
	case kindDoc, kindElem:
		var b strings.Builder
		textContent(&b, c)
		return b.String()
	default:
		return c.data
	}
}

func textContent(b *strings.Builder, n *node) {
	for _, c := range n.children {
		switch c.kind {
		case kindElem:
			textContent(b, c)
		case kindText, kindCDATA, kindWS, kindSigWS:
			b.WriteString(c.data)
		}
	}
}

func (n *navigator) Copy() xpath.NodeNavigator {
	c := *n
	return &c
}

func (n *navigator) MoveToRoot() {
	n.cur, n.attr = n.root, -1
}

func (n *navigator) MoveToParent() bool {
	if n.attr >= 0 {
		n.attr = -1
		return true
	}
	if n.cur.parent == nil {
		return false
	}
	n.cur = n.cur.parent
	return true
}

func (n *navigator) MoveToNextAttribute() bool {
	if n.cur.kind != kindElem {
		return false
	}
	for i := n.attr + 1; i < len(n.cur.attrs); i++ {
		if !n.cur.attrs[i].isNSDecl() {
			n.attr = i
			return true
		}
	}
	return false
}

func (n *navigator) MoveToChild() bool {
	if n.attr >= 0 {
		return false
	}
	for _, c := range n.cur.children {
		if visible(c) {
			n.cur = c
			return true
		}
	}
	return false
}

func (n *navigator) MoveToFirst() bool {
	if n.attr >= 0 || n.cur.parent == nil {
		return false
	}
	for _, c := range n.cur.parent.children {
		if visible(c) {
			n.cur = c
			return true
		}
	}
	return false
}

func (n *navigator) MoveToNext() bool {
	if n.attr >= 0 || n.cur.parent == nil {
		return false
	}
	sib := n.cur.parent.children
	for i := n.cur.idx + 1; i < len(sib); i++ {
		if visible(sib[i]) {
			n.cur = sib[i]
			return true
		}
	}
	return false
}

func (n *navigator) MoveToPrevious() bool {
	if n.attr >= 0 || n.cur.parent == nil {
		return false
	}
	sib := n.cur.parent.children
	for i := n.cur.idx - 1; i >= 0; i-- {
		if visible(sib[i]) {
			n.cur = sib[i]
			return true
		}
	}
	return false
}

func (n *navigator) MoveTo(other xpath.NodeNavigator) bool {
	o, ok := other.(*navigator)
	if !ok || o.root != n.root {
		return false
	}
	*n = *o
	return true
}
