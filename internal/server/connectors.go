// SPDX-License-Identifier: Apache-2.0

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/openapi"
	"github.com/junction-run/junction/connector/policy"
	"github.com/junction-run/junction/connector/postman"
	"github.com/junction-run/junction/connector/rest"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/sqlitestore"
)

// ConnectorStore persists the imported connectors of a [Catalogue]
// (implemented by *sqlitestore.DB). Get and Delete return an error
// wrapping [connection.ErrNotFound] for a missing connector.
type ConnectorStore interface {
	PutConnector(ctx context.Context, c *sqlitestore.Connector) error
	GetConnector(ctx context.Context, id string) (*sqlitestore.Connector, error)
	ListConnectors(ctx context.Context) ([]*sqlitestore.Connector, error)
	DeleteConnector(ctx context.Context, id string) error
}

// CatalogueOptions configure a [Catalogue].
type CatalogueOptions struct {
	// Store keeps imported connectors; required.
	Store ConnectorStore
	// Builtin holds the built-in connectors; nil means connector.Default().
	Builtin *connector.Registry
	// Client sends the calls of imported connectors (the gateway's
	// egress-checked client); nil uses a client with a 100 s timeout.
	Client *http.Client
	// InUse returns the names of the connections of a connector; nil
	// means none (DELETE is then never refused).
	InUse func(ctx context.Context, connectorID string) ([]string, error)
	// Logger receives Warn logs of stored connectors that no longer
	// import; nil discards.
	Logger *slog.Logger
}

// Catalogue is the server's connector catalogue: the built-in connectors
// plus the imported ones (Power Platform folders, OpenAPI documents,
// Postman collections), whose raw documents are stored and imported again
// at every start. It is safe for concurrent use.
type Catalogue struct {
	o       CatalogueOptions
	builtin *connector.Registry
	log     *slog.Logger

	wmu      sync.Mutex // serializes writes
	mu       sync.RWMutex
	imported map[string]*importedConnector
}

type importedConnector struct {
	rec      *sqlitestore.Connector
	spec     *connector.Spec
	prov     *rest.Provider
	warnings []connector.Warning
}

