package redisstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"

	"github.com/redis/rueidis"
)

// script is a Lua script that writes the session: run by rueidis, or,
// with WithReplicaAck, sent with a WAIT after it, which rueidis's Lua
// cannot do.
type script struct {
	lua  *rueidis.Lua
	src  string
	sha1 string
}

// newScript is the script of src, its SHA-1 computed once for EVALSHA.
func newScript(src string) *script {
	sum := sha1.Sum([]byte(src))
	return &script{lua: rueidis.NewLuaScript(src), src: src, sha1: hex.EncodeToString(sum[:])}
}

// write runs sc on keys with args and returns what it returns, the
// session's new version. With WithReplicaAck, WAIT 1 follows the script on
// the same connection: Redis answers it once a replica has every write that
// connection made, the script's included. v is then the version even when
// the acknowledgement failed (the master has the write); 0 when the script
// did not run.
func (s *Store) write(ctx context.Context, sc *script, keys, args []string) (v int64, err error) {
	if s.replicaAck <= 0 {
		return sc.lua.Exec(ctx, s.client, keys, args).AsInt64()
	}
	if s.client.Mode() != rueidis.ClientModeCluster {
		return s.acked(ctx, s.client, sc, keys, args)
	}
	// A cluster client follows a MOVED answer to the script to the slot's
	// new master but keeps the WAIT's answer from the node it asked first,
	// which may be a master too: a dedicated connection follows no
	// redirection, so both answers come from the node that ran the script,
	// or the write fails.
	err = s.client.Dedicated(func(d rueidis.DedicatedClient) error {
		v, err = s.acked(ctx, d, sc, keys, args)
		return err
	})
	return v, err
}

// acked runs sc and then WAIT on c, in one pipeline, and checks that one
// replica acknowledged it. On a client (not a dedicated one) the pipeline
// goes to one connection of the blocking pool, as WAIT blocks: other calls
// do not queue behind it.
func (s *Store) acked(ctx context.Context, c rueidis.CommandClient, sc *script, keys, args []string) (int64, error) {
	n := int64(len(keys))
	wait := func() rueidis.Completed {
		return c.B().Wait().Numreplicas(1).Timeout(s.replicaAck.Milliseconds()).Build()
	}
	rs := c.DoMulti(ctx, c.B().Evalsha().Sha1(sc.sha1).Numkeys(n).Key(keys...).Arg(args...).Build(), wait())
	if rerr, ok := rueidis.IsRedisErr(rs[0].Error()); ok && rerr.IsNoScript() {
		rs = c.DoMulti(ctx, c.B().Eval().Script(sc.src).Numkeys(n).Key(keys...).Arg(args...).Build(), wait())
	}
	v, err := rs[0].AsInt64()
	if err != nil {
		return 0, err
	}
	acks, err := rs[1].AsInt64()
	if err != nil {
		return v, fmt.Errorf("WAIT, after the master took the write: %w", err)
	}
	if acks < 1 {
		return v, fmt.Errorf("%w within %v (redisstore.WithReplicaAck), though the master has it", ErrNoReplicaAck, s.replicaAck)
	}
	return v, nil
}
