// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	_ "github.com/junction-run/junction/connectors/all" // built-in connectors in the catalogue

	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/sqlitestore"
	"github.com/junction-run/junction/internal/gateway"
	"github.com/junction-run/junction/internal/server"
)

// egressRules builds the gateway's egress rules from --egress-allow and
// --egress-deny (CIDR prefixes or single addresses).
func egressRules(allow, deny []string) (gateway.EgressRules, error) {
	var r gateway.EgressRules
	parse := func(flag string, list []string) ([]netip.Prefix, error) {
		var out []netip.Prefix
		for _, s := range list {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if p, err := netip.ParsePrefix(s); err == nil {
				out = append(out, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("--%s: %q is not a CIDR prefix or an address", flag, s)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
		return out, nil
	}
	var err error
	if r.Allow, err = parse("egress-allow", allow); err != nil {
		return r, err
	}
	if r.Deny, err = parse("egress-deny", deny); err != nil {
		return r, err
	}
	return r, nil
}

// serveGateway is the connector catalogue, the connection service and the
// gateway of `junction serve`, over DATA/connections.db.
type serveGateway struct {
	kr     *connection.Keyring // also seals the engine's secure run data
	db     *sqlitestore.DB
	cat    *server.Catalogue
	svc    *connection.Service
	gw     *gateway.Gateway
	client *http.Client
	once   sync.Once
}

func newGateway(ctx context.Context, f serveFlags, keys *server.Keys, egress gateway.EgressRules, base string, log *slog.Logger) (*serveGateway, error) {
	kr, err := connection.OpenKeyring(f.data, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("secret keyring: %w", err)
	}
	db, err := sqlitestore.OpenDir(f.data)
	if err != nil {
		return nil, err
	}
	g := &serveGateway{kr: kr, db: db, client: egress.NewClient(0)}
	glog := log.With("component", "gateway")
	g.cat, err = server.NewCatalogue(ctx, server.CatalogueOptions{
		Store: db, Client: g.client, InUse: server.ConnectionsOf(db), Logger: log.With("component", "connectors"),
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	g.svc, err = connection.NewService(connection.Options{
		Store: db, Keyring: kr, Connectors: g.cat.Lookup, Logger: log.With("component", "connections"),
		RedirectURL: base + "/oauth/callback", HTTPClient: egress.NewClient(30 * time.Second),
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	ckeys := connection.NewKeys(db, connection.KeysOptions{Reserved: []string{"admin"}})
	g.gw, err = gateway.New(gateway.Options{
		Connections: g.svc, Keys: ckeys, Connectors: g.cat.Lookup, ProviderFactory: g.cat.ProviderFactory,
		CheckAdmin: keys.CheckAdmin, Limits: gateway.Limits{PerConnection: f.ratePerConnection, PerKey: f.ratePerKey},
		Egress: egress, Client: g.client, Logger: glog,
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return g, nil
}

// close stores the queued call records and closes the database; it is
// idempotent.
func (g *serveGateway) close() {
	g.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = g.gw.Close(ctx)
		_ = g.db.Close()
	})
}
