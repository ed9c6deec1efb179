// Package storagetest holds the tests' checks of a baas.Storage, which the
// tests of the root package (MemoryStorage) and of filestore share.
package storagetest

import (
	"context"
	"testing"

	"github.com/wxbaas/baas"
)

// Values checks that s holds want and none of absent.
func Values(t *testing.T, s baas.Storage, want map[string]string, absent ...string) {
	t.Helper()
	for k, v := range want {
		got, ok, err := s.Get(context.Background(), k)
		if err != nil || !ok || got != v {
			t.Errorf("Get(%q) = %q, %v, %v; want %q, true, nil", k, got, ok, err, v)
		}
	}
	for _, k := range absent {
		got, ok, err := s.Get(context.Background(), k)
		if err != nil || ok || got != "" {
			t.Errorf("Get(%q) = %q, %v, %v; want absent", k, got, ok, err)
		}
	}
}

// BenchmarkGet measures Get on s, and fails when a Get allocates more than
// maxAllocs times.
func BenchmarkGet(b *testing.B, s baas.Storage, maxAllocs float64) {
	ctx := context.Background()
	if err := s.Set(ctx, map[string]string{baas.KeyAuthToken: "tok", baas.KeyUID: "1"}); err != nil {
		b.Fatalf("Set: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if v, ok, err := s.Get(ctx, baas.KeyAuthToken); !ok || err != nil || v != "tok" {
			b.Fatalf("Get = %q, %v, %v", v, ok, err)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _, _ = s.Get(ctx, baas.KeyUID) }); allocs > maxAllocs {
		b.Fatalf("Get allocates %v times per call, want at most %v", allocs, maxAllocs)
	}
}
