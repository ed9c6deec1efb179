package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseThreshold reads each form of threshold, and writes it back as
// it reads it.
func TestParseThreshold(t *testing.T) {
	cases := []struct {
		spec, canonical string
		want            Threshold
	}{
		{"password-login:p99<50ms", "", Threshold{Step: PasswordLogin, PerStep: true, Metric: MetricP99, Op: Less, Limit: 50}},
		{"silent-login:p50<=1.5ms", "", Threshold{Step: SilentLogin, PerStep: true, Metric: MetricP50, Op: LessOrEqual, Limit: 1.5}},
		{"logout:p90<2s", "", Threshold{Step: Logout, PerStep: true, Metric: MetricP90, Op: Less, Limit: 2000}},
		{"logout:p95<800µs", "logout:p95<800µs", Threshold{Step: Logout, PerStep: true, Metric: MetricP95, Op: Less, Limit: 0.8}},
		{"logout:p95<800us", "logout:p95<800µs", Threshold{Step: Logout, PerStep: true, Metric: MetricP95, Op: Less, Limit: 0.8}},
		{"register:p99.9<1s", "", Threshold{Step: Register, PerStep: true, Metric: MetricP999, Op: Less, Limit: 1000}},
		{"user-record:max<100ms", "", Threshold{Step: UserRecord, PerStep: true, Metric: MetricMax, Op: Less, Limit: 100}},
		{"user-record:mean<10ms", "", Threshold{Step: UserRecord, PerStep: true, Metric: MetricMean, Op: Less, Limit: 10}},
		{"authenticate:min>=0s", "authenticate:min>=0s", Threshold{Step: Authenticate, PerStep: true, Metric: MetricMin, Op: GreaterOrEqual}},
		{"logout:p99<1h", "", Threshold{Step: Logout, PerStep: true, Metric: MetricP99, Op: Less, Limit: 3600000}},
		{"logout:p99<1m", "", Threshold{Step: Logout, PerStep: true, Metric: MetricP99, Op: Less, Limit: 60000}},
		{"logout:p99<1h0m5s", "", Threshold{Step: Logout, PerStep: true, Metric: MetricP99, Op: Less, Limit: 3605000}},
		{"logout:p99<90s", "logout:p99<1m30s", Threshold{Step: Logout, PerStep: true, Metric: MetricP99, Op: Less, Limit: 90000}},
		{"errors<1%", "", Threshold{Metric: MetricErrors, Op: Less, Limit: 1}},
		{"errors<=0%", "", Threshold{Metric: MetricErrors, Op: LessOrEqual}},
		{"logout:errors<0.5%", "", Threshold{Step: Logout, PerStep: true, Metric: MetricErrors, Op: Less, Limit: 0.5}},
		{"rps>100", "", Threshold{Metric: MetricRPS, Op: Greater, Limit: 100}},
		{"silent-login:rps>=2500.5", "", Threshold{Step: SilentLogin, PerStep: true, Metric: MetricRPS, Op: GreaterOrEqual, Limit: 2500.5}},
		{"  password-login : p99 < 50ms ", "password-login:p99<50ms", Threshold{Step: PasswordLogin, PerStep: true, Metric: MetricP99, Op: Less, Limit: 50}},
		{"errors < 1 %", "errors<1%", Threshold{Metric: MetricErrors, Op: Less, Limit: 1}},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			got, err := ParseThreshold(c.spec)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			want := c.canonical
			if want == "" {
				want = c.spec
			}
			assert.Equal(t, want, got.String())
			back, err := ParseThreshold(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, back, "String reads back")
		})
	}
}

