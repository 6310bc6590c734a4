// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"testing"
	"time"
)

func FuzzFormatNumber(f *testing.F) {
	for _, s := range []string{"", "N2", "C0", "#,##0.00", "0.0E+00", "0;(0);zero", "'a'\\#%‰", "#,#,,", "X8", "G17", "e-00", ";;", "\\", "'"} {
		f.Add(1234.5678, int64(-42), s, "en-US")
	}
	f.Add(-0.0, int64(0), "0.00", "fr-FR")
	f.Add(1e308, int64(1<<62), "N99", "sv-SE")
	f.Fuzz(func(t *testing.T, v float64, i int64, format, culture string) {
		if len(format) > 64 {
			return // precision digits make output length proportional to the format
		}
		_, _ = FormatFloat(v, format, culture)
		_, _ = FormatInt(i, format, culture)
	})
}

func FuzzFormatTime(f *testing.F) {
	for _, s := range []string{"", "o", "r", "U", "D", "dddd MMMM d", "yyyy-MM-ddTHH:mm:ss.fffffffK", "%d", "'x", "\\", "F", "zzz", "tt h"} {
		f.Add(int64(1514764800), int32(0), s, "en-US", int32(0))
	}
	f.Add(int64(-62135596800), int32(999999999), "FFFFFFF", "ja-JP", int32(-3600))
	f.Fuzz(func(t *testing.T, sec int64, nsec int32, format, culture string, offset int32) {
		if len(format) > 256 {
			return
		}
		tm := time.Unix(sec, int64(nsec)).In(time.FixedZone("", int(offset%(15*3600))))
		if s, err := FormatTime(tm, format, culture); err == nil && format == "o" {
			if _, err := ParseTime(s); err != nil {
				t.Errorf("ParseTime(FormatTime(%v, \"o\") = %q): %v", tm, s, err)
			}
		}
		_, _ = ParseTime(format)
		_, _ = ParseTimeExact(culture, format, "en-US")
		_, _ = FormatTimeSpan(time.Duration(sec), format)
		_, _ = ParseTimeSpan(format)
		if d, err := ParseISODuration(format); err == nil {
			_ = d.String()
			_ = d.AddTo(tm)
		}
	})
}
