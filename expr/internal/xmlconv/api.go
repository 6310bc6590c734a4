// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"errors"
	"fmt"

	"github.com/junction-run/junction/expr/value"
)

var errTODO = errors.New("xmlconv: not implemented yet")

// SyntaxError reports XML that is not well-formed, with the 1-based line and
// column of the offending input.
type SyntaxError struct {
	Line   int
	Column int
	Msg    string
}

// Parse checks that data is a well-formed XML document with exactly one root
// element. A non-nil error is a *[SyntaxError].
func Parse(data []byte) error { return errTODO }

// XMLToJSON converts an XML document to a JSON object the way
// JsonConvert.SerializeXmlNode does (see the package documentation). Keys
// follow document order. Values are strings, nil, []any and *value.Object
// only.
func XMLToJSON(data []byte) (*value.Object, error) { return nil, errTODO }

// JSONToXML converts a value to compact XML text the way
// JsonConvert.DeserializeXmlNode does. v must be a *value.Object with exactly
// one root element property (plus optional "?xml" declaration, processing
// instructions and comments). Properties starting with "@" become
// attributes, "#text" text, "#cdata-section" CDATA, "#comment" a comment,
// "#whitespace" and "#significant-whitespace" whitespace; arrays repeat the
// element; null gives an empty element; numbers and booleans are written as
// XmlConvert writes them.
func JSONToXML(v any) ([]byte, error) { return nil, errTODO }

// XPath evaluates an XPath 1.0 query against an XML document. A node-set
// gives a []any (possibly empty) with one entry per node in document order:
// the outer XML string of an element (with the namespace declarations it
// needs), a string for text, CDATA and comment nodes, a *value.Object
// {"@name": "value"} for an attribute, and the whole document's XML for the
// root node. A number gives float64, a boolean bool and a string string.
func XPath(doc []byte, query string) (any, error) { return nil, errTODO }

// EncodeXMLName escapes the characters of s that cannot appear in an XML
// name as _xHHHH_, like .NET XmlConvert.EncodeName.
func EncodeXMLName(s string) string { return s }

// DecodeXMLName reverses [EncodeXMLName]: every _xHHHH_ or _xHHHHHHHH_
// escape is replaced by its character, like .NET XmlConvert.DecodeName.
func DecodeXMLName(s string) string { return s }

// EncodeXMLValue escapes &, <, >, " and ' as XML entities.
func EncodeXMLValue(s string) string { return s }

// DecodeXMLValue replaces the five predefined XML entities and numeric
// character references with their characters; anything else is left as is.
func DecodeXMLValue(s string) string { return s }

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid xml at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}
