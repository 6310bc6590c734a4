// SPDX-License-Identifier: Apache-2.0

// Package testserver finds the real servers integration tests run against.
//
// scripts/test-servers.sh starts them on loopback and its env command prints
// the variables this package reads. [Require] returns a server's values, or
// stops the test when the server is not configured: outside CI the test is
// skipped with the command that starts the servers; when CI=true it fails,
// so a missing server never passes silently.
package testserver

import (
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// StartCommand is what a developer runs to start the servers and export
// their addresses.
const StartCommand = `scripts/test-servers.sh start && eval "$(scripts/test-servers.sh env)"`

// vars lists, per server, the environment variables it needs; the first one
// holds its address (host:port or URL).
var vars = map[string][]string{
	"postgres": {"JUNCTION_TEST_PG_DSN"},
	"mysql":    {"JUNCTION_TEST_MYSQL_DSN"},
	"sftp":     {"JUNCTION_TEST_SFTP_ADDR", "JUNCTION_TEST_SFTP_USER", "JUNCTION_TEST_SFTP_PASSWORD", "JUNCTION_TEST_SFTP_KEY", "JUNCTION_TEST_SFTP_HOST_KEY"},
	"ftp":      {"JUNCTION_TEST_FTP_ADDR", "JUNCTION_TEST_FTP_USER", "JUNCTION_TEST_FTP_PASSWORD"},
	"imap":     {"JUNCTION_TEST_IMAP_ADDR", "JUNCTION_TEST_MAIL_USER", "JUNCTION_TEST_MAIL_PASSWORD", "JUNCTION_TEST_MAIL_ADDRESS"},
	"pop3":     {"JUNCTION_TEST_POP3_ADDR", "JUNCTION_TEST_MAIL_USER", "JUNCTION_TEST_MAIL_PASSWORD", "JUNCTION_TEST_MAIL_ADDRESS"},
	"smtp":     {"JUNCTION_TEST_SMTP_ADDR", "JUNCTION_TEST_SMTP_RCPT"},
	"s3":       {"JUNCTION_TEST_S3_ENDPOINT", "JUNCTION_TEST_S3_REGION", "JUNCTION_TEST_S3_ACCESS_KEY", "JUNCTION_TEST_S3_SECRET_KEY"},
	"amqp":     {"JUNCTION_TEST_AMQP_URL"},
}

// Names returns the servers Require knows.
func Names() []string {
	out := make([]string, 0, len(vars))
	for k := range vars {
		out = append(out, k)
	}
	return out
}

// Require returns the environment values of server by variable name (for
// example "JUNCTION_TEST_PG_DSN"). When a variable is missing or the server
// does not answer, the test is skipped, or fails when CI=true.
func Require(t testing.TB, server string) map[string]string {
	t.Helper()
	names, ok := vars[server]
	if !ok {
		t.Fatalf("testserver: unknown server %q", server)
	}
	vals := make(map[string]string, len(names))
	var missing []string
	for _, n := range names {
		v := os.Getenv(n)
		if v == "" {
			missing = append(missing, n)
		}
		vals[n] = v
	}
	if len(missing) > 0 {
		unavailable(t, server, "$"+strings.Join(missing, ", $")+" not set")
		return nil
	}
	if addr := hostPort(vals[names[0]]); addr != "" {
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			unavailable(t, server, "nothing answers at "+addr)
			return nil
		}
		_ = c.Close()
	}
	return vals
}

func unavailable(t testing.TB, server, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("test server %s is required in CI but unavailable (%s); start it with: %s", server, why, StartCommand)
	}
	t.Skipf("test server %s unavailable (%s); to run this test: %s", server, why, StartCommand)
}

// hostPort extracts host:port from an address, a URL or a MySQL DSN; "" when
// it cannot tell.
func hostPort(v string) string {
	if i := strings.Index(v, "tcp("); i >= 0 {
		if j := strings.Index(v[i:], ")"); j > 0 {
			return v[i+4 : i+j]
		}
	}
	if i := strings.Index(v, "://"); i >= 0 {
		v = v[i+3:]
		if j := strings.LastIndex(v, "@"); j >= 0 {
			v = v[j+1:]
		}
		if j := strings.IndexAny(v, "/?"); j >= 0 {
			v = v[:j]
		}
	}
	if _, _, err := net.SplitHostPort(v); err != nil {
		return ""
	}
	return v
}
