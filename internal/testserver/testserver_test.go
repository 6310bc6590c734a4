// SPDX-License-Identifier: Apache-2.0

package testserver

import "testing"

func TestHostPort(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1:2222", "127.0.0.1:2222"},
		{"postgres://postgres:postgres@127.0.0.1:55432/test?sslmode=disable", "127.0.0.1:55432"},
		{"amqp://guest:guest@127.0.0.1:5672/", "127.0.0.1:5672"},
		{"http://127.0.0.1:7070", "127.0.0.1:7070"},
		{"test:test@tcp(127.0.0.1:13306)/test", "127.0.0.1:13306"},
		{"not an address", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			if got := hostPort(tc.in); got != tc.want {
				t.Errorf("hostPort(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
