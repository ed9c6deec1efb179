// Package testkit holds the test doubles that the tests of every package
// of this module share: a settable clock, a dialer that refuses on demand,
// and a scripted loopback origin. It is imported by tests only. It imports
// nothing of the SDK, so that the tests of every package can use it; the
// assertion on the SDK's errors is in its subpackage errtest, and the checks
// of a Storage in storagetest.
package testkit
