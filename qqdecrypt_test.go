package baas_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// QQ's decryption, on a mocked backend.

const pathQQDecrypt = "/hserve/v2.0/qq/decrypt/open-gid/"

func TestQQDecrypt(t *testing.T) {
	t.Parallel()
	qq := platformCaseOf(baas.QQ)
	ctx := context.Background()

	// With no session it logs in with QQ first, as every BaaS call.
	r := qq.rig(t)
	r.reply(http.MethodPost, qq.silent, http.StatusCreated, qq.session("tok", 42, ""))
	r.reply(http.MethodPost, pathQQDecrypt, http.StatusOK, `{"openGId":"g-1"}`)
	var out shareInfo
	require.NoError(t, r.c.DecryptData(ctx, baas.DecryptOpenGID, "ENC", "IV", &out))
	assert.Equal(t, "g-1", out.OpenGID)
	reqs := r.requests()
	require.Len(t, reqs, 2, "logged in first")
	assert.Equal(t, qq.silent, reqs[0].Path)
	assert.Equal(t, http.MethodPost, reqs[1].Method)
	assert.Equal(t, pathQQDecrypt, reqs[1].Path)
	assert.JSONEq(t, `{"encryptedData":"ENC","iv":"IV"}`, reqs[1].Body)
	assert.Equal(t, "Hydrogen-r1 tok", reqs[1].Header.Get("Authorization"))
	assert.Equal(t, "QQ", reqs[1].Header.Get("X-Hydrogen-Client-Platform"))

	// A 403: the console's switch is off.
	r = qq.rig(t)
	storeSession(t, r.st, "tok", 42, 0)
	r.reply(http.MethodPost, pathQQDecrypt, http.StatusForbidden, `{"status":"error","error_msg":"forbidden"}`)
	err := r.c.DecryptData(ctx, baas.DecryptOpenGID, "ENC", "IV", &out)
	he := errtest.Require(t, err, http.StatusForbidden, nil)
	assert.Equal(t, "QQ data decryption is not enabled in the MinCloud console: forbidden", he.Message)
}

// QQ decrypts only open-gid, and the other platforms nothing: a 605, with
// nothing sent.
func TestDecryptRefusedByPlatform(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var out map[string]any
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			r := pc.rig(t)
			storeSession(t, r.st, "tok", 42, 0)
			kinds := []baas.DecryptKind{baas.DecryptOpenGID, baas.DecryptWeRunData, baas.DecryptPhoneNumber}
			want := pc.p.String() + " has no data decryption"
			if pc.p == baas.QQ {
				kinds, want = kinds[1:], "QQ decrypts only DecryptOpenGID"
			}
			for _, kind := range kinds {
				err := r.c.DecryptData(ctx, kind, "ENC", "IV", &out)
				he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
				assert.Contains(t, he.Message, want, kind)
			}
			err := r.c.DecryptPhone(ctx, phoneEvent("PC"), &out)
			errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Zero(t, r.calls())
		})
	}
}
