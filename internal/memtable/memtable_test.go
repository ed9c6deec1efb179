package memtable

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every change bumps the generation; Load reads the keys of one generation,
// "" for an absent one.
func TestTable(t *testing.T) {
	var tb Table
	tb.Init()
	g0 := tb.Generation()
	tb.Change(func(m map[string]string) { m["a"] = "1" })
	g1 := tb.Generation()
	assert.NotEqual(t, g0, g1)
	v, ok := tb.Get("a")
	assert.True(t, ok)
	assert.Equal(t, "1", v)

	tb.Swap(map[string]string{"b": "2", "c": "3"})
	dst := make([]string, 3)
	gen := tb.Load([]string{"a", "b", "c"}, dst)
	assert.Equal(t, []string{"", "2", "3"}, dst)
	assert.Equal(t, tb.Generation(), gen)
	assert.NotEqual(t, g1, gen)
	assert.Equal(t, 2, tb.Len())

	c := tb.Clone()
	c["d"] = "4"
	assert.True(t, maps.Equal(map[string]string{"b": "2", "c": "3"}, tb.Clone()), "a clone is a copy")
}

// A Handle gives its View to the storage itself only, and the View's
// generation runs refresh first.
func TestHandle(t *testing.T) {
	type storage struct{ name string }
	var tb Table
	tb.Init()
	self, other := &storage{"self"}, &storage{"other"}
	refreshes := 0
	h := NewHandle(self, &tb, func() {
		refreshes++
		tb.Change(func(m map[string]string) { m["n"] = "x" })
	})
	assert.Nil(t, h.SessionView(other), "another value")
	assert.Nil(t, h.SessionView(struct{ *storage }{self}), "a value that embeds it")
	assert.Nil(t, new(Handle).SessionView(self), "the zero Handle")
	v := h.SessionView(self)
	if assert.NotNil(t, v) {
		gen := v.Generation()
		assert.Equal(t, 1, refreshes)
		assert.Equal(t, tb.Generation(), gen)
		dst := make([]string, 1)
		assert.Equal(t, gen, v.Load([]string{"n"}, dst))
		assert.Equal(t, "x", dst[0])
	}
}
