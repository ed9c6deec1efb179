package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/rueidis"
)

// acked runs sc and then WAIT on c, in one pipeline, and checks that one
// replica acknowledged it. On a client (not a dedicated one) the pipeline
// goes to one connection of the blocking pool, as WAIT blocks: other calls
// do not queue behind it.
//
// The script goes as EVAL with its source, not EVALSHA: a Redis that does
// not have it (a replica just promoted, a fresh server, SCRIPT FLUSH) would
// answer NOSCRIPT, and the WAIT behind it would still wait, the whole
// timeout when there is no replica, before the write could be sent again:
// the write would wait twice. Redis caches the script by the source's SHA-1
// either way.
func (s *Store) acked(ctx context.Context, c rueidis.CommandClient, sc *script, keys, args []string) (int64, error) {
	rs := c.DoMulti(ctx,
		c.B().Eval().Script(sc.src).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build(),
		c.B().Wait().Numreplicas(1).Timeout(s.replicaAck.Milliseconds()).Build())
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
