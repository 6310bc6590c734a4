// SPDX-License-Identifier: Apache-2.0

package dotnet_test

import (
	"fmt"
	"time"

	"github.com/junction-run/junction/expr/internal/dotnet"
)

func ExampleFormatTime() {
	t := time.Date(2016, 1, 31, 0, 0, 0, 0, time.UTC)
	s, _ := dotnet.FormatTime(t, "dddd MMMM d", "fr-FR")
	fmt.Println(s)
	s, _ = dotnet.FormatTime(t, "", "")
	fmt.Println(s)
	// Output:
	// dimanche janvier 31
	// 2016-01-31T00:00:00.0000000Z
}

func ExampleFormatFloat() {
	s, _ := dotnet.FormatFloat(17.35, "C2", "")
	fmt.Println(s)
	s, _ = dotnet.FormatFloat(1234567890, "#,##0.00", "is-IS")
	fmt.Println(s)
	// Output:
	// $17.35
	// 1.234.567.890,00
}

func ExampleParseISODuration() {
	d, _ := dotnet.ParseISODuration("P1M")
	fmt.Println(d.AddTo(time.Date(2018, 1, 31, 0, 0, 0, 0, time.UTC)).Format(time.DateOnly))
	// Output: 2018-02-28
}

func ExampleLoadLocation() {
	loc, _ := dotnet.LoadLocation("Pacific Standard Time")
	fmt.Println(loc)
	// Output: America/Los_Angeles
}
