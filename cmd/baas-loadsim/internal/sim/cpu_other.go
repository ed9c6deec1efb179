//go:build !unix

package sim

import "time"

// processCPU reports that the CPU time of the process cannot be read here.
func processCPU() (time.Duration, bool) { return 0, false }