// TestParseThresholdErrors: each bad threshold is refused with an error
// that quotes it and says what is wrong, listing what is valid.
func TestParseThresholdErrors(t *testing.T) {
	cases := []struct{ spec, errMsg string }{
		{"", `threshold "": want [STEP:]METRIC<LIMIT, e.g. password-login:p99<50ms, errors<1% or rps>=100`},
		{"p99", `threshold "p99": want [STEP:]METRIC<LIMIT`},
		{"<50ms", `threshold "<50ms": no metric`},
		{"password-login:p98<50ms", `unknown metric "p98": want a step's latency (p50, p90, p95, p99, p99.9, max, mean or min, e.g. password-login:p99<50ms), errors (errors<1%, logout:errors<=0%) or rps (rps>100)`},
		{"latency<50ms", `unknown metric "latency"`},
		{"login:p99<50ms", `unknown step "login" (want silent-login, authenticate, register, password-login, <platform>-silent-login, <platform>-authenticate, user-record, logout (platform: alipay, qq, baidu, bytedance, jd, kuaishou))`},
		{":p99<50ms", `unknown step ""`},
		{"p99<50ms", `threshold "p99<50ms": p99 is a step's latency: name the step, e.g. password-login:p99<50ms (steps: silent-login, authenticate, register, password-login, <platform>-silent-login, <platform>-authenticate, user-record, logout (platform: alipay, qq, baidu, bytedance, jd, kuaishou))`},
		{"max<1s", "max is a step's latency"},
		{"errors=0%", `operator "=": want <, <=, > or >=`},
		{"errors==0%", `operator "=="`},
		{"errors=<1%", `operator "=<"`},
		{"errors!=0%", `operator "!="`},
		{"errors<>1%", `operator "<>"`},
		{"logout:p99<50", `limit "50" of p99: want a duration, e.g. 50ms`},
		{"logout:p99<-5ms", `limit "-5ms" of p99`},
		{"logout:p99<", `limit "" of p99`},
		{"logout:p99<0s", "p99<0 never holds (nothing measures below 0): want p99<=0"},
		{"errors<1", `limit "1" of errors: want a percentage from 0% to 100%, e.g. 1%`},
		{"errors<0.01", `limit "0.01" of errors`},
		{"errors<101%", `limit "101%" of errors`},
		{"errors<NaN%", `limit "NaN%" of errors`},
		{"errors<0%", "errors<0 never holds"},
		{"errors>100%", "errors>100% never holds"},
		{"rps>fast", `limit "fast" of rps: want a number of requests per second, e.g. 100`},
		{"rps>-1", `limit "-1" of rps`},
		{"rps>Inf", `limit "Inf" of rps`},
		{"rps>100/s", `limit "100/s" of rps`},
		{"logout:p99:x<1s", `unknown metric "p99:x"`},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			_, err := ParseThreshold(c.spec)
			require.ErrorContains(t, err, c.errMsg)
			assert.Contains(t, err.Error(), "threshold ")
		})
	}
}

// TestThresholdCheck: a threshold on a step the run does not take, or
// not one ParseThreshold makes, is refused.
func TestThresholdCheck(t *testing.T) {
	th, err := ParseThreshold("password-login:p99<50ms")
	require.NoError(t, err)
	assert.NoError(t, th.Check(PasswordSteps))
	assert.EqualError(t, th.Check(WeChatSteps),
		"threshold password-login:p99<50ms: the run has no step password-login (its steps: silent-login,authenticate,user-record,logout)")
	assert.ErrorContains(t, Threshold{Metric: MetricP99, Op: Less, Limit: 5}.Check(AllSteps), "a latency is a step's")
	assert.ErrorContains(t, Threshold{Metric: numMetrics}.Check(AllSteps), "not a valid threshold")
	assert.ErrorContains(t, Threshold{Metric: MetricRPS, Op: 9}.Check(AllSteps), "not a valid threshold")
	assert.ErrorContains(t, Threshold{Metric: MetricRPS, Limit: -1}.Check(AllSteps), "not a valid threshold")

	_, err = New(Config{Users: 1, Concurrency: 1, Thresholds: []Threshold{th}}, Embedded(newServer(t)))
	assert.ErrorContains(t, err, "the run has no step password-login")
}

// knownReport is a report of two steps whose every number is known.
func knownReport() *Report {
	return &Report{
		ElapsedSeconds: 2,
		Throughput:     Throughput{RequestsPerSecond: 150},
		Steps: []StepReport{
			{Name: "silent-login", Calls: 200, OK: 190, Requests: 200, Errors: map[string]int64{"503": 10},
				Latency: Latency{Min: 0.5, P50: 2, P90: 8, P95: 9, P99: 12, P999: 30, Max: 40, Mean: 3}},
			{Name: "authenticate", Calls: 100, OK: 0, Refused: 100, NoRequest: 100, Errors: map[string]int64{}},
		},
	}
}

