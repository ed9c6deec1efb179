package baastest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/wxbaas/baas/baastest"
)

// A silent login over plain HTTP, as a client in any language would make it.
func ExampleNewServer() {
	s := baastest.NewServer()
	defer s.Close()
	code := s.WeChat().Login("alice") // wx.login

	body := strings.NewReader(`{"create_user": true, "code": "` + code + `", "login_with_unionid": false}`)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/hserve/v2.5/idp/wechat/silent-login/", body)
	req.Header.Set("X-Hydrogen-Client-ID", s.ClientID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var session struct {
		Token  string `json:"token"`
		UserID int64  `json:"user_id"`
		OpenID string `json:"openid"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&session)
	fmt.Println(resp.StatusCode, session.UserID, session.OpenID, len(session.Token))
	// Output: 201 1 alice 32
}