// NewCatalogue returns a catalogue and imports the stored connectors. A
// stored connector that no longer imports is logged and left out.
func NewCatalogue(ctx context.Context, o CatalogueOptions) (*Catalogue, error) {
	if o.Store == nil {
		return nil, errors.New("connector catalogue: Store is required")
	}
	c := &Catalogue{o: o, builtin: o.Builtin, log: o.Logger, imported: map[string]*importedConnector{}}
	if c.builtin == nil {
		c.builtin = connector.Default()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	list, err := o.Store.ListConnectors(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading imported connectors: %w", err)
	}
	for _, rec := range list {
		ic, err := c.importRecord(rec)
		if err != nil {
			c.log.Warn("stored connector no longer imports", "connector", rec.ID, "error", err)
			continue
		}
		c.imported[rec.ID] = ic
	}
	return c, nil
}

// Lookup returns the provider of a connector, built-in or imported.
func (c *Catalogue) Lookup(id string) (connector.Provider, bool) {
	if p, ok := c.builtin.Lookup(id); ok {
		return p, true
	}
	c.mu.RLock()
	ic := c.imported[id]
	c.mu.RUnlock()
	if ic == nil {
		return nil, false
	}
	return ic.prov, true
}

// ProviderFactory is a [gateway.Options.ProviderFactory]: imported
// connectors are rebuilt over the gateway's client with every option they
// were built with; built-ins are used as registered.
func (c *Catalogue) ProviderFactory(id string, orig connector.Provider, client *http.Client) connector.Provider {
	c.mu.RLock()
	ic := c.imported[id]
	c.mu.RUnlock()
	if ic != nil && connector.Provider(ic.prov) == orig {
		return rest.New(ic.spec, c.restOptions(client))
	}
	return orig
}

func (c *Catalogue) restOptions(client *http.Client) rest.Options {
	if client == nil {
		client = c.o.Client
	}
	return rest.Options{Client: client, Logger: c.log}
}

// importRecord imports the documents of a stored connector.
func (c *Catalogue) importRecord(rec *sqlitestore.Connector) (*importedConnector, error) {
	var spec *connector.Spec
	var warns []connector.Warning
	var err error
	doc := func(name string) []byte {
		if s, ok := rec.Documents[name]; ok {
			return []byte(s)
		}
		return nil
	}
	switch rec.Kind {
	case kindFolder:
		spec, warns, err = openapi.ParseFolder(doc(fileSwagger), fileSwagger, doc(fileProperties), fileProperties)
	case kindPostman:
		spec, warns, err = postman.Parse(doc(fileCollection), fileCollection)
	case kindOpenAPI:
		spec, warns, err = openapi.Parse(doc(fileOpenAPI), fileOpenAPI)
	default:
		return nil, fmt.Errorf("unknown connector kind %q", rec.Kind)
	}
	if err != nil {
		return nil, err
	}
	spec.ID = rec.ID
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	prov := rest.New(spec, c.restOptions(nil))
	// A policy with wrong parameters does not stop the import (the
	// connector's other operations work), but its calls fail: say so now.
	for _, perr := range prov.PolicyErrors() {
		w := connector.Warning{Message: perr.Error() + "; the calls it applies to fail until it is fixed"}
		var pe *policy.Error
		if errors.As(perr, &pe) && rec.Kind == kindFolder {
			w.File, w.Pointer = fileProperties, fmt.Sprintf("/properties/policyTemplateInstances/%d", pe.Index)
		}
		warns = append(warns, w)
	}
	return &importedConnector{rec: rec, spec: spec, prov: prov, warnings: warns}, nil
}

// Kinds and document names of imported connectors.
const (
	kindFolder     = "folder"
	kindOpenAPI    = "openapi"
	kindPostman    = "postman"
	fileSwagger    = "apiDefinition.swagger.json"
	fileProperties = "apiProperties.json"
	fileOpenAPI    = "openapi"
	fileCollection = "collection.json"
)

// documentsOf chooses the kind of an uploaded connector by its content:
// {"apiDefinition": ..., "apiProperties": ...} is a Power Platform folder
// (each value a JSON document or a string holding one), a Postman
// collection is recognised by [postman.IsCollection], anything else is an
// OpenAPI document (JSON or YAML).
func documentsOf(body []byte) (string, map[string]string, error) {
	var env map[string]json.RawMessage
	if json.Unmarshal(body, &env) == nil {
		if def, ok := env["apiDefinition"]; ok {
			for k := range env {
				if k != "apiDefinition" && k != "apiProperties" {
					return "", nil, errorf(http.StatusBadRequest, "InvalidConnector", "unknown field %q next to apiDefinition: want {\"apiDefinition\": <swagger>, \"apiProperties\": <apiProperties>}", k)
				}
			}
			docs := map[string]string{fileSwagger: rawDocument(def)}
			if p, ok := env["apiProperties"]; ok && string(bytes.TrimSpace(p)) != "null" {
				docs[fileProperties] = rawDocument(p)
			}
			return kindFolder, docs, nil
		}
	}
	if postman.IsCollection(body) {
		return kindPostman, map[string]string{fileCollection: string(body)}, nil
	}
	return kindOpenAPI, map[string]string{fileOpenAPI: string(body)}, nil
}

// rawDocument returns a JSON value as a document: a string's content, or
// the value's own text.
func rawDocument(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// ConnectorSummary is one entry of the connector list.
type ConnectorSummary struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Version     string    `json:"version,omitempty"`
	Builtin     bool      `json:"builtin"`
	Kind        string    `json:"kind,omitempty"`
	Operations  int       `json:"operations"`
	Created     time.Time `json:"created,omitzero"`
	Updated     time.Time `json:"updated,omitzero"`
}

func summaryOf(spec *connector.Spec, builtin bool, rec *sqlitestore.Connector) ConnectorSummary {
	s := ConnectorSummary{ID: spec.ID, Title: spec.Title, Description: spec.Description, Version: spec.Version, Builtin: builtin, Operations: len(spec.Operations)}
	if rec != nil {
		s.Kind, s.Created, s.Updated = rec.Kind, rec.Created, rec.Updated
	}
	return s
}

// List returns every connector, built-in and imported, sorted by id.
func (c *Catalogue) List() []ConnectorSummary {
	var out []ConnectorSummary
	for _, id := range c.builtin.IDs() {
		if p, ok := c.builtin.Lookup(id); ok {
			spec := p.Spec()
			out = append(out, summaryOf(&spec, true, nil))
		}
	}
	c.mu.RLock()
	for _, ic := range c.imported {
		out = append(out, summaryOf(ic.spec, false, ic.rec))
	}
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Put imports body as connector id, stores its documents and registers
// it. It reports whether the connector was created and the import
// warnings. Unreadable input is a 400 *Error whose Errors locate the
// problem (file:line:column).
func (c *Catalogue) Put(ctx context.Context, id string, body []byte) (ConnectorSummary, bool, []connector.Warning, error) {
	if !connector.ValidID(id) {
		return ConnectorSummary{}, false, nil, errorf(http.StatusBadRequest, "InvalidConnectorId",
			"connector id %q: want lowercase letters and digits, '_' inside a word and '.' between namespaces (e.g. %q)", id, connector.SanitizeID(id))
	}
	if _, ok := c.builtin.Lookup(id); ok {
		return ConnectorSummary{}, false, nil, errorf(http.StatusConflict, "ConnectorBuiltin", "connector %q is built in and cannot be replaced", id)
	}
	kind, docs, err := documentsOf(body)
	if err != nil {
		return ConnectorSummary{}, false, nil, err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	now := time.Now().UTC()
	rec := &sqlitestore.Connector{ID: id, Kind: kind, Documents: docs, Created: now, Updated: now}
	c.mu.RLock()
	old := c.imported[id]
	c.mu.RUnlock()
	if old != nil {
		rec.Created = old.rec.Created
	}
	ic, err := c.importRecord(rec)
	if err != nil {
		return ConnectorSummary{}, false, nil, importProblem(err)
	}
	if err := c.o.Store.PutConnector(ctx, rec); err != nil {
		return ConnectorSummary{}, false, nil, fmt.Errorf("storing connector %q: %w", id, err)
	}
	c.mu.Lock()
	c.imported[id] = ic
	c.mu.Unlock()
	return summaryOf(ic.spec, false, rec), old == nil, ic.warnings, nil
}

// importProblem turns an import failure into a 400 problem that names the
// file, line and column when they are known.
func importProblem(err error) *Error {
	e := &Error{Status: http.StatusBadRequest, Code: "InvalidConnector", Detail: "the connector cannot be imported: " + err.Error()}
	var se *connector.SyntaxError
	if errors.As(err, &se) {
		path := se.File
		if se.Line > 0 {
			path = fmt.Sprintf("%s:%d:%d", se.File, se.Line, se.Column)
		}
		e.Errors = []ProblemError{{Path: path, Code: "SyntaxError", Message: se.Msg}}
	}
	return e
}

// Spec returns the spec of a connector and whether it is built in.
func (c *Catalogue) Spec(id string) (*connector.Spec, bool, bool) {
	if p, ok := c.builtin.Lookup(id); ok {
		spec := p.Spec()
		return &spec, true, true
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if ic := c.imported[id]; ic != nil {
		return ic.spec, false, true
	}
	return nil, false, false
}

// Delete removes an imported connector unless a connection uses it.
func (c *Catalogue) Delete(ctx context.Context, id string) error {
	if _, ok := c.builtin.Lookup(id); ok {
		return errorf(http.StatusConflict, "ConnectorBuiltin", "connector %q is built in and cannot be deleted", id)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.mu.RLock()
	ic := c.imported[id]
	c.mu.RUnlock()
	if ic == nil {
		return errorf(http.StatusNotFound, "ConnectorNotFound", "connector %q does not exist", id)
	}
	if c.o.InUse != nil {
		names, err := c.o.InUse(ctx, id)
		if err != nil {
			return fmt.Errorf("checking the connections of connector %q: %w", id, err)
		}
		if len(names) > 0 {
			return errorf(http.StatusConflict, "ConnectorInUse", "connector %q is used by connections %s: delete them first", id, strings.Join(names, ", "))
		}
	}
	if err := c.o.Store.DeleteConnector(ctx, id); err != nil && !errors.Is(err, connection.ErrNotFound) {
		return fmt.Errorf("deleting connector %q: %w", id, err)
	}
	c.mu.Lock()
	delete(c.imported, id)
	c.mu.Unlock()
	return nil
}

// ConnectionsOf returns an InUse function over a connection store.
func ConnectionsOf(st connection.Store) func(ctx context.Context, connectorID string) ([]string, error) {
	return func(ctx context.Context, connectorID string) ([]string, error) {
		list, err := st.ListConnections(ctx)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, cn := range list {
			if cn.ConnectorID == connectorID {
				names = append(names, cn.Name)
			}
		}
		return names, nil
	}
}

// HTTP handlers of /api/connectors.

func (s *Server) catalogue() (*Catalogue, error) {
	if s.connectors == nil {
		return nil, errorf(http.StatusNotImplemented, "ConnectorsUnavailable", "this server has no connector catalogue")
	}
	return s.connectors, nil
}

func (s *Server) listConnectors(w http.ResponseWriter, _ *http.Request) error {
	c, err := s.catalogue()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": c.List()})
	return nil
}

func (s *Server) getConnector(w http.ResponseWriter, r *http.Request) error {
	c, err := s.catalogue()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	spec, builtin, ok := c.Spec(id)
	if !ok {
		return errorf(http.StatusNotFound, "ConnectorNotFound", "connector %q does not exist", id)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encoding connector %q: %w", id, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("encoding connector %q: %w", id, err)
	}
	m["builtin"] = builtin
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) putConnector(w http.ResponseWriter, r *http.Request) error {
	c, err := s.catalogue()
	if err != nil {
		return err
	}
	body, err := s.readBody(r)
	if err != nil {
		return err
	}
	sum, created, warns, err := c.Put(r.Context(), r.PathValue("id"), body)
	if err != nil {
		return err
	}
	if warns == nil {
		warns = []connector.Warning{}
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, struct {
		ConnectorSummary
		Warnings []connector.Warning `json:"warnings"`
	}{sum, warns})
	return nil
}

func (s *Server) deleteConnector(w http.ResponseWriter, r *http.Request) error {
	c, err := s.catalogue()
	if err != nil {
		return err
	}
	if err := c.Delete(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