// TestEvaluate checks thresholds against a known report: what each
// measures, whether it holds, and why one with nothing to measure fails.
func TestEvaluate(t *testing.T) {
	cases := []struct {
		spec  string
		value float64
		unit  string
		ok    bool
		note  string
	}{
		{"silent-login:p99<50ms", 12, "ms", true, ""},
		{"silent-login:p99<12ms", 12, "ms", false, ""},
		{"silent-login:p99<=12ms", 12, "ms", true, ""},
		{"silent-login:p50<1ms", 2, "ms", false, ""},
		{"silent-login:p90<10ms", 8, "ms", true, ""},
		{"silent-login:p95<9ms", 9, "ms", false, ""},
		{"silent-login:p99.9<25ms", 30, "ms", false, ""},
		{"silent-login:max<=40ms", 40, "ms", true, ""},
		{"silent-login:mean<2.5ms", 3, "ms", false, ""},
		{"silent-login:min>=500µs", 0.5, "ms", true, ""},
		{"errors<5%", 10.0 / 300 * 100, "%", true, ""},
		{"errors<3%", 10.0 / 300 * 100, "%", false, ""},
		{"silent-login:errors<5%", 5, "%", false, ""},
		{"silent-login:errors<=5%", 5, "%", true, ""},
		{"authenticate:errors<=0%", 0, "%", true, ""},
		{"rps>=150", 150, "requests/s", true, ""},
		{"rps>150", 150, "requests/s", false, ""},
		{"silent-login:rps>=100", 100, "requests/s", true, ""},
		{"authenticate:rps>0", 0, "requests/s", false, ""},
		// Every authenticate call was a refusal: no latency to check.
		{"authenticate:p99<1s", 0, "ms", false, "no call of authenticate sent a request"},
		{"logout:errors<1%", 0, "%", false, "the run has no step logout"},
	}
	r := knownReport()
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			th, err := ParseThreshold(c.spec)
			require.NoError(t, err)
			res := Evaluate(r, []Threshold{th})
			require.Len(t, res, 1)
			assert.Equal(t, c.spec, res[0].Threshold)
			assert.InDelta(t, c.value, res[0].Value, 1e-9)
			assert.Equal(t, c.unit, res[0].Unit)
			assert.Equal(t, c.ok, res[0].OK)
			assert.Equal(t, c.note, res[0].Note)
		})
	}

	var ths []Threshold
	for _, spec := range []string{"silent-login:p99<50ms", "errors<1%", "rps>1000"} {
		th, err := ParseThreshold(spec)
		require.NoError(t, err)
		ths = append(ths, th)
	}
	r.Thresholds = Evaluate(r, ths)
	assert.Equal(t, 2, r.Crossed())
	assert.Zero(t, (&Report{}).Crossed(), "no threshold, none crossed")
	assert.Empty(t, Evaluate(r, nil))
}

// TestRunThresholds: a run checks its thresholds at the end; the report
// holds each result, in the order given.
func TestRunThresholds(t *testing.T) {
	var ths []Threshold
	for _, spec := range []string{"errors<=0%", "silent-login:max<1h", "authenticate:p99<1h", "user-record:errors>50%"} {
		th, err := ParseThreshold(spec)
		require.NoError(t, err)
		ths = append(ths, th)
	}
	r := runSim(t, Config{Users: 40, Concurrency: 4, Consent: 0.5, Thresholds: ths}, Embedded(newServer(t)))
	require.Len(t, r.Thresholds, 4)
	assert.Equal(t, []bool{true, true, true, false}, []bool{r.Thresholds[0].OK, r.Thresholds[1].OK, r.Thresholds[2].OK, r.Thresholds[3].OK})
	assert.Equal(t, "user-record:errors>50%", r.Thresholds[3].Threshold)
	assert.Zero(t, r.Thresholds[3].Value)
	assert.Equal(t, step(t, r, SilentLogin).Latency.Max, r.Thresholds[1].Value)
	assert.Equal(t, 1, r.Crossed())
}
