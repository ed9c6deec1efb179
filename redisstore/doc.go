// Package redisstore keeps baas sessions in Redis, so that the replicas of a
// service share them: one login across replicas, and a logout on one seen by
// all at their next call.
//
//	rc, _ := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}})
//	store, err := redisstore.New(rc, "user:42") // an error only for a bad prefix or a nil client
//	c, _ := baas.New(clientID, baas.WithStorage(store), baas.WithCodeProvider(codes))
//
// A Store holds the session of one user under one prefix; a backend that
// serves many users holds one Store (and one baas.Client, see
// baas.Client.Derive) per user over one rueidis.Client.
//
// # Reads
//
// The session is read on every call of the Client, so a Store reads it in
// one GET of its snapshot key ({prefix}ifx_baas_session: the whole session
// as one versioned JSON value, written with the other keys) served from
// rueidis's server-assisted client-side cache: no round trip while the
// session has not changed, and never a mix of two writes. When there is no
// snapshot, a second GET, cached too, reads the marker of an account
// session that outlived it (see Writes). When another replica writes the
// session, Redis pushes an invalidation and the next read goes to the
// server; WithCacheTTL bounds how long an entry may live should an
// invalidation be lost. A cached snapshot older than the Store's own last
// write is read again from the server.
//
// # Writes
//
// Set writes all its keys in one Lua script, atomically, with the session's
// expiry as their TTL: the keys vanish when the session expires, and a
// session that does not expire has none. One key may outlive it: the marker
// of an account session (ifx_baas_is_anonymous_user "0" or "1") has no TTL,
// so that a Client never replaces an expired account session with a WeChat
// login; a WeChat login's marker ("") expires with the others. Delete
// removes keys, and their values from the snapshot, in one script too.
// Redis copies writes to replicas asynchronously; WithReplicaAck makes a
// write wait until a replica has it (WAIT 1), so that no acknowledged
// session is lost with its master.
//
// # Redis Cluster
//
// On Redis Cluster (or a managed Redis in cluster mode) a Store takes a
// rueidis cluster client, which rueidis makes when given the nodes'
// addresses (any of them will do: it asks one for the slots; ShuffleInit
// spreads that question over them):
//
//	rc, _ := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"}, ShuffleInit: true})
//
// The keys of a session share the hash tag {prefix}, so each script runs
// on one slot and users spread over the masters by their prefixes. When a
// master fails, calls on the sessions of its slots fail with a 690 naming
// the cause, each within the Store's timeout, until its replica takes over
// (the cluster-node-timeout, an election, and rueidis learning the new
// slots: about three seconds with a node timeout of one second), then work
// again, with nothing to restart. A session written just before its master
// died may be missing on the promoted replica (its user then logs in
// again); with WithReplicaAck, none whose write returned nil is.
//
// # One login across replicas
//
// The Store is a baas.LoginLocker: before a Client spends a code it takes
// the Store's login lock (SET NX PX with a random owner, released by its
// owner only, bounded by WithLockTTL), then reads the session again; when
// another replica has just logged in, it uses that session instead (the
// lock's script reads the session's version, so that this read is not
// served a cached copy older than it). Waiters are woken when the lock is
// released (a message on a channel under the prefix), not by a tight poll.
// While the holder's login runs, its lock is renewed every third of the TTL,
// up to WithLockMaxHold: a login slower than the TTL keeps the others
// waiting for its session, and a replica that dies holding the lock stops
// renewing it, so it delays the others at most the TTL.
//
// # Failures
//
// Errors are plain errors naming the Redis operation and its cause, which
// a Client reports as its own *baas.HError: a 690 when Redis is down, fails
// or does not answer, a 601 or a 692 when the caller's context ended first
// (the error then wraps the context's). Each call to Redis ends by the
// caller's deadline or the Store's own (WithTimeout, DefaultTimeout),
// whichever is sooner: a read that rueidis retries while Redis is down
// gives up before it with the connection's error, and a Redis that does not
// answer is ErrNoAnswer, "no answer within" it. A failed Set writes nothing,
// but for ErrNoReplicaAck (WithReplicaAck): the master has that write, no
// replica acknowledged it in time. The Store needs no repair when Redis
// comes back: the next call works.
package redisstore
