// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"bytes"
	"fmt"
)

// SyntaxError reports XML that is not well-formed, with the 1-based line and
// column of the offending input.
type SyntaxError struct {
	Line   int
	Column int
	Msg    string
}

// Parse checks that data is a well-formed XML document with exactly one root
// element. A non-nil error is a *[SyntaxError].
func Parse(data []byte) error {
	_, err := parseXML(data)
	return err
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid xml at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Normalize parses an XML document and writes it back as the runtime's
// XmlDocument.OuterXml would: insignificant whitespace dropped, attributes
// double-quoted, empty elements written <a/> as "<a />". It is the text of
// xml('<...>').
func Normalize(data []byte) ([]byte, error) {
	doc, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	writeXML(&b, doc, nil)
	return b.Bytes(), nil
}
