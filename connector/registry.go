// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"fmt"
	"sort"
	"sync"
)

// Registry holds providers by connector id. It is safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	providers map[string]Provider
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{providers: make(map[string]Provider)}
}

// Register adds p under its spec's id. It fails for an invalid spec or an id
// already registered.
func (r *Registry) Register(p Provider) error {
	spec := p.Spec()
	if err := spec.Validate(); err != nil {
		return fmt.Errorf("registering connector: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.providers[spec.ID]; dup {
		return fmt.Errorf("registering connector: id %q already registered", spec.ID)
	}
	r.providers[spec.ID] = p
	return nil
}

// Replace adds or replaces the provider under its spec's id.
func (r *Registry) Replace(p Provider) error {
	spec := p.Spec()
	if err := spec.Validate(); err != nil {
		return fmt.Errorf("registering connector: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.providers[spec.ID] = p
	return nil
}

// Remove drops the provider with the given id and reports whether it was there.
func (r *Registry) Remove(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.providers[id]
	delete(r.providers, id)
	return ok
}

// Lookup returns the provider with the given id.
func (r *Registry) Lookup(id string) (Provider, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.providers[id]
	return p, ok
}

// IDs returns the registered ids, sorted.
func (r *Registry) IDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, 0, len(r.providers))
	for id := range r.providers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var defaultRegistry = NewRegistry()

// Default returns the registry that built-in connectors fill from init.
func Default() *Registry { return defaultRegistry }

// MustRegister adds p to the default registry and panics if it cannot: use
// it only from init, where a bad or duplicate id is a programming error.
func MustRegister(p Provider) {
	if err := defaultRegistry.Register(p); err != nil {
		panic(err)
	}
}
