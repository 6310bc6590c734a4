// SPDX-License-Identifier: Apache-2.0

package expr

import "github.com/junction-run/junction/expr/value"

// Object is an ordered JSON object; see [value.Object].
type Object = value.Object

// Decimal is the value decimal() returns; see [value.Decimal].
type Decimal = value.Decimal

// NewObject returns an empty ordered object with room for n keys.
func NewObject(n int) *Object { return value.NewObject(n) }

// Decode parses JSON into values, keeping object key order; see [value.Decode].
func Decode(data []byte) (any, error) { return value.Decode(data) }

// FromGo converts Go values (maps, ints, json.Number ...) into values; see [value.FromGo].
func FromGo(v any) any { return value.FromGo(v) }
