// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/openapi"
	"github.com/junction-run/junction/connector/rest"
	"github.com/junction-run/junction/expr"
)

// FileConnections is a [ConnectionResolver] that reads the connections of a
// Logic Apps Standard connections.json file. See docs/connections-json.md
// for the format and Junction's "junction" extension.
//
// Connectors are loaded and connection values evaluated on first use of
// each connection, then kept. A FileConnections is safe for concurrent use.
type FileConnections struct {
	// HTTPClient sends the requests of imported REST connectors; nil uses
	// a client with a 100 s timeout. Set it before the first Resolve.
	HTTPClient *http.Client
	// Logger receives the connectors' Debug logs; nil discards. Set it
	// before the first Resolve.
	Logger *slog.Logger

	path        string
	dir         string
	reg         *connector.Registry
	appSettings func(string) (string, bool)
	managed     map[string]*managedConn
	order       []string
	services    map[string]bool

	mu       sync.Mutex
	resolved map[string]*resolvedConn
}

var _ ConnectionResolver = (*FileConnections)(nil)

// connectionsFile is the part of connections.json Junction reads.
type connectionsFile struct {
	ManagedAPIConnections      map[string]*managedConn    `json:"managedApiConnections"`
	ServiceProviderConnections map[string]json.RawMessage `json:"serviceProviderConnections"`
}

type managedConn struct {
	API struct {
		ID string `json:"id"`
	} `json:"api"`
	Connection struct {
		ID string `json:"id"`
	} `json:"connection"`
	Junction *junctionConn `json:"junction"`
}

// junctionConn is Junction's extension of a managed API connection.
type junctionConn struct {
	// Connector is a Power Platform connector folder or an OpenAPI file,
	// relative to the connections.json file.
	Connector string `json:"connector"`
	// ConnectorID names a registered connector (instead of Connector).
	ConnectorID string `json:"connectorId"`
	// BaseURL overrides the imported connector's base URL.
	BaseURL string `json:"baseUrl"`
	// Parameters are the connection parameter values; strings may use
	// @appsetting('NAME').
	Parameters map[string]any `json:"parameters"`
	// Connection names a connection of the Junction server (junction
	// serve): calls go through its gateway with that connection's stored
	// credentials, and the other fields must be empty.
	Connection string `json:"connection"`
}

type resolvedConn struct {
	prov connector.Provider
	conn connector.Connection
	err  error
}

// NewFileConnections reads the connections.json file at path. reg holds
// the registered connectors (nil means connector.Default()); appSettings
// answers @appsetting('NAME') in connection values (nil means the process
// environment). Only the file's syntax is checked here; connectors are
// loaded when a connection is first resolved.
func NewFileConnections(path string, reg *connector.Registry, appSettings func(string) (string, bool)) (*FileConnections, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading connections: %w", err)
	}
	var f connectionsFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	if reg == nil {
		reg = connector.Default()
	}
	if appSettings == nil {
		appSettings = os.LookupEnv
	}
	fc := &FileConnections{
		path: path, dir: filepath.Dir(path), reg: reg, appSettings: appSettings,
		managed: f.ManagedAPIConnections, services: map[string]bool{}, resolved: map[string]*resolvedConn{},
	}
	if fc.managed == nil {
		fc.managed = map[string]*managedConn{}
	}
	for name, mc := range fc.managed {
		if mc == nil {
			return nil, fmt.Errorf("%s: managedApiConnections.%s is null", path, name)
		}
		if err := checkJunction(data, name); err != nil {
			return nil, fmt.Errorf("%s: managedApiConnections.%s.junction: %w", path, name, err)
		}
		fc.order = append(fc.order, name)
	}
	sort.Strings(fc.order)
	for name := range f.ServiceProviderConnections {
		fc.services[name] = true
	}
	return fc, nil
}

