// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"testing"

	"github.com/junction-run/junction/internal/connection"
)

func TestNewestCalls(t *testing.T) {
	t.Parallel()
	var calls []*connection.Call
	for i := range 10 {
		conn := "a"
		if i%2 == 1 {
			conn = "b"
		}
		calls = append(calls, &connection.Call{Connection: conn, Status: i})
	}
	got := newest(calls, 3)
	var statuses []int
	for _, c := range got {
		statuses = append(statuses, c.Status)
	}
	// a: 0 2 4 6 8, b: 1 3 5 7 9: the newest 3 of each, in call order.
	want := []int{4, 5, 6, 7, 8, 9}
	if len(statuses) != len(want) {
		t.Fatalf("kept %v, want %v", statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("kept %v, want %v", statuses, want)
		}
	}
	if got := newest(calls[:3], 3); len(got) != 3 {
		t.Fatalf("a short batch lost calls: %d", len(got))
	}
}
