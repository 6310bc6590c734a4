// SPDX-License-Identifier: Apache-2.0

// Package sftp is the SFTP connector: files and folders on an SSH server,
// with the operations and trigger of the file connector (CreateFile,
// GetFileContent, ListFolder, ..., OnUpdatedFile).
//
// Authentication is by password or private key (OpenSSH or PEM format,
// optionally with a passphrase). The server's host key is pinned in the
// connection: hostKey holds its public key in authorized_keys format
// ("ssh-ed25519 AAAA...") or its SHA256 fingerprint ("SHA256:..."), one or
// more lines. Without it the connector refuses to connect, because a
// connector that trusts any host key hands the password (or a signature)
// to whoever answers on the network. insecureSkipHostKeyCheck lets a
// connection go without a pin (for tests and first contact only); the
// connector then logs the presented fingerprint at Warn on every connect,
// so an operator can pin it.
//
// Paths are relative to the connection's rootFolder (default: the login
// folder) and cannot leave it with "..". Symbolic links on the server are
// followed: confine the account on the server side (ChrootDirectory) when
// that matters.
//
// Each call opens its own SSH connection and closes it at the end; a
// cancelled context closes the connection, which aborts a transfer at once.
// GetFileContent streams ([connector.Streamer]) and upload operations read a
// [connector.Stream] body as they go, so large files are not held in memory.
package sftp

import (
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/fsconn"
)

// ID is the connector id.
const ID = "sftp"

// OnUpdatedFile is the id of the trigger "When a file is added or modified".
const OnUpdatedFile = fsconn.OnUpdatedFile

// Item is what the trigger returns for one file.
type Item = fsconn.Item

func init() { connector.MustRegister(New(Config{})) }

// Config is the host's configuration of the connector.
type Config struct {
	// Timeout bounds connecting and the SSH handshake; 0 means 30s.
	Timeout time.Duration
	// MaxContentBytes bounds a file read into memory (GetFileContent, the
	// trigger's content); 0 means 100 MiB. Streams are not bounded.
	MaxContentBytes int64
	// MaxExtractBytes bounds what ExtractFolder may write; 0 means 1 GiB.
	MaxExtractBytes int64
}

// Connector serves the SFTP operations. It holds no connection between
// calls.
type Connector struct {
	*fsconn.Service
	cfg Config
}

// New returns a connector; it does no I/O.
func New(cfg Config) *Connector {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	c := &Connector{cfg: cfg}
	c.Service = fsconn.New(fsconn.Config{
		Name: ID, Spec: spec(), Open: c.open,
		MaxContentBytes: cfg.MaxContentBytes, MaxExtractBytes: cfg.MaxExtractBytes,
	})
	return c
}

func spec() connector.Spec {
	return fsconn.Spec(fsconn.SpecOptions{
		ID:          ID,
		Title:       "SFTP",
		Description: "Create, read, update, copy, move and delete files on an SFTP (SSH) server, and trigger on files added or modified. The server's host key is pinned in the connection.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		BrandColor:  "#1f3a5f",
		Auth:        []connector.Auth{{Kind: connector.AuthBasic, Description: "User name with a password, an SSH private key (privateKey, privateKeyPassphrase), or both."}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "host", Type: connector.TypeString, Required: true, DisplayName: "Host", Description: "Host name or IP address of the SSH server."},
			{Name: "port", Type: connector.TypeInt, DisplayName: "Port", Description: "SSH port.", Default: 22},
			{Name: "username", Type: connector.TypeString, Required: true, DisplayName: "User name", Description: "SSH user name."},
			{Name: "password", Type: connector.TypeSecureString, DisplayName: "Password", Description: "Password; leave empty for key authentication."},
			{Name: "privateKey", Type: connector.TypeSecureString, DisplayName: "SSH private key", Description: "Private key in OpenSSH or PEM format (the whole file content)."},
			{Name: "privateKeyPassphrase", Type: connector.TypeSecureString, DisplayName: "Private key passphrase", Description: "Passphrase of an encrypted private key."},
			{Name: "hostKey", Type: connector.TypeString, DisplayName: "Host key",
				Description: "The server's public host key in authorized_keys format (ssh-ed25519 AAAA...) or its SHA256 fingerprint (SHA256:...), as printed by ssh-keyscan or ssh-keygen -lf; several lines accepted (any matches). Required unless insecureSkipHostKeyCheck is true."},
			{Name: "insecureSkipHostKeyCheck", Type: connector.TypeBool, DisplayName: "Skip host key check (insecure)", Default: false,
				Description: "Connect without hostKey, trusting any server key: a man in the middle then gets the credentials. For tests only; the presented fingerprint is logged so it can be pinned."},
			{Name: "rootFolder", Type: connector.TypeString, DisplayName: "Root folder", Description: "Folder on the server that paths are relative to and cannot leave; default the login folder."},
		},
	})
}

var (
	_ connector.Provider     = (*Connector)(nil)
	_ connector.Closer       = (*Connector)(nil)
	_ connector.Tester       = (*Connector)(nil)
	_ connector.Poller       = (*Connector)(nil)
	_ connector.Cleaner      = (*Connector)(nil)
	_ connector.Streamer     = (*Connector)(nil)
	_ connector.LoggerSetter = (*Connector)(nil)
)
