// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"math"
	"strconv"
	"strings"
)

// NodeType identifies the type of an AST node.
type NodeType int

// Node types.
const (
	NodeString NodeType = iota // 'text'
	NodeInt                    // 42
	NodeFloat                  // 4.2
	NodeBool                   // true
	NodeNull                   // null
	NodeCall                   // f(args)
	NodeIndex                  // x['k'], x[0], x?['k']
	NodeMember                 // x.k, x?.k
)

// Node is an element of the syntax tree. The set of node types is sealed:
// *StringNode, *IntNode, *FloatNode, *BoolNode, *NullNode, *CallNode,
// *IndexNode and *MemberNode.
type Node interface {
	Type() NodeType
	// Position returns the byte offset of the node in the expression.
	Position() Pos
	// String returns the canonical source form; parsing it gives the same
	// tree (positions aside).
	String() string
	writeTo(*strings.Builder)
	node() // seals the interface
}

// StringNode is a string literal.
type StringNode struct {
	Pos
	Value string // unquoted
	boxed any    // Value as an interface, cached so evaluation does not allocate
}

// IntNode is an integer literal that fits in 64 bits.
type IntNode struct {
	Pos
	Value int64
	boxed any
}

// FloatNode is a floating-point literal (has a '.' or an exponent, or does
// not fit in an int64).
type FloatNode struct {
	Pos
	Value float64
	boxed any
}

// BoolNode is true or false.
type BoolNode struct {
	Pos
	Value bool
}

// NullNode is null.
type NullNode struct {
	Pos
}

// CallNode is a function call. Name is as written; function names are
// case-insensitive.
type CallNode struct {
	Pos
	Name string
	Args []Node
	fn   *funcEntry // resolved at parse time; nil if unknown
}

// IndexNode is X[Index] or, when NullSafe, X?[Index].
type IndexNode struct {
	Pos
	X        Node
	Index    Node
	NullSafe bool
}

// MemberNode is X.Name or, when NullSafe, X?.Name.
type MemberNode struct {
	Pos
	X        Node
	Name     string
	NullSafe bool
	boxed    any // Name as an interface
}

// Position returns p itself, so node types embedding Pos implement Node.
func (p Pos) Position() Pos { return p }

func (*StringNode) Type() NodeType { return NodeString }
func (*IntNode) Type() NodeType    { return NodeInt }
func (*FloatNode) Type() NodeType  { return NodeFloat }
func (*BoolNode) Type() NodeType   { return NodeBool }
func (*NullNode) Type() NodeType   { return NodeNull }
func (*CallNode) Type() NodeType   { return NodeCall }
func (*IndexNode) Type() NodeType  { return NodeIndex }
func (*MemberNode) Type() NodeType { return NodeMember }

func (*StringNode) node() {}
func (*IntNode) node()    {}
func (*FloatNode) node()  {}
func (*BoolNode) node()   {}
func (*NullNode) node()   {}
func (*CallNode) node()   {}
func (*IndexNode) node()  {}
func (*MemberNode) node() {}

func nodeString(n Node) string {
	var b strings.Builder
	n.writeTo(&b)
	return b.String()
}

func (n *StringNode) String() string { return nodeString(n) }
func (n *IntNode) String() string    { return nodeString(n) }
func (n *FloatNode) String() string  { return nodeString(n) }
func (n *BoolNode) String() string   { return nodeString(n) }
func (n *NullNode) String() string   { return nodeString(n) }
func (n *CallNode) String() string   { return nodeString(n) }
func (n *IndexNode) String() string  { return nodeString(n) }
func (n *MemberNode) String() string { return nodeString(n) }

// QuoteString returns s as an expression string literal: in single quotes
// with embedded quotes doubled.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func (n *StringNode) writeTo(b *strings.Builder) {
	b.WriteByte('\'')
	b.WriteString(strings.ReplaceAll(n.Value, "'", "''"))
	b.WriteByte('\'')
}

func (n *IntNode) writeTo(b *strings.Builder) { b.WriteString(strconv.FormatInt(n.Value, 10)) }

func (n *FloatNode) writeTo(b *strings.Builder) { b.WriteString(formatFloatLiteral(n.Value)) }

// formatFloatLiteral prints f so that it lexes back as the same float.
func formatFloatLiteral(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		// Not producible by the parser; print something that parses.
		return "0.0"
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-5 || a >= 1e21) {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

func (n *BoolNode) writeTo(b *strings.Builder) {
	if n.Value {
		b.WriteString("true")
	} else {
		b.WriteString("false")
	}
}

func (n *NullNode) writeTo(b *strings.Builder) { b.WriteString("null") }

func (n *CallNode) writeTo(b *strings.Builder) {
	b.WriteString(n.Name)
	b.WriteByte('(')
	for i, a := range n.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		a.writeTo(b)
	}
	b.WriteByte(')')
}

func (n *IndexNode) writeTo(b *strings.Builder) {
	n.X.writeTo(b)
	if n.NullSafe {
		b.WriteByte('?')
	}
	b.WriteByte('[')
	n.Index.writeTo(b)
	b.WriteByte(']')
}

func (n *MemberNode) writeTo(b *strings.Builder) {
	n.X.writeTo(b)
	if n.NullSafe {
		b.WriteByte('?')
	}
	b.WriteByte('.')
	b.WriteString(n.Name)
}

// Inspect traverses the tree rooted at n in depth-first order, calling f for
// each node; when f returns false the children of that node are skipped.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *CallNode:
		for _, a := range n.Args {
			Inspect(a, f)
		}
	case *IndexNode:
		Inspect(n.X, f)
		Inspect(n.Index, f)
	case *MemberNode:
		Inspect(n.X, f)
	}
}
