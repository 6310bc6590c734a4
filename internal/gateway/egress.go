// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// DefaultDeny are the destination networks refused unless a rule allows
// them explicitly: cloud metadata and platform endpoints (AWS, Azure, GCP,
// Oracle, Alibaba, ECS task metadata) and the link-local ranges they live
// in.
var DefaultDeny = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),     // link-local, incl. 169.254.169.254 (AWS, Azure, GCP, Oracle) and 169.254.170.2 (ECS)
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS IMDS over IPv6
	netip.MustParsePrefix("fd20:ce::254/128"),   // GCP metadata over IPv6
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud metadata
	netip.MustParsePrefix("168.63.129.16/32"),   // Azure platform (WireServer)
	netip.MustParsePrefix("fe80::/10"),          // IPv6 link-local
}

// DefaultDenyHosts are host names refused before any lookup.
var DefaultDenyHosts = []string{"metadata.google.internal", "metadata.goog"}

// Resolver looks up the addresses of a host; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// EgressRules decide which destinations connector calls may reach. The
// zero value denies [DefaultDeny] and [DefaultDenyHosts] and allows
// everything else, loopback included (tests and on-premises services use
// it).
type EgressRules struct {
	// Allow, when not empty, lists the only networks calls may reach
	// (loopback stays allowed unless DenyLoopback). An address in Allow
	// that is also in DefaultDeny is allowed: that is how to reach a
	// link-local service on purpose.
	Allow []netip.Prefix `json:"allow,omitempty"`
	// Deny lists networks refused in addition to DefaultDeny.
	Deny []netip.Prefix `json:"deny,omitempty"`
	// DenyHosts lists host names refused in addition to DefaultDenyHosts.
	DenyHosts []string `json:"denyHosts,omitempty"`
	// DenyLoopback refuses 127.0.0.0/8 and ::1.
	DenyLoopback bool `json:"denyLoopback,omitempty"`
	// Resolver looks up host names; nil uses net.DefaultResolver.
	Resolver Resolver `json:"-"`
}

// EgressError is a refused destination.
type EgressError struct {
	Host   string
	Addr   netip.Addr
	Reason string
}

func (e *EgressError) Error() string {
	if e.Addr.IsValid() && e.Addr.String() != e.Host {
		return fmt.Sprintf("egress to %s (%s) is denied: %s", e.Host, e.Addr, e.Reason)
	}
	return fmt.Sprintf("egress to %s is denied: %s", e.Host, e.Reason)
}

func inAny(list []netip.Prefix, a netip.Addr) bool {
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Check reports whether address a may be reached, as an *EgressError when
// not.
func (r *EgressRules) Check(host string, a netip.Addr) error {
	a = a.Unmap()
	explicit := inAny(r.Allow, a)
	switch {
	case inAny(r.Deny, a):
		return &EgressError{Host: host, Addr: a, Reason: "in the deny list"}
	case inAny(DefaultDeny, a) && !explicit:
		return &EgressError{Host: host, Addr: a, Reason: "cloud metadata and link-local addresses are denied by default"}
	case a.IsLoopback():
		if r.DenyLoopback && !explicit {
			return &EgressError{Host: host, Addr: a, Reason: "loopback is denied"}
		}
		return nil
	case a.IsUnspecified():
		return &EgressError{Host: host, Addr: a, Reason: "unspecified address"}
	case len(r.Allow) > 0 && !explicit:
		return &EgressError{Host: host, Addr: a, Reason: "not in the allow list"}
	}
	return nil
}

func (r *EgressRules) deniedHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	for _, list := range [][]string{DefaultDenyHosts, r.DenyHosts} {
		for _, d := range list {
			if h == strings.ToLower(d) {
				return true
			}
		}
	}
	return false
}

// DialContext returns a dial function that resolves the host, checks every
// address against the rules before any packet is sent, and dials a
// checked address (so a second lookup cannot rebind to another one).
func (r *EgressRules) DialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if d == nil {
		d = &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if r.deniedHost(host) {
			return nil, &EgressError{Host: host, Reason: "cloud metadata host names are denied"}
		}
		var addrs []netip.Addr
		if a, err := netip.ParseAddr(host); err == nil {
			addrs = []netip.Addr{a}
		} else {
			res := r.Resolver
			if res == nil {
				res = net.DefaultResolver
			}
			ipnet := "ip"
			switch network {
			case "tcp4", "udp4":
				ipnet = "ip4"
			case "tcp6", "udp6":
				ipnet = "ip6"
			}
			addrs, err = res.LookupNetIP(ctx, ipnet, host)
			if err != nil {
				return nil, err
			}
			if len(addrs) == 0 {
				return nil, fmt.Errorf("no address for %s", host)
			}
		}
		for _, a := range addrs {
			if err := r.Check(host, a); err != nil {
				return nil, err
			}
		}
		var errs []error
		for _, a := range addrs {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
		return nil, errors.Join(errs...)
	}
}

// NewClient returns an HTTP/1.1 client ([Transport]) whose connections
// obey the rules. It ignores proxy environment variables (a proxy would
// hide the real destination from the rules) and follows redirects only on
// the same host: a redirect to another host is returned as the answer, so
// injected credentials (API key headers included) never leave for another
// host.
func (r *EgressRules) NewClient(timeout time.Duration) *http.Client {
	// The gateway's own transport: keep-alive connections (256 idle per
	// service), each call on its caller's goroutine.
	if timeout <= 0 {
		timeout = 100 * time.Second
	}
	t := &Transport{DialContext: r.DialContext(nil), Timeout: timeout}
	return &http.Client{Transport: t, Timeout: timeout, CheckRedirect: sameHostRedirects}
}

func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
		return http.ErrUseLastResponse
	}
	return nil
}
