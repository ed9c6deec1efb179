package redisstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/rueidis"

	"github.com/wxbaas/baas"
)

// script is a Lua script that writes the session: run by rueidis (EVALSHA,
// then EVAL when Redis does not have it), or, with WithReplicaAck, sent by
// its source with a WAIT after it (see acked), which rueidis's Lua cannot
// do.
type script struct {
	lua *rueidis.Lua
	src string
}

// newScript is the script of src.
func newScript(src string) *script {
	return &script{lua: rueidis.NewLuaScript(src), src: src}
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
		// Not Dedicated: on a standalone client it waits for a free
		// connection of the blocking pool with no deadline; DoMulti's wait
		// ends with ctx.
		return s.acked(ctx, s.client, sc, keys, args)
	}
	// A cluster client follows a MOVED answer to the script to the slot's
	// new master but keeps the WAIT's answer from the node it asked first,
	// which may be a master too: a dedicated connection follows no
	// redirection, so both answers come from the node that ran the script,
	// or the write fails. (Its Dedicated takes the connection under ctx.)
	err = s.client.Dedicated(func(d rueidis.DedicatedClient) error {
		v, err = s.acked(ctx, d, sc, keys, args)
		return err
	})
	return v, err
}

// setScript writes values and the snapshot, and sets the session's expiry
// on all the keys but an account's marker, in one step. The marker
// (KeyIsAnonymousUser) of an account session ("0" or "1") never expires:
// it says that the last session was an account's, which must outlive the
// session itself, so that a Client never replaces an expired account
// session with a WeChat login. A WeChat login's marker ("") says nothing
// (readMarker takes it for none) and expires with its session. KEYS: the
// session keys (sessionKeys order), then the snapshot. ARGV[1]: the expiry
// in unix milliseconds, "0" for none, "" to keep the session's (the token
// key's); then pairs of a key's index in KEYS and its value.
var setScript = newScript(`
local exp = ARGV[1]
local raw = redis.call('GET', KEYS[#KEYS])
local snap = {v = 0, k = {}}
if raw then snap = cjson.decode(raw) end
snap.v = snap.v + 1
for i = 2, #ARGV, 2 do
  local key = KEYS[tonumber(ARGV[i])]
  redis.call('SET', key, ARGV[i + 1])
  snap.k[string.sub(key, string.find(key, '}', 1, true) + 1)] = ARGV[i + 1]
end
redis.call('SET', KEYS[#KEYS], cjson.encode(snap))
local ttl = 0
if exp == '' then
  ttl = redis.call('PTTL', KEYS[` + strconv.Itoa(tokenIndex) + `])
  if ttl == -2 then
    return snap.v
  end
end
local marker = redis.call('GET', KEYS[` + strconv.Itoa(markerIndex) + `])
local account = marker and marker ~= ''
for i = 1, #KEYS do
  if (i == ` + strconv.Itoa(markerIndex) + ` and account) or exp == '0' or ttl == -1 then
    redis.call('PERSIST', KEYS[i])
  elseif exp ~= '' then
    redis.call('PEXPIREAT', KEYS[i], exp)
  else
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
return snap.v
`)

// deleteScript removes keys and their values from the snapshot, in one
// step. KEYS: the keys, then the snapshot. A snapshot left with no value
// keeps its version for an hour, so that a cached older one is known stale.
var deleteScript = newScript(`
local raw = redis.call('GET', KEYS[#KEYS])
for i = 1, #KEYS - 1 do
  redis.call('DEL', KEYS[i])
end
local snap = {v = 0, k = {}}
if raw then snap = cjson.decode(raw) end
snap.v = snap.v + 1
for i = 1, #KEYS - 1 do
  snap.k[string.sub(KEYS[i], string.find(KEYS[i], '}', 1, true) + 1)] = nil
end
if next(snap.k) == nil then
  redis.call('SET', KEYS[#KEYS], cjson.encode(snap), 'EX', 3600)
else
  redis.call('SET', KEYS[#KEYS], cjson.encode(snap), 'KEEPTTL')
end
return snap.v
`)

// Set stores all the values, or none, in one script, with the session's
// expiry as the keys' TTL: the ifx_baas_session_expires_at value when
// values carry it, else the stored session's, and no TTL for a session that
// does not expire. Set refuses keys that the SDK does not keep.
func (s *Store) Set(ctx context.Context, values map[string]string) error {
	if ctx == nil {
		return errNilContext
	}
	exp := ""
	if v, ok := values[baas.KeySessionExpiresAt]; ok {
		exp = "0"
		if v != "" {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil || sec <= 0 {
				return fmt.Errorf("redisstore: %s is %q, not a time in unix seconds", baas.KeySessionExpiresAt, v)
			}
			exp = strconv.FormatInt(sec*1000, 10)
		}
	}
	args := make([]string, 1, 1+2*len(values))
	args[0] = exp
	for k, v := range values {
		i := keyIndex(k)
		if i < 0 {
			return fmt.Errorf("redisstore: %q is not a key the SDK keeps", k)
		}
		args = append(args, strconv.Itoa(i+1), v)
	}
	bctx, b := s.within(ctx)
	defer b.release()
	v, err := s.write(bctx, setScript, s.keys(), args)
	s.raiseFloor(v) // when the master has the write, acknowledged or not
	if err != nil {
		return s.fail(ctx, b, "saving", err)
	}
	return nil
}

// Delete removes the keys, and their values from the snapshot, in one
// script. It refuses keys that the SDK does not keep.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	if ctx == nil {
		return errNilContext
	}
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys), len(keys)+1)
	for i, k := range keys {
		if keyIndex(k) < 0 {
			return fmt.Errorf("redisstore: %q is not a key the SDK keeps", k)
		}
		full[i] = s.Key(k)
	}
	bctx, b := s.within(ctx)
	defer b.release()
	v, err := s.write(bctx, deleteScript, append(full, s.snapKey), nil)
	s.raiseFloor(v)
	if err != nil {
		return s.fail(ctx, b, "deleting", err)
	}
	return nil
}
