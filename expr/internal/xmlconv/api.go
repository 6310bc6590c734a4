// SPDX-License-Identifier: Apache-2.0

package xmlconv

import "fmt"

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
