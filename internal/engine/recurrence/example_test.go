// SPDX-License-Identifier: Apache-2.0

package recurrence_test

import (
	"fmt"
	"time"

	"github.com/junction-run/junction/expr/value"
	"github.com/junction-run/junction/internal/engine/recurrence"
)

func ExampleCompile() {
	block, _ := value.Decode([]byte(`{
		"frequency": "Week", "interval": 1,
		"startTime": "2025-03-06T00:00:00", "timeZone": "Pacific Standard Time",
		"schedule": {"weekDays": ["Monday", "Friday"], "hours": [9], "minutes": [0]}
	}`))
	rec, err := recurrence.Decode(block)
	if err != nil {
		panic(err)
	}
	plan, err := recurrence.Compile(rec, time.Now())
	if err != nil {
		panic(err)
	}
	t := plan.Start()
	for range 3 {
		t, _ = plan.Next(t)
		fmt.Println(t.Format(time.RFC3339), t.Weekday())
	}
	// Output:
	// 2025-03-07T09:00:00-08:00 Friday
	// 2025-03-10T09:00:00-07:00 Monday
	// 2025-03-14T09:00:00-07:00 Friday
}

func ExamplePlan_Due() {
	plan, _ := recurrence.Compile(recurrence.Recurrence{Frequency: "Minute", Interval: 15, StartTime: "2025-01-01T00:00:00Z"}, time.Time{})
	// The server was down from 00:20 to 03:07: the trigger fires once, for
	// 03:00, and then waits for 03:15.
	lastFire := time.Date(2025, 1, 1, 0, 15, 0, 0, time.UTC)
	now := time.Date(2025, 1, 1, 3, 7, 0, 0, time.UTC)
	fireAt, next, fire := plan.Due(lastFire, now)
	fmt.Println(fire, fireAt.Format(time.Kitchen), next.Format(time.Kitchen))
	// Output: true 3:00AM 3:15AM
}

func ExampleCompile_error() {
	_, err := recurrence.Compile(recurrence.Recurrence{
		Frequency: "Day", Interval: 1, StartTime: "2025-01-01T00:00:00Z",
		Schedule: &recurrence.Schedule{Hours: []int{8, 12, 24}},
	}, time.Time{})
	fmt.Println(err)
	// Output: recurrence.schedule.hours[2]: 24 is not an hour (0-23)
}
