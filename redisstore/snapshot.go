package redisstore

import (
	"encoding/json"
	"slices"
)

// snapshotName is the key that holds the whole session as one JSON object,
// {"v": version, "k": {name: value}}, written with the others in the same
// script: reads take it, so that a read served from the client-side cache is
// never a mix of two writes (rueidis caches the keys of an MGET one by one).
// Every write increments its version.
const snapshotName = "ifx_baas_session"

// snapshot is the session as its snapshot key holds it: the values in
// sessionKeys order, which of them are stored, and the version. A Store
// keeps the last one it decoded for as long as its client holds the session
// in cache, so it is an array rather than a map: a third of the bytes.
type snapshot struct {
	v    int64
	vals [len(sessionKeys)]string
	has  uint16 // bit i: sessionKeys[i] is stored
}

// decoded is a snapshot and the bytes it was decoded from.
type decoded struct {
	raw  string
	snap snapshot
}

// decode reads the snapshot's JSON into p, leaving out the names that the
// SDK does not keep.
func (p *snapshot) decode(raw string) error {
	var w struct {
		V int64             `json:"v"`
		K map[string]string `json:"k"`
	}
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		return err
	}
	*p = snapshot{v: w.V}
	for k, v := range w.K {
		if i := keyIndex(k); i >= 0 {
			p.vals[i] = v
			p.has |= 1 << i
		}
	}
	return nil
}

// version returns the snapshot's version, and 0 for none (nil).
func (p *snapshot) version() int64 {
	if p == nil {
		return 0
	}
	return p.v
}

// get returns the value of a wx storage name, and whether it is stored.
func (p *snapshot) get(name string) (string, bool) {
	i := keyIndex(name)
	if p == nil || i < 0 || p.has&(1<<i) == 0 {
		return "", false
	}
	return p.vals[i], true
}

// keyIndex returns the place of a wx storage name in sessionKeys, and -1
// when the Store does not keep it.
func keyIndex(name string) int { return slices.Index(sessionKeys[:], name) }
