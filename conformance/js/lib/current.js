'use strict';
// The current auth API of the JS SDK 3.x against the emulator: phone login
// at both path versions, updateUserInfo at both, updatePhoneNumber,
// linkWechat, getCurrentUser and wxDecryptData. The SDK picks a path version
// by the base library (wx.getSystemInfoSync().SDKVersion), which the shim
// switches. Each step asserts what the SDK returned, stored and sent.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { phoneButton, rawSilentLogin } = require('./wx');

const NEW = '2.30.0'; // base library 2.21.2 and later: the phone button's code; 2.16 and later: the verified profile
const OLD_PHONE = '2.20.0'; // before 2.21.2: the phone in encryptedData only
const OLD_PROFILE = '2.15.0'; // before 2.16.0: the profile fields themselves

const RECORD_KEYS = ['id', 'nickname', 'avatar', 'gender', 'city', 'province', 'country', 'language', 'openid', 'unionid', 'phone', 'is_authorized', 'created_at', 'updated_at'];

// steps defines the steps in the suite of one SDK version. s is the suite's
// state: s.emu, s.shim, s.BaaS (read when the steps run), s.openid, and
// s.setToken(token), told of each new session.
function steps(s) {
  const stored = (k) => s.shim.storage.get(`ifx_baas_${k}`);
  const last = () => s.shim.requests[s.shim.requests.length - 1];
  // as runs fn with the shim's base library at sdkVersion.
  const as = async (sdkVersion, fn) => {
    const before = s.shim.system.SDKVersion;
    s.shim.system.SDKVersion = sdkVersion;
    try {
      return await fn();
    } finally {
      s.shim.system.SDKVersion = before;
    }
  };
  let phone; // the user's phone number, as the first phone login gave it

  test(`phone login, base library ${NEW}: loginWithWechat(e, {code}) sends the button's code (v2.7)`, () =>
    as(NEW, async () => {
      const { shim, BaaS, emu } = s;
      const oldToken = stored('auth_token');
      const code = await shim.wxLogin(); // before the button, as the SDK's docs ask
      const e = await phoneButton(emu, s.openid);
      const n = shim.requests.length;
      const u = await BaaS.auth.loginWithWechat(e, { code });
      assert.equal(shim.requests.length, n + 1);
      const r = shim.requests[n];
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/hserve/v2.7/idp/wechat/phone-login/');
      assert.deepEqual(Object.keys(r.body).sort(), ['code', 'create_user', 'encryptedData', 'iv', 'phone_code']);
      assert.equal(r.body.code, code);
      assert.equal(r.body.phone_code, e.detail.code);
      assert.equal(r.body.create_user, true);
      assert.equal(r.headers.authorization, `Hydrogen-r1 ${oldToken}`, 'the stored token goes along, unused');
      assert.equal(r.status, 201, JSON.stringify(r.data));

      const me = u.toJSON();
      assert.equal(me.id, 1);
      assert.equal(me.openid, s.openid);
      assert.match(me.phone, /^138\d{8}$/, 'the record has the phone WeChat gave for the code');
      phone = me.phone;
      assert.equal(u.get('phone'), phone);
      assert.equal(typeof u.session_expires_at, 'number');

      // Stored like a login.
      assert.equal(stored('auth_token'), r.data.token);
      assert.notEqual(r.data.token, oldToken, 'a new session');
      assert.equal(stored('uid'), 1);
      assert.equal(stored('openid'), s.openid);
      assert.equal(stored('userinfo').phone, phone);
      assert.equal(stored('is_anonymous_user'), 0);
      s.setToken(r.data.token);
    }));

  test(`phone login, base library ${OLD_PHONE}: the encrypted form, decrypted with the code's session_key (v2.5)`, () =>
    as(OLD_PHONE, async () => {
      const { shim, BaaS, emu } = s;
      const code = await shim.wxLogin();
      const e = await phoneButton(emu, s.openid, { sdkVersion: OLD_PHONE });
      assert.equal(e.detail.code, undefined, 'this base library gives no code');
      const n = shim.requests.length;
      const u = await BaaS.auth.loginWithWechat(e, { code });
      const r = shim.requests[n];
      assert.equal(r.path, '/hserve/v2.5/idp/wechat/phone-login/');
      assert.deepEqual(Object.keys(r.body).sort(), ['code', 'create_user', 'encryptedData', 'iv']);
      assert.equal(r.status, 201, JSON.stringify(r.data));
      assert.equal(u.toJSON().phone, phone);
      assert.equal(stored('auth_token'), r.data.token);
      s.setToken(r.data.token);
    }));

  test('phone login refused: 605 without the code the base library gives, 603 with the basic user on refusal', () =>
    as(NEW, async () => {
      const { shim, BaaS, emu } = s;
      const n = shim.requests.length;
      const noCode = await phoneButton(emu, s.openid, { sdkVersion: OLD_PHONE });
      await assert.rejects(BaaS.auth.loginWithWechat(noCode, { code: 'unused' }), (err) => err.code === 605);
      const deny = await phoneButton(emu, s.openid, { deny: true });
      assert.deepEqual(deny.detail, { errMsg: 'getPhoneNumber:fail user deny' });
      await assert.rejects(BaaS.auth.loginWithWechat(deny, { code: 'unused' }), (err) => {
        assert.equal(err.code, 603);
        assert.equal(err.id, 1);
        assert.equal(err.openid, s.openid);
        return true;
      });
      assert.equal(shim.requests.length, n, 'no request');
    }));

  test('phone login of an unknown user with createUser false: 404, the session kept', () =>
    as(NEW, async () => {
      const { shim, BaaS, emu } = s;
      const token = stored('auth_token');
      shim.user.openid = `${s.openid}-new`;
      try {
        const code = await shim.wxLogin();
        const e = await phoneButton(emu, shim.user.openid);
        await assert.rejects(BaaS.auth.loginWithWechat(e, { code, createUser: false }), (err) => err.code === 404);
      } finally {
        shim.user.openid = s.openid;
      }
      assert.equal(last().body.create_user, false);
      assert.equal(last().status, 404);
      assert.equal(stored('auth_token'), token);
    }));

  test(`updateUserInfo, base library ${NEW}: wx.getUserProfile verified with a code (v2.6)`, () =>
    as(NEW, async () => {
      const { shim, BaaS } = s;
      const code = await shim.wxLogin();
      const profile = await shim.getUserProfile();
      const n = shim.requests.length;
      const u = await BaaS.auth.updateUserInfo(profile, { code });
      const r = shim.requests[n];
      assert.equal(r.method, 'PUT');
      assert.equal(r.path, '/hserve/v2.6/idp/wechat/user/info/');
      assert.deepEqual(Object.keys(r.body).sort(), ['code', 'encryptedData', 'iv', 'rawData', 'signature', 'update_userprofile']);
      assert.equal(r.body.code, code);
      assert.equal(r.body.update_userprofile, 'setnx', 'the default');
      assert.equal(r.headers.authorization, `Hydrogen-r1 ${stored('auth_token')}`);
      assert.equal(r.status, 200, JSON.stringify(r.data));
      const me = u.toJSON();
      assert.equal(me.nickname, `User ${s.openid}`);
      assert.equal(me.city, 'Guangzhou');
      assert.equal(me.unionid, `union_${s.openid}`, 'learnt from encryptedData');
      assert.equal(me.is_authorized, true);
      assert.equal(me.phone, phone);

      // Without the code this base library needs: 605, nothing sent.
      await assert.rejects(BaaS.auth.updateUserInfo(profile), (err) => err.code === 605);
      assert.equal(shim.requests.length, n + 1);
    }));

  test(`updateUserInfo, base library ${OLD_PROFILE}: the profile fields, each syncUserProfile (v2.5)`, () =>
    as(OLD_PROFILE, async () => {
      const { shim, BaaS } = s;
      const profile = (nickName, city) => ({
        userInfo: { nickName, avatarUrl: `https://example.com/${nickName}.png`, gender: 2, city, province: '', country: '', language: 'zh_CN' },
      });
      for (const [sync, nickName, city, want, wantCity] of [
        ['overwrite', 'Typed', 'Hangzhou', 'Typed', 'Hangzhou'],
        ['setnx', 'Other', 'Wuhan', 'Typed', 'Hangzhou'],
        ['false', 'Other', 'Wuhan', 'Typed', 'Hangzhou'],
      ]) {
        const n = shim.requests.length;
        const u = await BaaS.auth.updateUserInfo(profile(nickName, city), { syncUserProfile: sync });
        const r = shim.requests[n];
        assert.equal(r.method, 'PUT');
        assert.equal(r.path, '/hserve/v2.5/idp/wechat/user/info/');
        assert.deepEqual(r.body, { ...profile(nickName, city).userInfo, update_userprofile: sync });
        assert.equal(r.status, 200, JSON.stringify(r.data));
        assert.equal(u.toJSON().nickname, want, sync);
        assert.equal(u.toJSON().city, wantCity, sync);
      }
      // The SDK's trap: a value it does not know, even the boolean false,
      // goes as setnx.
      for (const sync of [false, 'Overwrite']) {
        const u = await BaaS.auth.updateUserInfo(profile('Trap', 'Xian'), { syncUserProfile: sync });
        assert.equal(last().body.update_userprofile, 'setnx', String(sync));
        assert.equal(u.toJSON().nickname, 'Typed');
      }
    }));

  test('updatePhoneNumber, both base libraries (v2.7 with the code, v2.5 encrypted)', async () => {
    for (const [sdkVersion, path, keys] of [
      [NEW, '/hserve/v2.7/idp/wechat/phone-verification/', ['encryptedData', 'iv', 'overwrite', 'phone_code']],
      [OLD_PHONE, '/hserve/v2.5/idp/wechat/phone-verification/', ['encryptedData', 'iv', 'overwrite']],
    ]) {
      await as(sdkVersion, async () => {
        const e = await phoneButton(s.emu, s.openid, { sdkVersion });
        const u = await s.BaaS.auth.updatePhoneNumber(e, { overwrite: false });
        const r = last();
        assert.equal(r.method, 'PUT');
        assert.equal(r.path, path);
        assert.deepEqual(Object.keys(r.body).sort(), keys);
        assert.equal(r.body.overwrite, false);
        assert.equal(r.status, 200, JSON.stringify(r.data));
        assert.equal(u.toJSON().phone, phone, 'the same number: nothing to overwrite');
      });
    }
  });

  test('linkWechat (v2.4 user-associate), with and without the unionid', async () => {
    const { shim, BaaS, emu } = s;
    const n = shim.requests.length;
    const calls = shim.wxCalls.length;
    const res = await BaaS.auth.linkWechat();
    assert.deepEqual(shim.wxCalls.slice(calls), ['login']);
    const r = shim.requests[n];
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/hserve/v2.4/idp/wechat/user-associate/');
    assert.deepEqual(Object.keys(r.body).sort(), ['associate_with_unionid', 'code']);
    assert.equal(r.body.associate_with_unionid, false);
    assert.equal(r.headers.authorization, `Hydrogen-r1 ${stored('auth_token')}`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.data, { message: 'WeChat associate succeed.', status: 'ok', user_id: 1, openid: s.openid, unionid: `union_${s.openid}` });

    const res2 = await BaaS.auth.linkWechat({ withUnionID: true });
    assert.equal(last().body.associate_with_unionid, true);
    assert.equal(res2.statusCode, 200);

    // A WeChat user who has a user of their own is not linked to this one.
    const other = `${s.openid}-other`;
    const session = await rawSilentLogin(emu, other);
    shim.user.openid = other;
    try {
      await assert.rejects(BaaS.auth.linkWechat(), (err) => {
        assert.equal(err.code, 400);
        assert.equal(err.message, `400: this WeChat user is already linked to user ${session.user_id}: a WeChat user links to one user only`);
        return true;
      });
    } finally {
      shim.user.openid = s.openid;
    }
  });

  test('getCurrentUser: the user record (v2.5), custom fields and phone included', async () => {
    const { shim, BaaS } = s;
    const n = shim.requests.length;
    const u = await BaaS.auth.getCurrentUser();
    const r = shim.requests[n];
    assert.equal(r.method, 'GET');
    assert.equal(r.path, '/hserve/v2.5/user/info/1/');
    assert.equal(r.headers.authorization, `Hydrogen-r1 ${stored('auth_token')}`);
    assert.equal(r.status, 200);
    const me = u.toJSON();
    assert.deepEqual(Object.keys(me).sort(), [...RECORD_KEYS].sort());
    assert.equal(me.id, 1);
    assert.equal(me.openid, s.openid);
    assert.equal(me.unionid, `union_${s.openid}`);
    assert.equal(me.nickname, 'Typed');
    assert.equal(me.phone, phone);
    assert.equal(me.is_authorized, true);
    assert.equal(u.session_expires_at, stored('session_expires_at'));
  });

  test('wxDecryptData of the phone number (v2.7 with the code, v1 encrypted)', async () => {
    await as(NEW, async () => {
      const e = await phoneButton(s.emu, s.openid);
      const data = await s.BaaS.wxDecryptData(e.detail.encryptedData, e.detail.iv, 'phone-number', e.detail.code);
      const r = last();
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/hserve/v2.7/wechat/decrypt/phone-number/');
      assert.deepEqual(Object.keys(r.body).sort(), ['encryptedData', 'iv', 'phone_code']);
      assert.equal(r.status, 200, JSON.stringify(r.data));
      assert.equal(data.phoneNumber, phone);
      assert.equal(data.purePhoneNumber, phone);
      assert.equal(data.countryCode, '86');
      assert.equal(data.watermark.appid, s.emu.appID);
    });
    await as(OLD_PHONE, async () => {
      const e = await phoneButton(s.emu, s.openid, { sdkVersion: OLD_PHONE });
      const data = await s.BaaS.wxDecryptData(e.detail.encryptedData, e.detail.iv, 'phone-number');
      const r = last();
      assert.equal(r.path, '/hserve/v1/wechat/decrypt/phone-number/');
      assert.deepEqual(Object.keys(r.body).sort(), ['encryptedData', 'iv']);
      assert.equal(r.status, 200, JSON.stringify(r.data));
      assert.equal(data.phoneNumber, phone, 'decrypted with the session_key of the session');
    });
  });
}

module.exports = { steps };
