'use strict';
// The conformance steps, run against one version of the official minapp-sdk
// with the wx shim, against a fresh emulator. Each step asserts what the SDK
// returned, what it stored and what it sent.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const emulator = require('./emulator');
const { createWx, button, phoneButton, rawGet } = require('./wx');
const current = require('./current');

const DESTROY = '/hserve/v2.0/session/destroy/';
const EXPIRES_IN = 30 * 24 * 3600; // the emulator's default session lifetime

// run defines the suite of one SDK version. v describes what that version
// sends and stores: {version, pkg, silentLogin, loginFields, userRecord(id),
// storedKeys, storesProfile, consent, currentAPI} where consent is
// 'authenticate' (wx.getUserInfo, then V2 authenticate at v.authenticate) or
// 'phone-login' (3.x since the phone button replaced the user-info one:
// v.phoneLogin), and currentAPI runs the steps of the 3.x auth API
// (loginWithWechat with the phone button, updateUserInfo, linkWechat,
// getCurrentUser).
function run(v) {
  describe(`minapp-sdk ${v.version}`, () => {
    const openid = `o-js-${v.version}`;
    let emu, shim, BaaS, token;
    const last = () => shim.requests[shim.requests.length - 1];
    const stored = (k) => shim.storage.get(`ifx_baas_${k}`);

    before(async () => {
      emu = await emulator.start();
      shim = createWx({ emulator: emu, openid });
      globalThis.window = {}; // the SDK's UMD wrapper names it
      globalThis.regeneratorRuntime = require('regenerator-runtime'); // as the WeChat base library provides it
      globalThis.wx = shim.wx;
      BaaS = require(v.pkg);
      BaaS.init(emu.clientID);
    });
    after(async () => {
      if (emu) await emu.stop();
    });

    test('loads as that version', () => {
      assert.equal(BaaS._config.VERSION, `v${v.version}`);
      assert.equal(wx.BaaS, BaaS);
    });

    test('silent login', async () => {
      const before = Math.floor(Date.now() / 1000);
      const u = await BaaS.login(false);
      assert.equal(u.id, 1);
      assert.equal(u.openid, openid);
      assert.equal(u.unionid, '', 'no unionid before the user authorised their profile');
      assert.ok(u.session_expires_at >= before + EXPIRES_IN - 30 && u.session_expires_at <= before + EXPIRES_IN, `session_expires_at ${u.session_expires_at}`);

      assert.deepEqual(shim.wxCalls, ['login']);
      assert.equal(shim.requests.length, 1);
      const r = last();
      assert.equal(r.method, 'POST');
      assert.equal(r.path, v.silentLogin);
      assert.equal(r.status, 201);
      assert.deepEqual(Object.keys(r.body).sort(), [...v.loginFields].sort());
      assert.match(r.body.code, /^[0-9a-f]{32}$/);
      assert.equal(r.body.create_user, true);
      assert.equal(r.headers['x-hydrogen-client-id'], emu.clientID);
      assert.equal(r.headers['x-hydrogen-client-version'], `v${v.version}`);
      assert.equal(r.headers['x-hydrogen-client-platform'], 'WECHAT');
      assert.equal(r.headers.authorization, undefined, 'no token yet');
      assert.equal(r.data.openid, openid);

      // A valid session is returned with no network call.
      const again = await BaaS.login(false);
      assert.equal(again.id, 1);
      assert.equal(shim.requests.length, 1);
      assert.deepEqual(shim.wxCalls, ['login']);
    });

    test('the stored keys', () => {
      token = stored('auth_token');
      assert.match(token, /^[0-9a-f]{32}$/);
      assert.equal(stored('uid'), 1);
      assert.equal(stored('openid'), openid);
      assert.equal(stored('unionid'), '');
      assert.equal(typeof stored('session_expires_at'), 'number');
      assert.deepEqual(stored('userinfo'), { id: 1, openid, unionid: '' });
      assert.equal(stored('is_anonymous_user'), 0);
      assert.deepEqual([...shim.storage.keys()].sort(), v.storedKeys.map((k) => `ifx_baas_${k}`).sort());
    });

    test('handleUserInfo with consent', async (t) => {
      const n = shim.requests.length;
      const e = await button(emu, openid);
      if (v.consent === 'phone-login') {
        // 3.x since the phone button: handleUserInfo is the phone login of the
        // logged-in user (no wx.login code: the token says who).
        const pe = await phoneButton(emu, openid);
        const got = await BaaS.handleUserInfo(pe);
        const r = shim.requests[n];
        assert.equal(r.method, 'POST');
        assert.equal(r.path, v.phoneLogin);
        assert.deepEqual(Object.keys(r.body).sort(), ['create_user', 'encryptedData', 'iv', 'phone_code']);
        assert.equal(r.body.phone_code, pe.detail.code);
        assert.equal(r.headers.authorization, `Hydrogen-r1 ${token}`);
        assert.equal(r.status, 201, JSON.stringify(r.data));
        assert.match(r.data.user_info.phone, /^138\d{8}$/);
        assert.equal(got.id, 1);
        assert.equal(got.openid, openid);
        token = stored('auth_token');
        assert.equal(token, r.data.token, 'the new session is stored');
        return;
      }
      const calls = shim.wxCalls.length;
      const got = await BaaS.handleUserInfo(e);
      // The SDK calls wx.login, then wx.getUserInfo for fresh data, then authenticate.
      assert.deepEqual(shim.wxCalls.slice(calls), ['login', 'getUserInfo']);
      const auth = shim.requests[n];
      assert.equal(auth.method, 'POST');
      assert.equal(auth.path, v.authenticate);
      assert.deepEqual(Object.keys(auth.body).sort(), ['code', 'create_user', 'encryptedData', 'iv', 'rawData', 'signature', 'update_userprofile']);
      assert.equal(auth.body.update_userprofile, 'setnx');
      assert.equal(auth.status, 201, JSON.stringify(auth.data));
      assert.equal(auth.data.unionid, `union_${openid}`, 'learnt from encryptedData');
      // Then it reads the user record with the new token.
      const rec = shim.requests[n + 1];
      assert.equal(rec.method, 'GET');
      assert.equal(rec.path, v.userRecord(1));
      assert.equal(rec.status, 200);
      assert.equal(rec.headers.authorization, `Hydrogen-r1 ${auth.data.token}`);
      assert.equal(shim.requests.length, n + 2);

      assert.equal(got.id, 1);
      assert.equal(got.nickname, `User ${openid}`);
      assert.equal(got.avatar, `https://example.com/avatar/${openid}.png`);
      assert.equal(got.gender, 1);
      assert.equal(got.city, 'Guangzhou');
      assert.equal(got.openid, openid);
      assert.equal(got.unionid, `union_${openid}`);
      assert.equal(got.is_authorized, true);

      token = stored('auth_token');
      assert.equal(token, auth.data.token, 'the new session is stored');
      assert.equal(stored('unionid'), `union_${openid}`);
      if (v.storesProfile) {
        assert.equal(stored('userinfo').nickName, `User ${openid}`);
        assert.equal(stored('userinfo').unionid, `union_${openid}`);
      } else {
        // This version stores the ids of the new session only.
        assert.deepEqual(stored('userinfo'), { id: 1, openid, unionid: `union_${openid}` });
      }
    });

    test('handleUserInfo with refusal', async () => {
      const n = shim.requests.length;
      const calls = shim.wxCalls.length;
      const e = await button(emu, openid, { deny: true });
      assert.deepEqual(e.detail, { errMsg: 'getUserInfo:fail auth deny' });
      await assert.rejects(BaaS.handleUserInfo(e), (err) => {
        assert.equal(err.code, 603);
        assert.equal(err.message, '603: unauthorized');
        assert.equal(err.id, 1);
        assert.equal(err.openid, openid);
        assert.equal(err.unionid, v.consent === 'phone-login' ? '' : `union_${openid}`);
        return true;
      });
      assert.equal(shim.requests.length, n, 'no request');
      assert.equal(shim.wxCalls.length, calls, 'no wx call');
      // No detail: 603 at once (thrown, or rejected, as the version does).
      await assert.rejects(async () => BaaS.handleUserInfo({}), (err) => err.code === 603);
    });

    test('a BaaS call needing the token', async () => {
      const n = shim.requests.length;
      const res = await new BaaS.User().get(1);
      assert.equal(res.statusCode, 200);
      assert.equal(res.data.id, 1);
      assert.equal(res.data.openid, openid);
      const r = shim.requests[n];
      assert.equal(r.method, 'GET');
      assert.equal(r.path, v.userRecord(1));
      assert.equal(r.headers.authorization, `Hydrogen-r1 ${token}`);

      const me = await BaaS.auth.getCurrentUser();
      assert.equal(me.toJSON().id, 1);
      assert.equal(shim.requests[n + 1].path, v.userRecord(1));
    });

    if (v.currentAPI) {
      test('phone login: auth.loginWithWechat(event, {code})', async () => {
        for (const [base, path, keys] of [
          ['2.30.0', '/hserve/v2.7/idp/wechat/phone-login/', ['code', 'create_user', 'encryptedData', 'iv', 'phone_code']],
          ['2.20.0', '/hserve/v2.5/idp/wechat/phone-login/', ['code', 'create_user', 'encryptedData', 'iv']],
        ]) {
          shim.system.SDKVersion = base;
          const code = await shim.code(); // a mini-program calls wx.login before the button
          const e = await phoneButton(emu, openid);
          const n = shim.requests.length;
          const user = await BaaS.auth.loginWithWechat(e, { code });
          const r = shim.requests[n];
          assert.equal(r.method, 'POST');
          assert.equal(r.path, path, `base library ${base}`);
          assert.deepEqual(Object.keys(r.body).sort(), keys);
          assert.equal(r.body.code, code);
          assert.equal(r.body.create_user, true);
          assert.equal(r.status, 201, JSON.stringify(r.data));
          const me = user.toJSON();
          assert.equal(me.id, 1);
          assert.match(me.phone, /^138\d{8}$/);
          token = stored('auth_token');
          assert.equal(token, r.data.token);
        }
        shim.system.SDKVersion = '2.30.0';
        // A refusal: 603 with the basic user, no request.
        const n = shim.requests.length;
        await assert.rejects(BaaS.auth.loginWithWechat(await phoneButton(emu, openid, { deny: true }), { code: await shim.code() }), (err) => {
          assert.equal(err.code, 603);
          assert.equal(err.id, 1);
          return true;
        });
        assert.equal(shim.requests.length, n);
      });

      test('auth.updateUserInfo', async () => {
        for (const sync of ['setnx', 'overwrite', 'false']) {
          const { detail } = await button(emu, openid);
          const code = await shim.code();
          const n = shim.requests.length;
          const user = await BaaS.auth.updateUserInfo(detail, { code, syncUserProfile: sync });
          const r = shim.requests[n];
          assert.equal(r.method, 'PUT');
          assert.equal(r.path, '/hserve/v2.6/idp/wechat/user/info/');
          assert.deepEqual(Object.keys(r.body).sort(), ['code', 'encryptedData', 'iv', 'rawData', 'signature', 'update_userprofile']);
          assert.equal(r.body.update_userprofile, sync);
          assert.equal(r.headers.authorization, `Hydrogen-r1 ${token}`);
          assert.equal(r.status, 200, JSON.stringify(r.data));
          const me = user.toJSON();
          assert.equal(me.id, 1);
          assert.equal(me.nickname, `User ${openid}`);
          assert.equal(me.is_authorized, true);
        }
        // Data signed for another user does not verify: the server's 400.
        const { detail } = await button(emu, `${openid}-other`);
        await assert.rejects(BaaS.auth.updateUserInfo(detail, { code: await shim.code() }), (err) => err.code === 400);
      });

      test('auth.linkWechat', async () => {
        const n = shim.requests.length;
        const res = await BaaS.auth.linkWechat();
        const r = shim.requests[n];
        assert.equal(r.method, 'POST');
        assert.equal(r.path, '/hserve/v2.4/idp/wechat/user-associate/');
        assert.deepEqual(Object.keys(r.body).sort(), ['associate_with_unionid', 'code']);
        assert.equal(r.body.associate_with_unionid, false);
        assert.equal(r.status, 200, JSON.stringify(r.data));
        assert.equal(res.data.status, 'ok');
        assert.equal(res.data.user_id, 1);
        assert.equal(res.data.openid, openid);
      });

      test('auth.getCurrentUser: the record, phone included', async () => {
        const n = shim.requests.length;
        const me = (await BaaS.auth.getCurrentUser()).toJSON();
        assert.equal(shim.requests[n].path, v.userRecord(1));
        assert.equal(shim.requests[n].status, 200);
        assert.equal(me.id, 1);
        assert.equal(me.openid, openid);
        assert.match(me.phone, /^138\d{8}$/);
        assert.equal(me.nickname, `User ${openid}`);
      });

      current.steps({
        get emu() {
          return emu;
        },
        get shim() {
          return shim;
        },
        get BaaS() {
          return BaaS;
        },
        openid,
      });
    }

    test('logout', async () => {
      const n = shim.requests.length;
      assert.equal(await rawGet(emu, v.userRecord(1), token), 200, 'the token works before');
      await BaaS.logout();
      const r = shim.requests[n];
      assert.equal(r.method, 'POST');
      assert.equal(r.path, DESTROY);
      assert.equal(r.headers.authorization, `Hydrogen-r1 ${token}`);
      // v2.0 destroy: 201 and the body of MinCloud's reference
      assert.equal(r.status, 201);
      assert.deepEqual(r.data, { message: 'Destroy succeed.', status: 'ok' });
      for (const k of ['auth_token', 'uid', 'userinfo', 'is_logined_baas', 'is_anonymous_user']) {
        assert.equal(stored(k), '', `${k} cleared`);
      }
      assert.equal(await rawGet(emu, v.userRecord(1), token), 401, 'the token is destroyed');
      await assert.rejects(new BaaS.User().get(1), (err) => err.code === 401, 'no token: 401');
    });

    test('logout again', async () => {
      const n = shim.requests.length;
      await BaaS.logout();
      const r = shim.requests[n];
      assert.equal(r.path, DESTROY);
      assert.equal(r.headers.authorization, undefined, 'nothing stored: no token sent');
      // the decided deviation: no token is the same 2xx, not the reference's 401
      assert.equal(r.status, 201);
      assert.equal(stored('auth_token'), '');
    });

    test('a WeChat error at login', async () => {
      shim.next.loginErrcode = 40226;
      await assert.rejects(BaaS.login(false), (err) => {
        assert.equal(err.code, 400);
        assert.match(err.message, /^400: code exchange failed: WeChat errcode 40226 \(high risk user\)/);
        return true;
      });
      assert.equal(stored('auth_token'), '');
      const u = await BaaS.login(false);
      assert.equal(u.id, 1, 'the next login works');
    });
  });
}

module.exports = { run };
