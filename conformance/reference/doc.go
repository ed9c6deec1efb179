// Package reference is the reference conformance suite: every case that
// MinCloud's API reference (the repository ifanrx/hydrogen-sdk-doc: the
// pages web-api/*.md, and the rules of js-sdk/*.md) documents for the auth
// endpoints, one documented request and status each, run over HTTP against
// the emulator binary (cmd/baas-emulator), so that it proves the service
// and not only the Go facade.
//
// The cases are a table in its tests, each naming the page it comes from;
// docs/protocol.md lists the same cases, and a test keeps the two alike.
// `go test ./conformance/reference/` builds the binary, or runs
// $BAAS_EMULATOR when set (CI builds it once).
package reference
