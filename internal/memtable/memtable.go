// Package memtable is the map in memory that this module's own storages
// (baas.MemoryStorage and filestore.Store) keep the session in, with a
// generation that every change bumps. A baas.Client given one of them keeps
// the session it parsed until the generation changes: a silent login with a
// valid session then costs no parsing at all.
//
// A storage hands its table to the Client through Handle, which it embeds
// under an unexported alias, so that the method stays out of its
// documentation; see View.
package memtable

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Table is a map of strings that many goroutines may read while one
// changes it, with a generation that changes with it. Its zero value is not
// ready: Init makes the map.
type Table struct {
	mu  sync.RWMutex
	m   map[string]string
	gen atomic.Uint64
}

// Init gives t an empty map.
func (t *Table) Init() { t.m = make(map[string]string) }

// Get returns the value of key, and whether it is there.
func (t *Table) Get(key string) (string, bool) {
	t.mu.RLock()
	v, ok := t.m[key]
	t.mu.RUnlock()
	return v, ok
}

// Len returns how many keys t holds.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.m)
}

// Change runs edit on the map under the write lock and bumps the
// generation.
func (t *Table) Change(edit func(m map[string]string)) {
	t.mu.Lock()
	edit(t.m)
	t.gen.Add(1)
	t.mu.Unlock()
}

// Swap makes m the map, as one change. The caller hands m over: it must
// not change m afterwards.
func (t *Table) Swap(m map[string]string) {
	t.mu.Lock()
	t.m = m
	t.gen.Add(1)
	t.mu.Unlock()
}

// Clone returns a copy of the map.
func (t *Table) Clone() map[string]string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return maps.Clone(t.m)
}

// Load copies the values of keys into dst (an absent key reads as ""),
// under one read lock, and returns the generation they belong to. dst must
// be as long as keys.
func (t *Table) Load(keys, dst []string) (gen uint64) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i, k := range keys {
		dst[i] = t.m[k]
	}
	return t.gen.Load()
}

// Generation returns a number that changes whenever the map does.
func (t *Table) Generation() uint64 { return t.gen.Load() }

// View is what a Client reads of a storage's table: the generation, after
// the storage has caught up with changes made elsewhere (refresh: another
// process's write of a file), and the values of the session.
type View struct {
	self    any // the storage that owns the table
	table   *Table
	refresh func()
}

// Generation brings the table up to date with the storage, then returns
// its generation.
func (v *View) Generation() uint64 {
	if v.refresh != nil {
		v.refresh()
	}
	return v.table.Generation()
}

// Load is Table.Load on the storage's table.
func (v *View) Load(keys, dst []string) uint64 { return v.table.Load(keys, dst) }

// Handle is embedded by a storage of this module to hand its table to a
// Client. A storage embeds it under an unexported alias (type view =
// memtable.Handle), so that its one method, though in the storage's method
// set, is not in its documentation: it is for this module's Client only.
// The View is part of the Handle, so that it costs the storage no
// allocation of its own.
type Handle struct{ v View }

// NewHandle returns the Handle of self, a storage that keeps its values in
// table; refresh, when not nil, brings the table up to date before each
// read of the generation.
func NewHandle(self any, table *Table, refresh func()) Handle {
	return Handle{v: View{self: self, table: table, refresh: refresh}}
}

// SessionView returns the View of the storage when held, the Storage a
// Client was given, is the storage itself; nil when held is another type
// that embeds it, which may change what Get returns and must be read
// through its own methods.
func (h *Handle) SessionView(held any) *View {
	if h.v.table == nil || held != h.v.self {
		return nil
	}
	return &h.v
}

// Viewer is the Handle's method, as the Client looks for it in a Storage.
type Viewer interface {
	SessionView(held any) *View
}
