// SPDX-License-Identifier: Apache-2.0

// Package ftp is the FTP and FTPS connector: files and folders on an FTP
// server, with the operations and trigger of the file connector
// (CreateFile, GetFileContent, ListFolder, ..., OnUpdatedFile).
//
// Transfers use passive mode (EPSV, then PASV). The tls connection
// parameter chooses none (plain FTP: the password crosses the network in
// clear), explicit (AUTH TLS on the normal port, then protected data
// connections: PBSZ 0, PROT P) or implicit (TLS from the first byte,
// usually port 990). The server certificate is verified against the system
// roots, or against caCertificate when set; insecureSkipTLSVerify turns the
// check off (tests only).
//
// Paths are relative to the connection's rootFolder (default: the login
// folder) and cannot leave it with "..". Modification times come from MDTM
// (one second precision) because LIST only shows minutes.
//
// Each call opens its own control connection and closes it at the end;
// CopyFile opens a second one to read the source while it writes the copy.
// A cancelled context closes the connections, which aborts a transfer at
// once. GetFileContent streams ([connector.Streamer]) and upload operations
// read a [connector.Stream] body as they go.
//
// FTP cannot rename without replacing: MoveFile, RenameFile and CopyFile
// without overwrite check that the target is absent first, so a file
// created at that very moment by someone else can still be replaced.
package ftp

import (
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/fsconn"
)

// ID is the connector id.
const ID = "ftp"

// OnUpdatedFile is the id of the trigger "When a file is added or modified".
const OnUpdatedFile = fsconn.OnUpdatedFile

// Item is what the trigger returns for one file.
type Item = fsconn.Item

func init() { connector.MustRegister(New(Config{})) }

// Config is the host's configuration of the connector.
type Config struct {
	// Timeout bounds connecting and each reply of the server; 0 means 30s.
	Timeout time.Duration
	// MaxContentBytes bounds a file read into memory (GetFileContent, the
	// trigger's content); 0 means 100 MiB. Streams are not bounded.
	MaxContentBytes int64
	// MaxExtractBytes bounds what ExtractFolder may write (and the local
	// copy of the archive it reads); 0 means 1 GiB.
	MaxExtractBytes int64
}

// Connector serves the FTP operations. It holds no connection between
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
		Title:       "FTP",
		Description: "Create, read, update, copy, move and delete files on an FTP or FTPS server (passive mode), and trigger on files added or modified.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		BrandColor:  "#5c6b73",
		Auth:        []connector.Auth{{Kind: connector.AuthBasic, Description: "User name and password (anonymous with an e-mail address as password where the server allows it)."}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "host", Type: connector.TypeString, Required: true, DisplayName: "Host", Description: "Host name or IP address of the FTP server."},
			{Name: "port", Type: connector.TypeInt, DisplayName: "Port", Description: "Control port; default 21, or 990 with tls implicit."},
			{Name: "username", Type: connector.TypeString, Required: true, DisplayName: "User name", Description: "FTP user name."},
			{Name: "password", Type: connector.TypeSecureString, DisplayName: "Password", Description: "FTP password."},
			{Name: "tls", Type: connector.TypeString, DisplayName: "TLS", Default: "none", AllowedValues: []any{"none", "explicit", "implicit"},
				Description: "none: plain FTP (credentials and data in clear); explicit: AUTH TLS on the control port (FTPES); implicit: TLS from the start (FTPS, port 990)."},
			{Name: "caCertificate", Type: connector.TypeString, DisplayName: "CA certificate", Description: "PEM certificate(s) the server's certificate must chain to, instead of the system roots (for a private CA or a self-signed server)."},
			{Name: "insecureSkipTLSVerify", Type: connector.TypeBool, DisplayName: "Skip TLS verification (insecure)", Default: false,
				Description: "Accept any server certificate: a man in the middle then gets the credentials. For tests only."},
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
