package baastest

import (
	"fmt"
)

// Account is a MinCloud user who signed up another way than with this
// mini-program's WeChat login: with a username, an email or SMS, or with
// WeChat on the web, which binds their WeChat unionid. Server.AddAccount
// makes one; linking WeChat to them (user-associate, baas.Client.LinkWechat)
// or a unionid login with their unionid gives them an openid.
type Account struct {
	Nickname string
	Phone    string
	// UnionID is the unionid a WeChat login on the web bound (MinCloud's
	// _provider.wechat_unionid); "" when none did.
	UnionID string
}

// AddAccount creates the record of a, linked to no WeChat user of the
// mini-program, and opens a session of theirs as their own login would:
// it returns the record's id and the session's token, valid for the
// session lifetime (WithExpiresIn). A client holding them (stored as the
// uid and auth_token of a session) acts as that user. It panics on a
// UnionID another record holds or overlong fields (more than
// MaxOpenIDBytes): mistakes of the test.
func (s *Server) AddAccount(a Account) (id int64, token string) {
	for _, f := range []string{a.Nickname, a.Phone, a.UnionID} {
		if len(f) > MaxOpenIDBytes {
			panic(fmt.Sprintf("baastest: AddAccount: a field longer than %d bytes", MaxOpenIDBytes))
		}
	}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if r := st.byUnionID[a.UnionID]; a.UnionID != "" && r != nil {
		panic(fmt.Sprintf("baastest: AddAccount: user %d already holds unionid %q", r.id, a.UnionID))
	}
	now := st.now()
	r := st.newRecordLocked(now)
	r.profile.NickName = a.Nickname
	r.phone = a.Phone
	st.setUnionIDLocked(r, a.UnionID)
	return r.id, st.openSessionLocked(r, 0, now.UnixNano())
}
