package baas

import "time"

// unixTime returns the time of sec, a time in unix seconds as the server
// and wx storage write it; 0, which they write for "none", is the zero
// time.Time.
func unixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

// unixSeconds returns t in unix seconds, as the server and wx storage write
// it: 0 for the zero time.Time.
func unixSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
