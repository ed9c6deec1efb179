package emulator

// ringSize is the number of generations an expiring table keeps.
const ringSize = 8

// expiring is a table of entries that expire a fixed time (ttl) after they
// were put, such as login codes and sessions. It keeps them in a ring of
// generations, each a map of the entries put during one span of time, so
// that expired entries go a whole generation at a time: nothing is ever
// swept entry by entry, and the store's lock is never held for longer than
// a few map lookups. An entry is kept at most one span (ttl/7) past its
// expiry.
//
// The table also has a cap: when it holds max entries, the oldest generation
// is forgotten early, so that a flood of requests cannot grow it without
// bound.
//
// Values hold no pointers, so the garbage collector need not scan them.
type expiring[V any] struct {
	ttl, span int64 // nanoseconds
	max       int   // the most entries the table holds
	gens      [ringSize]generation[V]
	newest    int // the index in gens of the newest generation
	n         int // the number of entries in all generations
}

// generation holds the entries put during one span, from start on.
type generation[V any] struct {
	start int64
	m     map[secret]V // nil when empty
}

// newExpiring returns a table whose entries expire ttl nanoseconds after
// they were put, and which holds at most limit of them.
func newExpiring[V any](ttl int64, limit int) expiring[V] {
	return expiring[V]{ttl: ttl, span: max(1, (ttl+ringSize-2)/(ringSize-1)), max: max(1, limit)}
}

// put stores v under k at time now.
func (e *expiring[V]) put(k secret, v V, now int64) {
	e.expire(now)
	g := &e.gens[e.newest]
	if g.m == nil || now >= g.start+e.span {
		e.newest = (e.newest + 1) % ringSize
		e.drop(e.newest) // expired by construction: see expire
		g = &e.gens[e.newest]
		g.start = now
	}
	for e.n >= e.max {
		e.drop(e.oldest())
	}
	if g.m == nil {
		g.m = make(map[secret]V)
	}
	g.m[k] = v
	e.n++
}

// get returns the entry of k and the index of the generation that holds
// it, which set and remove take.
func (e *expiring[V]) get(k secret) (V, int, bool) {
	for i := range ringSize {
		gi := (e.newest - i + ringSize) % ringSize
		if v, ok := e.gens[gi].m[k]; ok {
			return v, gi, true
		}
	}
	var zero V
	return zero, 0, false
}

// set replaces the entry of k in generation gi, as get returned it.
func (e *expiring[V]) set(gi int, k secret, v V) { e.gens[gi].m[k] = v }

// remove deletes the entry of k in generation gi, as get returned it.
func (e *expiring[V]) remove(gi int, k secret) {
	if _, ok := e.gens[gi].m[k]; ok {
		delete(e.gens[gi].m, k)
		e.n--
	}
}

// expire drops every generation whose entries have all expired by now. A
// generation started at start holds entries put before start+span, all
// expired at start+span+ttl. Since generations start at least a span apart,
// the slot put reuses after ringSize-1 newer ones is always expired.
func (e *expiring[V]) expire(now int64) {
	for i := range e.gens {
		if g := &e.gens[i]; g.m != nil && now >= g.start+e.span+e.ttl {
			e.drop(i)
		}
	}
}

// oldest returns the index of the oldest generation that holds entries.
func (e *expiring[V]) oldest() int {
	for i := 1; i <= ringSize; i++ {
		if gi := (e.newest + i) % ringSize; e.gens[gi].m != nil {
			return gi
		}
	}
	return e.newest
}

// drop forgets the generation of index i and its entries.
func (e *expiring[V]) drop(i int) {
	e.n -= len(e.gens[i].m)
	e.gens[i].m = nil
}

// each calls fn with every entry kept, expired or not.
func (e *expiring[V]) each(fn func(k secret, v V)) {
	for i := range e.gens {
		for k, v := range e.gens[i].m {
			fn(k, v)
		}
	}
}

// len returns the number of entries kept, expired or not.
func (e *expiring[V]) len() int { return e.n }
