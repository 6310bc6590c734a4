// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/sqlitestore"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/server"
	"github.com/junction-run/junction/internal/store/sqlite"
)

func init() {
	register(func() *cobra.Command {
		c := &cobra.Command{Use: "secrets", Short: "Manage the master key that seals connection secrets"}
		c.AddCommand(newSecretsRotateCmd())
		return c
	})
}

func newSecretsRotateCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Re-seal every connection secret under a new master key (server stopped)",
		Long: `Rotate re-seals every secret of the connections in DATA/connections.db
under a new master key and retires the old ones.

With the key file DATA/secret.key (the default), a new key is generated:
the file holds the new and the old keys until every connection is
re-sealed, then only the new one. An interrupted rotation can be run again.

With JUNCTION_SECRET_KEY, put the NEW key there and the old one in
JUNCTION_SECRET_KEY_PREVIOUS, run rotate, then start the server with only
JUNCTION_SECRET_KEY.

It works offline: stop junction serve first. It takes the data
directory's lock and refuses to run while a server holds it, so a running
server never keeps an old key in memory while the file changes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(data); err != nil {
				return &ExitError{Code: 1, Err: fmt.Errorf("data directory: %w", err)}
			}
			unlock, err := server.LockDataDir(data)
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			defer unlock()
			kr, err := connection.OpenKeyring(data, os.Getenv)
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			db, err := sqlitestore.OpenDir(data)
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			defer db.Close()
			svc, err := connection.NewService(connection.Options{Store: db, Keyring: kr,
				Connectors: func(string) (connector.Provider, bool) { return nil, false }})
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			// The engine's secure run data is sealed with the same keys.
			st, err := sqlite.OpenDir(data, sqlite.Options{})
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			defer st.Close()
			records := 0
			res, err := svc.Rotate(cmd.Context(), func(ctx context.Context, reseal func(string, string) (string, error)) error {
				n, err := engine.ResealSecureData(ctx, st, reseal)
				records = n
				return err
			})
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			retired := "none"
			if len(res.Retired) > 0 {
				retired = strings.Join(res.Retired, ", ")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "re-sealed %d connections and %d secure action records of running runs under key %s; retired keys: %s\n",
				res.Connections, records, res.Key, retired)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./junction-data", "data directory of the server")
	return cmd
}
