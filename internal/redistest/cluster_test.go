package redistest

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A started Cluster has three masters, each with a replica that has synced;
// a key lives on the master MasterOf names, and the others redirect to it.
func TestStartCluster(t *testing.T) {
	c := StartCluster(t)
	masters := c.Masters()
	require.Len(t, masters, 3)
	for _, n := range c.Nodes() {
		role, link := n.replication()
		if role != "master" {
			assert.Equal(t, "up", link, n.Addr())
		}
	}

	for _, m := range masters {
		r := c.ReplicaOf(m)
		assert.NotContains(t, masters, r)
		assert.Equal(t, strconv.Itoa(m.port), r.info("replication")["master_port"])
	}

	require.NoError(t, c.Do("SET", "{user:1}k", "v").Error())
	home := c.MasterOf("{user:1}k")
	v, err := home.Do("GET", "{user:1}k").ToString()
	require.NoError(t, err)
	assert.Equal(t, "v", v)
	for _, m := range masters {
		if m != home {
			err := m.Do("GET", "{user:1}k").Error()
			assert.ErrorContains(t, err, "MOVED", m.Addr())
		}
	}
}

func TestServesSlot(t *testing.T) {
	for _, tc := range []struct {
		ranges []string
		slot   int64
		want   bool
	}{
		{[]string{"0-5460"}, 0, true},
		{[]string{"0-5460"}, 5460, true},
		{[]string{"0-5460"}, 5461, false},
		{[]string{"7000", "8000-8001"}, 7000, true},
		{[]string{"7000", "8000-8001"}, 8001, true},
		{[]string{"[93->-e7d1]", "94"}, 93, false},
		{nil, 1, false},
	} {
		assert.Equal(t, tc.want, servesSlot(tc.ranges, tc.slot), "%v %d", tc.ranges, tc.slot)
	}
}
