// SPDX-License-Identifier: Apache-2.0

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/actions"
)

// Connections is an [actions.ConnectionResolver] whose connections.json
// can be swapped while the engine runs (the --workflows sync), and which
// resolves connections of the server through its gateway.
//
// A reference name resolves, in order: to the server connection named by
// its connections.json entry's "junction": {"connection": NAME}; to the
// connections.json entry itself (its own connector and parameters); to
// the server connection of the same name when connections.json has no
// such entry (or there is no connections.json).
type Connections struct {
	cur atomic.Pointer[actions.FileConnections]
	gw  atomic.Pointer[GatewayConnections]
	// HTTPClient sends the calls of connectors that connections.json
	// imports itself (junction.connector); set it before the sync starts.
	HTTPClient *http.Client
}

// UseGateway makes server connections resolvable through g.
func (c *Connections) UseGateway(g *GatewayConnections) { c.gw.Store(g) }

// Resolve implements [actions.ConnectionResolver].
func (c *Connections) Resolve(ctx context.Context, ref string) (connector.Provider, connector.Connection, error) {
	fc, gw := c.cur.Load(), c.gw.Load()
	if fc != nil {
		if server, found := fc.ServerConnection(ref); found {
			if server == "" {
				return fc.Resolve(ctx, ref)
			}
			if gw == nil {
				return nil, connector.Connection{}, fmt.Errorf("connection '%s' names the server connection '%s', but this server has no gateway", ref, server)
			}
			return gw.Resolve(ctx, server)
		}
	}
	if gw != nil && gw.Has(ctx, ref) {
		return gw.Resolve(ctx, ref)
	}
	if fc == nil {
		return nil, connector.Connection{}, fmt.Errorf("connection '%s': no connections.json is loaded and the server has no connection of that name", ref)
	}
	return fc.Resolve(ctx, ref)
}

var _ actions.ConnectionResolver = (*Connections)(nil)

// DirSync keeps the workflows of a Logic Apps Standard project folder
// (DIR/<name>/workflow.json, DIR/connections.json, DIR/parameters.json)
// deployed, polling modification times.
type DirSync struct {
	s     *Server
	dir   string
	conns *Connections

	mu    sync.Mutex
	stamp map[string]fileStamp // path → last seen
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// NewDirSync returns a sync of dir into s; conns (may be nil) receives
// connections.json.
func NewDirSync(s *Server, dir string, conns *Connections) *DirSync {
	return &DirSync{s: s, dir: dir, conns: conns, stamp: map[string]fileStamp{}}
}

// Run syncs every interval until ctx ends.
func (d *DirSync) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := d.Sync(ctx); err != nil && ctx.Err() == nil {
				d.s.log.Warn("syncing workflows folder", "dir", d.dir, "error", err)
			}
		}
	}
}

func (d *DirSync) changed(path string) (bool, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		_, had := d.stamp[path]
		delete(d.stamp, path)
		return had, false
	}
	st := fileStamp{mod: fi.ModTime(), size: fi.Size()}
	old, had := d.stamp[path]
	d.stamp[path] = st
	return !had || old != st, true
}

// Sync deploys new and changed workflows and removes those whose folder
// is gone. Invalid workflows are logged and skipped (the last good
// version stays deployed).
func (d *DirSync) Sync(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := os.Stat(d.dir); err != nil {
		return fmt.Errorf("workflows folder: %w", err)
	}
	connPath := filepath.Join(d.dir, "connections.json")
	if ch, ok := d.changed(connPath); ch && d.conns != nil {
		if ok {
			fc, err := actions.NewFileConnections(connPath, nil, nil)
			if err == nil {
				fc.HTTPClient = d.conns.HTTPClient
			}
			if err != nil {
				d.s.log.Warn("connections.json not loaded", "path", connPath, "error", err)
			} else {
				d.conns.cur.Store(fc)
				d.s.log.Info("connections loaded", "path", connPath)
			}
		} else {
			d.conns.cur.Store(nil)
		}
	}
	paramsPath := filepath.Join(d.dir, "parameters.json")
	paramsChanged, _ := d.changed(paramsPath)
	params, err := readParameters(paramsPath)
	if err != nil {
		d.s.log.Warn("parameters.json not loaded", "path", paramsPath, "error", err)
	}
	files, err := filepath.Glob(filepath.Join(d.dir, "*", "workflow.json"))
	if err != nil {
		return err
	}
	present := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f))
		present[name] = true
		ch, _ := d.changed(f)
		if !ch && !paramsChanged {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			d.s.log.Warn("reading workflow", "path", f, "error", err)
			continue
		}
		if ent := d.s.lookup(name); ent != nil && ent.wf.Source == SourceFiles && !paramsChanged {
			if v := versionOf(body); v == ent.wf.Version {
				continue
			}
		}
		if _, _, warnings, err := d.s.Deploy(ctx, name, body, SourceFiles, params); err != nil {
			var he *Error
			if errors.As(err, &he) {
				d.s.log.Warn("workflow not deployed", "path", f, "error", he.Detail, "problems", fmt.Sprint(he.Errors))
			} else {
				d.s.log.Warn("workflow not deployed", "path", f, "error", err)
			}
			delete(d.stamp, f) // retry at the next change
		} else {
			for _, w := range warnings {
				d.s.log.Debug("workflow warning", "path", f, "warning", w)
			}
		}
	}
	d.s.mu.RLock()
	var gone []string
	for name, ent := range d.s.catalog {
		if ent.wf.Source == SourceFiles && !present[name] {
			gone = append(gone, name)
		}
	}
	d.s.mu.RUnlock()
	for _, name := range gone {
		if err := d.s.Remove(ctx, name); err != nil {
			d.s.log.Warn("removing workflow", "workflow", name, "error", err)
		}
	}
	return nil
}

// readParameters reads a Standard parameters.json ({name: {type, value}})
// into a JSON object name → value; nil when the file is absent.
func readParameters(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := expr.Decode(bytes.TrimSpace(b))
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	o, ok := v.(*expr.Object)
	if !ok {
		return nil, fmt.Errorf("%s is not a JSON object", path)
	}
	out := expr.NewObject(o.Len())
	for _, k := range o.Keys() {
		x, _ := o.Get(k)
		if xo, ok := x.(*expr.Object); ok {
			if inner, _, ok := xo.GetFold("value"); ok {
				x = inner
			}
		}
		out.Set(k, x)
	}
	return json.Marshal(out)
}

func versionOf(body []byte) string { return engine.Version(body) }
