// Package sim is the engine of baas-loadsim: it runs many simulated
// mini-program users, each through its own baas.Client, against the
// baastest emulator (embedded, or a standalone one over HTTP), records the
// latency and outcome of every step, and turns them into a Report that can
// be written as text, JSON or a chart.
//
// A simulated user of the WeChat scenario (ScenarioWeChat) runs a
// mini-program's login layer:
//
//  1. silent-login: Login(ctx, true), a wx.login code exchanged for a session;
//  2. authenticate: HandleUserInfo with the getUserInfo button's event, the
//     user consenting (a V1 or V2 authenticate request) or refusing (a 603
//     with the basic user, the expected answer, sent without a request);
//  3. user-record: an authenticated Do, GET of protocol.UserRecordPath;
//  4. logout: Logout.
//
// A user of the password scenario (ScenarioPassword) signs up and in with a
// username account instead: register (Register; an account that an
// earlier run made is logged in, and counted as existing), password-login
// (LoginWithPassword), then the same user-record and logout.
// ScenarioMixed runs the two, every other user. ScenarioPlatforms logs the
// users in with the platforms besides WeChat in turn, each platform with
// steps of its own.
//
// A step that fails ends the user's scenario, as a mini-program would stop
// at an error. The latencies are those of the calls that sent a request to
// the backend; every call counts by its outcome and its HTTP status or
// HError code. Thresholds (ParseThreshold, Config.Thresholds) are checked
// at the end of the run, into Report.Thresholds. The recording is cheap:
// each worker keeps its samples in a batch of its own and hands full
// batches to one collector, which alone writes the HDR histograms.
package sim
