// SPDX-License-Identifier: Apache-2.0

// Package dotnet reproduces the .NET formatting and parsing behaviour that
// Logic Apps expression functions expose: DateTime and DateTimeOffset format
// strings ([FormatTime]), timestamp parsing ([ParseTime], [ParseTimeExact]),
// numeric format strings ([FormatInt], [FormatFloat]), ISO 8601 durations
// ([ParseISODuration]), TimeSpan text ([FormatTimeSpan], [ParseTimeSpan]) and
// Windows time-zone IDs ([LoadLocation]).
//
// # Date and time kinds
//
// .NET distinguishes DateTime values of kind Utc, Local and Unspecified, and
// the distinction shows in output: "o" prints a trailing "Z" for Utc, an
// offset for DateTimeOffset and nothing for Unspecified. A [time.Time]
// carries the same information in its location:
//
//   - [time.UTC] is a Utc value ("Z");
//   - [Unspecified] is a value parsed without any offset; its offset is zero,
//     so it compares and converts as UTC, as Logic Apps treats it, but it
//     formats without an offset;
//   - any other location formats with its numeric offset ("+05:30").
//
// # Cultures
//
// Culture data (names of months and days, AM/PM designators, date and time
// patterns, number separators and currency patterns) is held in tables in
// this package for a fixed set of cultures and matches .NET 5+ on ICU. The
// empty culture name means en-US, which is what Logic Apps uses by default;
// "iv" and "invariant" select the invariant culture. Names are
// case-insensitive.
package dotnet
