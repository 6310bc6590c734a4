// SPDX-License-Identifier: Apache-2.0

package connector

import "fmt"

// Warning is a problem an importer worked around: the import went on.
type Warning struct {
	// File is the file the warning is about, "" when not from a file.
	File string `json:"file,omitempty"`
	// Line and Column locate it in File (1-based), 0 when unknown.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Pointer is a JSON pointer into the document, "" when not known.
	Pointer string `json:"pointer,omitempty"`
	Message string `json:"message"`
}

func (w Warning) String() string {
	s := ""
	if w.File != "" {
		s = w.File
		if w.Line > 0 {
			s += fmt.Sprintf(":%d:%d", w.Line, w.Column)
		}
		s += ": "
	}
	if w.Pointer != "" {
		s += w.Pointer + ": "
	}
	return s + w.Message
}

// SyntaxError says a file cannot be read as a document at all.
type SyntaxError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}
