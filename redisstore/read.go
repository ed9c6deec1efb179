package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/rueidis"
	"github.com/wxbaas/baas"
)

// Get returns the value of key, and whether it is stored, from the
// session's snapshot: the client-side cache serves it while the session has
// not changed.
func (s *Store) Get(ctx context.Context, key string) (string, bool, error) {
	snap, err := s.read(ctx)
	if err != nil {
		return "", false, err
	}
	v, ok := snap.get(key)
	return v, ok, nil
}

// GetMany returns the values of the keys that are stored, in one read of the
// session's snapshot: the client-side cache serves it while the session has
// not changed.
func (s *Store) GetMany(ctx context.Context, keys ...string) (map[string]string, error) {
	snap, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, ok := snap.get(k); ok {
			out[k] = v
		}
	}
	return out, nil
}

// read returns the session's snapshot, or nil when there is none, through
// the client-side cache unless the cached version is older than the floor.
// The snapshot is shared: callers only read it.
func (s *Store) read(ctx context.Context) (*snapshot, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	bctx, b := s.within(ctx)
	defer b.release()
	key := s.snapKey
	snap, err := s.result(ctx, b, "GET", s.client.DoCache(bctx, s.client.B().Get().Key(key).Cache(), s.cacheTTL))
	if err != nil {
		return nil, err
	}
	if f := s.floor.Load(); snap.version() < f {
		if snap, err = s.result(ctx, b, "GET", s.client.Do(bctx, s.client.B().Get().Key(key).Build())); err != nil {
			return nil, err
		}
		if snap.version() < f { // the session expired since: versions start again
			s.floor.CompareAndSwap(f, snap.version())
		}
	}
	if snap == nil {
		return s.readMarker(ctx, bctx, b)
	}
	return snap, nil
}

// readMarker reads the marker of an account session that outlived its
// session (setScript gives it no TTL): once the snapshot has expired, the
// marker key alone says that the last session was not a WeChat one. It
// returns a snapshot holding only the marker, or nil when there is none.
func (s *Store) readMarker(ctx, bctx context.Context, b *bounded) (*snapshot, error) {
	key := s.Key(baas.KeyIsAnonymousUser)
	v, err := s.client.DoCache(bctx, s.client.B().Get().Key(key).Cache(), s.cacheTTL).ToString()
	if rueidis.IsRedisNil(err) || (err == nil && v == "") {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail(ctx, b, "GET", err)
	}
	snap := &snapshot{}
	snap.vals[markerIndex-1] = v
	snap.has = 1 << (markerIndex - 1)
	return snap, nil
}

// result reads the answer of op, a GET of the snapshot or a command that
// answers with it (nil: none; "": none, but the command succeeded).
func (s *Store) result(ctx context.Context, b *bounded, op string, r rueidis.RedisResult) (*snapshot, error) {
	raw, err := r.ToString()
	if rueidis.IsRedisNil(err) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail(ctx, b, op, err)
	}
	return s.decode(raw)
}

// decode reads a snapshot (nil: none), reusing the last one while the bytes
// are the same. It is shared: callers only read it.
func (s *Store) decode(raw string) (*snapshot, error) {
	if raw == "" {
		return nil, nil
	}
	if d := s.last.Load(); d != nil && d.raw == raw {
		return &d.snap, nil
	}
	d := &decoded{raw: raw}
	if err := d.snap.decode(raw); err != nil {
		// Not the JSON error: it quotes a byte of the value, which may be
		// a token's.
		return nil, fmt.Errorf("redis: %s is not a session snapshot", s.snapKey)
	}
	s.last.Store(d)
	return &d.snap, nil
}

// raiseFloor makes v the oldest version a read may return, unless the floor
// is higher already.
func (s *Store) raiseFloor(v int64) {
	for {
		f := s.floor.Load()
		if v <= f || s.floor.CompareAndSwap(f, v) {
			return
		}
	}
}
