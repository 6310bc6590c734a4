// SPDX-License-Identifier: Apache-2.0

package value

// Decimal is the value decimal() returns: an exact base-10 number, kept as
// its canonical text so it survives JSON round trips without losing digits.
// Arithmetic on decimals is done by the function library.
type Decimal struct {
	// Text is the canonical decimal representation, e.g. "1.0000000000000001".
	Text string
}

// MarshalJSON writes the decimal as a JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.Text), nil }
