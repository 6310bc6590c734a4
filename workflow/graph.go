// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"sort"
	"strings"
)

// buildGraph fills the runAfter graph of l: name index, start set,
// successors, a topological order and, if there is one, a cycle. runAfter
// names that are not siblings are left out (validation reports them).
func buildGraph(l *ActionList) {
	n := len(l.actions)
	l.byName = make(map[string]*Action, n)
	pos := make(map[*Action]int, n)
	for i, a := range l.actions {
		k := strings.ToLower(a.Name)
		if _, dup := l.byName[k]; !dup {
			l.byName[k] = a
		}
		pos[a] = i
	}
	l.succ = make(map[*Action][]*Action, n)
	preds := make([][]*Action, n) // distinct resolved predecessors
	for i, a := range l.actions {
		if len(a.RunAfter) == 0 {
			l.start = append(l.start, a)
		}
		seen := map[*Action]bool{}
		for _, name := range a.RunAfterNames() {
			p := l.Get(name)
			if p == nil || seen[p] {
				continue
			}
			seen[p] = true
			preds[i] = append(preds[i], p)
		}
	}
	// Successors in definition order.
	for i, a := range l.actions {
		for _, p := range preds[i] {
			l.succ[p] = append(l.succ[p], a)
		}
	}

	// Kahn's algorithm; the ready set is kept sorted by definition order so
	// the order is deterministic.
	indeg := make([]int, n)
	for i := range l.actions {
		indeg[i] = len(preds[i])
	}
	var ready []int
	for i := range l.actions {
		if indeg[i] == 0 {
			ready = append(ready, i)
		}
	}
	order := make([]*Action, 0, n)
	for len(ready) > 0 {
		i := ready[0]
		ready = ready[1:]
		a := l.actions[i]
		order = append(order, a)
		for _, s := range l.succ[a] {
			j := pos[s]
			indeg[j]--
			if indeg[j] == 0 {
				k := sort.SearchInts(ready, j)
				ready = append(ready, 0)
				copy(ready[k+1:], ready[k:])
				ready[k] = j
			}
		}
	}
	if len(order) == n {
		l.order = order
		return
	}
	// Every action left has a predecessor left: walk predecessors from the
	// first one until an action repeats.
	var start int
	for i := range l.actions {
		if indeg[i] > 0 {
			start = i
			break
		}
	}
	visited := map[int]int{} // action → position in walk
	var walk []int
	for cur := start; ; {
		if at, ok := visited[cur]; ok {
			walk = walk[at:]
			break
		}
		visited[cur] = len(walk)
		walk = append(walk, cur)
		for _, p := range preds[cur] {
			if indeg[pos[p]] > 0 {
				cur = pos[p]
				break
			}
		}
	}
	// The walk follows predecessors; reverse it into runAfter order and
	// rotate so the cycle starts at its first action in definition order.
	cycle := make([]*Action, len(walk))
	first := 0
	for i, w := range walk {
		cycle[len(walk)-1-i] = l.actions[w]
	}
	for i, a := range cycle {
		if pos[a] < pos[cycle[first]] {
			first = i
		}
	}
	l.cycle = append(cycle[first:], cycle[:first]...)
}
