// SPDX-License-Identifier: Apache-2.0

package ftp_test

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/ftp"
)

// TestFTPS runs against an FTPS server (AUTH TLS, protected data
// connections with session reuse) when $JUNCTION_TEST_FTPS_ADDR names one
// that accepts the FTP test user, with its CA in the PEM file
// $JUNCTION_TEST_FTPS_CA ($JUNCTION_TEST_FTPS_IMPLICIT_ADDR adds an
// implicit TLS server with the same CA). scripts/test-servers.sh starts
// both beside the plain server; without them the test skips, or fails when
// CI=true.
func TestFTPS(t *testing.T) {
	addr, caFile := os.Getenv("JUNCTION_TEST_FTPS_ADDR"), os.Getenv("JUNCTION_TEST_FTPS_CA")
	if addr == "" || caFile == "" {
		msg := "FTPS test servers not configured ($JUNCTION_TEST_FTPS_ADDR, $JUNCTION_TEST_FTPS_CA); start them with: scripts/test-servers.sh start && eval \"$(scripts/test-servers.sh env)\""
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	e := setup(t) // the plain server's user and a fresh folder name
	ca, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(addr, ":")
	tlsConn := e.conn("host", host, "port", port, "tls", "explicit", "caCertificate", string(ca), "rootFolder", nil)
	c := ftp.New(ftp.Config{})

	tests := []struct {
		name string
		conn connector.Connection
		want connector.ErrorKind
	}{
		{"trusted ca", tlsConn, connector.KindUnknown},
		{"system roots", e.conn("host", host, "port", port, "tls", "explicit", "rootFolder", nil), connector.KindUnauthenticated},
		{"insecure skip", e.conn("host", host, "port", port, "tls", "explicit", "insecureSkipTLSVerify", true, "rootFolder", nil), connector.KindUnknown},
		{"plain refused", e.conn("host", host, "port", port, "rootFolder", nil), connector.KindUnauthenticated},
	}
	if a := os.Getenv("JUNCTION_TEST_FTPS_IMPLICIT_ADDR"); a != "" {
		h, p, _ := strings.Cut(a, ":")
		tests = append(tests, struct {
			name string
			conn connector.Connection
			want connector.ErrorKind
		}{"implicit", e.conn("host", h, "port", p, "tls", "implicit", "caCertificate", string(ca), "rootFolder", nil), connector.KindUnknown})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.name == "implicit" {
				// A transfer proves the data connections are TLS too.
				if _, err := c.Invoke(t.Context(), tt.conn, "ListFolder", connector.Input{Parameters: map[string]any{"id": "/"}}); err != nil {
					t.Fatalf("ListFolder: %v", err)
				}
			}
			err := c.Test(t.Context(), tt.conn)
			if tt.want == connector.KindUnknown && err != nil {
				t.Fatalf("Test: %v", err)
			}
			if tt.want != connector.KindUnknown && connector.KindOf(err) != tt.want {
				t.Fatalf("Test: %v (kind %v), want %v", err, connector.KindOf(err), tt.want)
			}
		})
	}

	t.Run("transfer", func(t *testing.T) {
		name := e.root + ".txt"
		data := strings.Repeat("secret payload ", 100_000)
		if _, err := c.Invoke(t.Context(), tlsConn, "CreateFile", connector.Input{Parameters: map[string]any{"folderPath": "/", "name": name}, Body: data}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = c.Invoke(t.Context(), tlsConn, "DeleteFile", connector.Input{Parameters: map[string]any{"id": "/" + name}})
		})
		st, err := c.InvokeStream(t.Context(), tlsConn, "GetFileContent", connector.Input{Parameters: map[string]any{"id": "/" + name}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(st.Body)
		st.Body.Close()
		if err != nil || string(got) != data {
			t.Fatalf("read %d bytes back: %v", len(got), err)
		}
		if _, err := c.Invoke(t.Context(), tlsConn, "CreateFile", connector.Input{Parameters: map[string]any{"folderPath": "/", "name": name, "overwrite": true}, Body: ""}); err != nil {
			t.Fatalf("empty file: %v", err)
		}
		out, err := c.Invoke(t.Context(), tlsConn, "ListFolder", connector.Input{Parameters: map[string]any{"id": "/"}})
		if err != nil {
			t.Fatal(err)
		}
		if raw, _ := json.Marshal(out.Body); !strings.Contains(string(raw), name) {
			t.Errorf("listing does not show %s", name)
		}
	})
}
