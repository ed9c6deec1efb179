package baastest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/protocol"
)

// BenchmarkSilentLogin measures the silent logins per second the emulator
// serves to plain net/http clients in the same process: each op is a wx.login
// for a code and a V2 silent login with it.
func BenchmarkSilentLogin(b *testing.B) {
	s := baastest.NewServer(baastest.WithCodeRateLimit(0)) // 64 users log in again and again
	b.Cleanup(s.Close)
	silentLogins(b, s)
}

// silentLogins runs the parallel logins of BenchmarkSilentLogin against s
// and reports logins/s.
func silentLogins(b *testing.B, s *baastest.Server) {
	wx := s.WeChat()
	const users = 64
	for i := range users {
		wx.AddUser(baastest.User{OpenID: "bench" + strconv.Itoa(i)})
	}
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	b.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	url := s.URL + protocol.EndpointsFor(protocol.V2).Login
	var next atomic.Int64

	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		openid := "bench" + strconv.Itoa(int(next.Add(1)%users))
		var body bytes.Buffer
		for pb.Next() {
			body.Reset()
			body.WriteString(`{"create_user":true,"code":"`)
			body.WriteString(wx.Login(openid))
			body.WriteString(`","login_with_unionid":false}`)
			req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(protocol.HeaderClientID, s.ClientID)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// BenchmarkSilentLoginWithHeavyVerifier is BenchmarkSilentLogin while one
// client keeps sending V2 authenticate with user data of about 50 KiB, whose
// signature and decryption take the most time a request can: it shows
// whether verifying holds up everyone else's logins.
func BenchmarkSilentLoginWithHeavyVerifier(b *testing.B) {
	s := baastest.NewServer(baastest.WithCodeRateLimit(0)) // the same users log in again and again
	b.Cleanup(s.Close)
	wx := s.WeChat()
	wx.AddUser(baastest.User{OpenID: "heavy", NickName: strings.Repeat("x", 22<<10)})
	stop := make(chan struct{})
	var verified atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		hc := &http.Client{Transport: &http.Transport{}}
		for {
			select {
			case <-stop:
				return
			default:
			}
			ev := wx.GetUserInfo("heavy")
			d := ev.Detail
			body, _ := jsonBody(protocol.V2AuthRequest{Code: wx.Login("heavy"), CreateUser: true,
				UserData: protocol.UserData{RawData: d.RawData, Signature: d.Signature, EncryptedData: d.EncryptedData, IV: d.IV}})
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/hserve/v2.5/idp/wechat/authenticate/", bytes.NewReader(body))
			req.Header.Set(protocol.HeaderClientID, s.ClientID)
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Errorf("heavy verifier: status %d", resp.StatusCode)
				return
			}
			verified.Add(1)
		}
	})
	b.Cleanup(func() {
		close(stop)
		wg.Wait()
	})
	silentLogins(b, s)
	b.ReportMetric(float64(verified.Load())/b.Elapsed().Seconds(), "verifies/s")
}

func jsonBody(v any) ([]byte, error) { return json.Marshal(v) }
