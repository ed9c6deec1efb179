package baas

// Derive returns a new Client of the same mini-program that shares c's
// backend and HTTP machinery (base URL, protocol, HTTP client, timeouts,
// logger, platform, retries). A backend holds one Client per user that way,
// cheaply, each with a session of its own.
//
// opts may set only what belongs to one user: WithStorage (by default a new
// MemoryStorage, never c's), WithCodeProvider, WithUserInfoProvider (by
// default c's) and WithClock. For any other option Derive returns a
// CodeIncorrectParameter *HError: New makes the Client of another backend.
func (c *Client) Derive(opts ...Option) (*Client, error) {
	cfg := c.cfg
	cfg.storage = nil
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if sharedOf(cfg) != sharedOf(c.cfg) {
		return nil, newError(CodeIncorrectParameter, "Derive sets only WithStorage, WithCodeProvider, WithUserInfoProvider and WithClock: use New for another backend or transport", nil)
	}
	return c.withConfig(cfg), nil
}

// shared is what the Clients made by Derive have in common with their
// parent: everything but the storage, the providers and the clock.
type shared struct {
	baseURL  string
	protocol Protocol
	http     any
	timeout  int64
	attempt  int64
	logger   any
	platform string
	create   bool
	unionID  bool
	retry    RetryPolicy
	insecure bool
	plat     platformConfig
}

// sharedOf returns what of c a derived Client shares.
func sharedOf(c config) shared {
	return shared{c.baseURL, c.protocol, c.httpClient, int64(c.timeout), int64(c.attempt), c.logger, c.platform, c.createUser, c.unionID, c.retry, c.insecure, c.plat}
}
