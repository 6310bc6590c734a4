// SPDX-License-Identifier: Apache-2.0

package dotnet

import "errors"

// FormatInt formats v like Int64.ToString(format, culture) in .NET Core 3.0
// and later: the standard formats C, D, E, F, G, N, P, R and X (either
// case, with an optional precision such as "N2" or "X8") and custom
// formats with sections. The empty format means "G"; the empty culture
// means en-US.
func FormatInt(v int64, format, culture string) (string, error) {
	return "", errors.New("not implemented")
}

// FormatFloat formats v like Double.ToString(format, culture) in .NET Core
// 3.0 and later, which rounds half away from zero on the exact decimal
// value and prints the shortest round-trip digits for "R" and "G". D and X
// are errors for floating-point values. The empty format means "G"; the
// empty culture means en-US.
func FormatFloat(v float64, format, culture string) (string, error) {
	return "", errors.New("not implemented")
}
