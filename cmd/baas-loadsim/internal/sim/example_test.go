package sim_test

import (
	"context"
	"fmt"

	"github.com/wxbaas/baas/cmd/baas-loadsim/internal/sim"
	"github.com/wxbaas/baas/internal/emulator"
)

// Run 200 users against an emulator in the process, a quarter of them
// refusing their profile (no request: the SDK answers from the session)
// and the user record failing with a 503 for a tenth of them, drawn from
// the seed, with no retry: those users stop before their logout.
func ExampleSim_Run() {
	srv := emulator.NewServer()
	defer srv.Close()
	faults, err := sim.ParseFaults("user-record:503@0.1")
	if err != nil {
		panic(err)
	}
	retry, _ := sim.ParseRetry("none")
	s, err := sim.New(sim.Config{Users: 200, Concurrency: 8, Consent: 0.75, Faults: faults, Seed: 1, Retry: retry},
		sim.Embedded(srv))
	if err != nil {
		panic(err)
	}
	r, err := s.Run(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d users: %d consented, %d refused\n", r.Users.Started, r.Users.Consented, r.Users.Refused)
	for _, st := range r.Steps {
		fmt.Printf("%-12s %3d calls, %3d requests, errors %v\n", st.Name, st.Calls, st.Requests, st.Errors)
	}
	// Output:
	// 200 users: 150 consented, 50 refused
	// silent-login 200 calls, 200 requests, errors map[]
	// authenticate 200 calls, 150 requests, errors map[]
	// user-record  200 calls, 200 requests, errors map[503:22]
	// logout       178 calls, 178 requests, errors map[]
}