// checkJunction rejects unknown fields in the junction extension of one
// connection.
func checkJunction(data []byte, name string) error {
	var raw struct {
		M map[string]struct {
			J json.RawMessage `json:"junction"`
		} `json:"managedApiConnections"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	j := raw.M[name].J
	if len(j) == 0 || string(j) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	var jc junctionConn
	return dec.Decode(&jc)
}

// ServerConnection looks referenceName up as [FileConnections.Resolve]
// does. found reports whether the file has that managed API connection;
// server is its junction.connection (a connection of junction serve), ""
// when it has none.
func (fc *FileConnections) ServerConnection(referenceName string) (server string, found bool) {
	_, mc := fc.lookup(referenceName)
	if mc == nil {
		return "", false
	}
	if mc.Junction == nil {
		return "", true
	}
	return mc.Junction.Connection, true
}

// Names returns the names of the managed API connections, sorted.
func (fc *FileConnections) Names() []string { return append([]string(nil), fc.order...) }

// Resolve implements [ConnectionResolver]. referenceName is the key in
// managedApiConnections (matched exactly, then ignoring case) or the last
// segment of a connection's connection.id.
func (fc *FileConnections) Resolve(ctx context.Context, referenceName string) (connector.Provider, connector.Connection, error) {
	if err := ctx.Err(); err != nil {
		return nil, connector.Connection{}, err
	}
	name, mc := fc.lookup(referenceName)
	if mc == nil {
		if fc.services[referenceName] {
			return nil, connector.Connection{}, fmt.Errorf("'%s' is a service provider connection, which Junction does not support yet", referenceName)
		}
		return nil, connector.Connection{}, fmt.Errorf("%s has no managed API connection named '%s'", fc.path, referenceName)
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if r, ok := fc.resolved[name]; ok {
		return r.prov, r.conn, r.err
	}
	r := &resolvedConn{}
	r.prov, r.conn, r.err = fc.build(name, mc)
	fc.resolved[name] = r
	return r.prov, r.conn, r.err
}

func (fc *FileConnections) lookup(ref string) (string, *managedConn) {
	if mc, ok := fc.managed[ref]; ok {
		return ref, mc
	}
	for _, n := range fc.order {
		if strings.EqualFold(n, ref) {
			return n, fc.managed[n]
		}
	}
	for _, n := range fc.order {
		id := fc.managed[n].Connection.ID
		if i := strings.LastIndexByte(id, '/'); i >= 0 && strings.EqualFold(id[i+1:], ref) {
			return n, fc.managed[n]
		}
	}
	return "", nil
}

// settingsEnv answers appsetting() from the resolver's settings.
type settingsEnv struct {
	expr.BaseEnv
	get func(string) (string, bool)
}

// AppSetting implements [expr.Env].
func (e settingsEnv) AppSetting(name string) (string, error) {
	if v, ok := e.get(name); ok {
		return v, nil
	}
	return "", fmt.Errorf("the app setting '%s' is not set (%w)", name, expr.ErrNotAvailable)
}

func (fc *FileConnections) build(name string, mc *managedConn) (connector.Provider, connector.Connection, error) {
	jc := mc.Junction
	if jc == nil {
		jc = &junctionConn{}
	}
	if jc.Connection != "" {
		return nil, connector.Connection{Name: name}, fmt.Errorf("connection '%s' names the server connection '%s' (junction.connection), which only junction serve resolves", name, jc.Connection)
	}
	env := settingsEnv{get: fc.appSettings}
	conn := connector.Connection{Name: name, Values: map[string]any{}}
	keys := make([]string, 0, len(jc.Parameters))
	for k := range jc.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := expr.EvalValue(expr.FromGo(jc.Parameters[k]), env)
		if err != nil {
			return nil, conn, fmt.Errorf("connection '%s': parameter '%s': %w", name, k, err)
		}
		conn.Values[k] = v
	}
	baseURL := ""
	if jc.BaseURL != "" {
		v, err := expr.EvalValue(jc.BaseURL, env)
		if err != nil {
			return nil, conn, fmt.Errorf("connection '%s': baseUrl: %w", name, err)
		}
		baseURL = expr.Stringify(v)
	}
	if jc.Connector != "" {
		p := jc.Connector
		if !filepath.IsAbs(p) {
			p = filepath.Join(fc.dir, p)
		}
		spec, _, err := openapi.Load(p)
		if err != nil {
			return nil, conn, fmt.Errorf("connection '%s': loading connector %s: %w", name, jc.Connector, err)
		}
		return rest.New(spec, rest.Options{Client: fc.HTTPClient, Logger: fc.Logger, BaseURL: baseURL}), conn, nil
	}
	id := jc.ConnectorID
	if id == "" {
		api := mc.API.ID
		if i := strings.LastIndexByte(api, '/'); i >= 0 {
			api = api[i+1:]
		}
		id = connector.SanitizeID(api)
	}
	if id == "" {
		return nil, conn, fmt.Errorf("connection '%s' names no connector: set junction.connector, junction.connectorId or api.id", name)
	}
	prov, ok := fc.reg.Lookup(id)
	if !ok {
		return nil, conn, fmt.Errorf("connection '%s': no connector '%s' is registered (set junction.connector to import one)", name, id)
	}
	if baseURL != "" {
		return nil, conn, errors.New("junction.baseUrl applies only to imported connectors (junction.connector)")
	}
	return prov, conn, nil
}
