// SPDX-License-Identifier: Apache-2.0

package expr

import "sync"

// Cache memoizes [Compile] by source string, for engines that evaluate the
// same definition strings again and again. It is safe for concurrent use.
// When it holds Max entries it is emptied and starts over, which keeps
// memory bounded without bookkeeping on the hot path.
type Cache struct {
	Max int // maximum number of entries; 0 means 4096

	mu sync.RWMutex
	m  map[string]cacheEntry
}

type cacheEntry struct {
	t   *Template
	err error
}

// Compile returns the compiled template for s, compiling it on first use.
// Compile errors are cached too.
func (c *Cache) Compile(s string) (*Template, error) {
	c.mu.RLock()
	e, ok := c.m[s]
	c.mu.RUnlock()
	if ok {
		return e.t, e.err
	}
	t, err := Compile(s)
	max := c.Max
	if max <= 0 {
		max = 4096
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= max {
		c.m = make(map[string]cacheEntry)
	}
	c.m[s] = cacheEntry{t, err}
	c.mu.Unlock()
	return t, err
}

// Len returns the number of cached entries.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
