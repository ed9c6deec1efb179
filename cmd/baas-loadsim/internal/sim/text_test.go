package sim

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteText(t *testing.T) {
	r := faultyReport(t)
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, r))
	out := b.String()
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	assert.Contains(t, out, "200 users against the embedded emulator (v2), concurrency 8, scenario wechat, steps silent-login,authenticate,user-record,logout, retry none")
	assert.Contains(t, out, "faults silent-login:503@0.1,user-record:500@0.1 (seed 3)")
	assert.Contains(t, out, "users:      200 started, "+itoa(r.Users.Completed)+" completed, "+itoa(r.Users.Failed)+" failed")
	assert.Regexp(t, `throughput: \d+ users/s, \d+ logins/s, \d+ requests/s`, out)
	assert.Regexp(t, `(?m)^\s*step\s+calls\s+ok\s+refused\s+errors\s+requests\s+min ms\s+p50 ms\s+p90 ms\s+p99 ms\s+p99\.9 ms\s+max ms\s+mean ms\s*$`, out)
	login, auth, rec := step(t, r, SilentLogin), step(t, r, Authenticate), step(t, r, UserRecord)
	l := login.Latency
	ms := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	assert.Regexp(t, `(?m)^\s*silent-login\s+200\s+`+itoa(login.OK)+`\s+0\s+`+itoa(login.Errors["503"])+`\s+200\s+`+
		ms(l.Min)+`\s+`+ms(l.P50)+`\s+`+ms(l.P90)+`\s+`+ms(l.P99)+`\s+`+ms(l.P999)+`\s+`+ms(l.Max)+`\s+`+ms(l.Mean)+`\s*$`, out)
	assert.Contains(t, out, "calls that sent no request, left out of the latencies: authenticate "+itoa(auth.NoRequest)+"\n")

	// The codes: a column for each, a row for each step.
	assert.Contains(t, out, "\ncalls by HTTP status or HError code (603: refused, not an error):\n")
	assert.Regexp(t, `(?m)^\s*step\s+200\s+201\s+500\s+503\s+603\s*$`, out)
	assert.Regexp(t, `(?m)^\s*silent-login\s+-\s+`+itoa(login.OK)+`\s+-\s+`+itoa(login.Errors["503"])+`\s+-\s*$`, out)
	assert.Regexp(t, `(?m)^\s*authenticate\s+-\s+`+itoa(auth.OK)+`\s+-\s+-\s+`+itoa(auth.Refused)+`\s*$`, out)
	assert.Regexp(t, `(?m)^\s*user-record\s+`+itoa(rec.OK)+`\s+-\s+`+itoa(rec.Errors["500"])+`\s+-\s+-\s*$`, out)

	// The thresholds come last, each with its mark and what was measured.
	// The only errors are the faults' (the codes above).
	errs := 100 * float64(login.Errors["503"]+rec.Errors["500"]) / float64(login.Calls+auth.Calls+rec.Calls+step(t, r, Logout).Calls)
	assert.True(t, strings.HasSuffix(out, "\nthresholds: 1 of 2 crossed\n"+
		"  ✗ errors<1%      "+strconv.FormatFloat(errs, 'f', 2, 64)+"%\n"+
		"  ✓ logout:p99<1h  "+ms(step(t, r, Logout).Latency.P99)+" ms\n"), out)
	assert.NotContains(t, out, "memory:")
	assert.NotContains(t, out, "registered", "no register step")
	assert.NotContains(t, out, "bcrypt")
}
