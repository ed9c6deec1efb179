package baas_test

import (
	"context"
	"fmt"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// BenchmarkLoginWithPassword measures a password login against the
// emulator, at bcrypt's lowest cost (what tests and the load simulator use)
// and at its default (what MinCloud pays), beside a WeChat silent login of
// the same Client and emulator: request, bcrypt, session, storage write.
func BenchmarkLoginWithPassword(b *testing.B) {
	ctx := context.Background()
	for _, cost := range []int{bcrypt.MinCost, bcrypt.DefaultCost} {
		b.Run(fmt.Sprintf("bcrypt-cost-%d", cost), func(b *testing.B) {
			srv := baastest.NewServer(baastest.WithPasswordCost(cost))
			b.Cleanup(srv.Close)
			c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithHTTPClient(newTransport()))
			if err != nil {
				b.Fatal(err)
			}
			cr := baas.Credentials{Username: "bench", Password: "bench-password"}
			if _, err := c.Register(ctx, cr); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if u, err := c.LoginWithPassword(ctx, cr); err != nil || u.ID != 1 {
					b.Fatalf("login: %v %v", u, err)
				}
			}
		})
	}
	b.Run("wechat-silent-login", func(b *testing.B) {
		srv := baastest.NewServer(baastest.WithCodeRateLimit(0))
		b.Cleanup(srv.Close)
		c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithHTTPClient(newTransport()),
			baas.WithCodeProvider(srv.WeChat().CodeProvider("oBench")))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			b.StopTimer()
			if err := c.ClearSession(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if u, err := c.Login(ctx, true); err != nil || u.ID != 1 {
				b.Fatalf("login: %v %v", u, err)
			}
		}
	})
}
