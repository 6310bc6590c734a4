// SPDX-License-Identifier: Apache-2.0

package gateway_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/gateway"
)

// fakeResolver answers fixed addresses and counts lookups.
type fakeResolver struct {
	addrs   map[string][]netip.Addr
	lookups atomic.Int64
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.lookups.Add(1)
	if a, ok := r.addrs[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestEgressCheck(t *testing.T) {
	t.Parallel()
	pfx := netip.MustParsePrefix
	tests := []struct {
		name  string
		rules gateway.EgressRules
		addr  string
		deny  string
	}{
		{"aws metadata", gateway.EgressRules{}, "169.254.169.254", "cloud metadata"},
		{"ecs metadata", gateway.EgressRules{}, "169.254.170.2", "cloud metadata"},
		{"aws ipv6 metadata", gateway.EgressRules{}, "fd00:ec2::254", "cloud metadata"},
		{"alibaba metadata", gateway.EgressRules{}, "100.100.100.200", "cloud metadata"},
		{"mapped ipv4 metadata", gateway.EgressRules{}, "::ffff:169.254.169.254", "cloud metadata"},
		{"public", gateway.EgressRules{}, "93.184.216.34", ""},
		{"loopback allowed by default", gateway.EgressRules{}, "127.0.0.1", ""},
		{"ipv6 loopback", gateway.EgressRules{}, "::1", ""},
		{"loopback denied", gateway.EgressRules{DenyLoopback: true}, "127.0.0.1", "loopback is denied"},
		{"deny list", gateway.EgressRules{Deny: []netip.Prefix{pfx("10.0.0.0/8")}}, "10.1.2.3", "in the deny list"},
		{"allow list miss", gateway.EgressRules{Allow: []netip.Prefix{pfx("192.168.0.0/16")}}, "10.1.2.3", "not in the allow list"},
		{"allow list hit", gateway.EgressRules{Allow: []netip.Prefix{pfx("192.168.0.0/16")}}, "192.168.1.1", ""},
		{"allow list keeps loopback", gateway.EgressRules{Allow: []netip.Prefix{pfx("192.168.0.0/16")}}, "127.0.0.1", ""},
		{"explicit allow of link-local", gateway.EgressRules{Allow: []netip.Prefix{pfx("169.254.10.0/24")}}, "169.254.10.1", ""},
		{"deny beats allow", gateway.EgressRules{Allow: []netip.Prefix{pfx("10.0.0.0/8")}, Deny: []netip.Prefix{pfx("10.0.0.0/8")}}, "10.0.0.1", "in the deny list"},
		{"unspecified", gateway.EgressRules{}, "0.0.0.0", "unspecified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.rules.Check("h", netip.MustParseAddr(tt.addr))
			if tt.deny == "" {
				if err != nil {
					t.Fatalf("Check = %v", err)
				}
				return
			}
			var ee *gateway.EgressError
			if !errors.As(err, &ee) || !strings.Contains(err.Error(), tt.deny) {
				t.Fatalf("Check = %v, want %q", err, tt.deny)
			}
		})
	}
}

func TestEgressDialRefusedBeforeAnyPacket(t *testing.T) {
	t.Parallel()
	res := &fakeResolver{addrs: map[string][]netip.Addr{
		"evil.example":  {netip.MustParseAddr("169.254.169.254")},
		"mixed.example": {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("169.254.169.254")},
	}}
	rules := &gateway.EgressRules{Resolver: res}
	var sockets atomic.Int64
	d := &net.Dialer{Control: func(string, string, syscall.RawConn) error { sockets.Add(1); return nil }}
	dial := rules.DialContext(d)
	tests := []struct {
		name, addr string
		lookups    int64
	}{
		{"literal metadata ip", "169.254.169.254:80", 0},
		{"name resolving to metadata", "evil.example:80", 1},
		{"one bad address among good", "mixed.example:80", 1},
		{"metadata host name", "metadata.google.internal:80", 0},
		{"metadata host name with dot", "Metadata.Google.Internal.:80", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := res.lookups.Load()
			c, err := dial(context.Background(), "tcp", tt.addr)
			if err == nil {
				c.Close()
				t.Fatal("dial succeeded")
			}
			var ee *gateway.EgressError
			if !errors.As(err, &ee) {
				t.Fatalf("error = %v, want an *EgressError", err)
			}
			if got := res.lookups.Load() - before; got != tt.lookups {
				t.Fatalf("lookups = %d, want %d", got, tt.lookups)
			}
		})
	}
	if sockets.Load() != 0 {
		t.Fatalf("%d sockets were opened", sockets.Load())
	}
}

func TestEgressThroughGateway(t *testing.T) {
	t.Parallel()
	spec := importContoso(t, "169.254.169.254")
	f := newFixture(t, []*connector.Spec{spec}, gateway.Options{}, connection.Options{})
	alice := f.createKey(t, "alice", "user")
	f.answers = nil
	if st, _, body := f.do(t, http.MethodPut, "/api/connections/meta", alice, map[string]any{"connector": "contoso", "parameters": map[string]any{"api_key": secret}}); st != 201 {
		t.Fatalf("PUT: %d %s", st, body)
	}
	for _, path := range []string{"/api/connections/meta/invoke/GetItem", "/apim/contoso/meta/items/1"} {
		method, body := http.MethodPost, any(map[string]any{"parameters": map[string]any{"id": "1"}})
		if strings.HasPrefix(path, "/apim/") {
			method, body = http.MethodGet, nil
		}
		st, _, ans := f.do(t, method, path, alice, body)
		if st != http.StatusForbidden || decode(t, ans)["code"] != "EgressDenied" {
			t.Fatalf("%s: %d %s", path, st, ans)
		}
	}
	_, _, ans := f.do(t, http.MethodGet, "/api/connections/meta/calls", alice, nil)
	if !strings.Contains(string(ans), "egress to 169.254.169.254 is denied") {
		t.Fatalf("calls: %s", ans)
	}
	f.assertNoSecret(t, secret)
}
