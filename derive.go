package baas

// Derive returns a new Client of the same mini-program that shares c's
// backend and HTTP machinery (base URL, protocol, HTTP client, timeout,
// logger, platform, retries): the way a backend holds one Client per user
// cheaply, each with a session of its own.
//
// opts may set only what belongs to one user: WithStorage (by default a new
// MemoryStorage, never c's), WithCodeProvider, WithUserInfoProvider (by
// default c's) and WithClock. Any other option is a CodeIncorrectParameter *HError: make
// another backend's Client with New.
func (c *Client) Derive(opts ...Option) (*Client, error) {
	cfg := c.cfg
	cfg.storage = nil
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if sharedOf(cfg) != sharedOf(c.cfg) || cfg.plat != c.cfg.plat {
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
	logger   any
	platform string
	create   bool
	unionID  bool
	retry    RetryPolicy
	insecure bool
}

func sharedOf(c config) shared {
	return shared{c.baseURL, c.protocol, c.httpClient, int64(c.timeout), c.logger, c.platform, c.createUser, c.unionID, c.retry, c.insecure}
}
