'use strict';
// More of the current auth API of the JS SDK 3.x against the emulator, after
// the suite's own steps of it: what the SDK refuses before sending (605),
// createUser false, updateUserInfo of base libraries before 2.16 with each
// syncUserProfile, updatePhoneNumber and wxDecryptData at both path
// versions, linkWechat with the unionid and of a WeChat user linked
// elsewhere. The SDK picks a path version by the base library
// (wx.getSystemInfoSync().SDKVersion), which the shim switches. Each step
// asserts what the SDK returned, stored and sent.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { phoneButton, rawSilentLogin } = require('./wx');

const NEW = '2.30.0'; // base library 2.21.2 and later: the phone button's code; 2.16 and later: the verified profile
const OLD_PHONE = '2.20.0'; // before 2.21.2: the phone in encryptedData only
const OLD_PROFILE = '2.15.0'; // before 2.16.0: the profile fields themselves

// steps defines the steps in the suite of one SDK version. s is the suite's
// state: s.emu, s.shim and s.BaaS (read when the steps run), and s.openid.
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
  // phone is the user's phone number on record.
  const phone = async () => (await s.BaaS.auth.getCurrentUser()).toJSON().phone;

  test(`phone login, base library ${NEW}: an event without the button's code is a 605, nothing sent`, () =>
    as(NEW, async () => {
      const n = s.shim.requests.length;
      const e = await phoneButton(s.emu, s.openid, { sdkVersion: OLD_PHONE });
      assert.equal(e.detail.code, undefined);
      await assert.rejects(s.BaaS.auth.loginWithWechat(e, { code: 'unused' }), (err) => err.code === 605);
      assert.equal(s.shim.requests.length, n);
    }));

  test('phone login of an unknown user with createUser false: 404, the session kept', () =>
    as(NEW, async () => {
      const { shim, BaaS, emu } = s;
      const token = stored('auth_token');
      shim.user.openid = `${s.openid}-new`;
      try {
        const code = await shim.code();
        const e = await phoneButton(emu, shim.user.openid);
        await assert.rejects(BaaS.auth.loginWithWechat(e, { code, createUser: false }), (err) => err.code === 404);
      } finally {
        shim.user.openid = s.openid;
      }
      assert.equal(last().path, '/hserve/v2.7/idp/wechat/phone-login/');
      assert.equal(last().body.create_user, false);
      assert.equal(last().status, 404);
      assert.equal(stored('auth_token'), token);
    }));

  test(`updateUserInfo, base library ${NEW}: without the code it needs, a 605, nothing sent`, () =>
    as(NEW, async () => {
      const n = s.shim.requests.length;
      const profile = { userInfo: { nickName: 'x' }, rawData: '{}', signature: 'x', encryptedData: 'x', iv: 'x' };
      await assert.rejects(s.BaaS.auth.updateUserInfo(profile), (err) => err.code === 605);
      assert.equal(s.shim.requests.length, n);
    }));

  test(`updateUserInfo, base library ${OLD_PROFILE}: the profile fields, each syncUserProfile (v2.5), and the SDK's trap`, () =>
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
        assert.deepEqual(r.body, { ...profile(nickName, city).userInfo, update_userprofile: sync }, 'no code, no signature: the fields');
        assert.equal(r.headers.authorization, `Hydrogen-r1 ${stored('auth_token')}`);
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

  test('updatePhoneNumber at both base libraries (v2.7 with the code, v2.5 encrypted)', async () => {
    const number = await phone();
    assert.match(number, /^138\d{8}$/);
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
        assert.equal(u.toJSON().phone, number, 'the same number: nothing to overwrite');
      });
    }
  });

  test('linkWechat with the unionid, and of a WeChat user linked elsewhere (400)', async () => {
    const { shim, BaaS, emu } = s;
    const res = await BaaS.auth.linkWechat({ withUnionID: true });
    assert.equal(last().body.associate_with_unionid, true);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.data, { message: 'User associated.', status: 'ok', user_id: 1, openid: s.openid, unionid: `union_${s.openid}` });

    const other = `${s.openid}-other`;
    const session = await rawSilentLogin(emu, other);
    shim.user.openid = other;
    try {
      await assert.rejects(BaaS.auth.linkWechat(), (err) => {
        assert.equal(err.code, 400);
        assert.match(err.message, new RegExp(`^400: this WeChat user is already linked to user ${session.user_id}`));
        return true;
      });
    } finally {
      shim.user.openid = s.openid;
    }
  });

  test('wxDecryptData of the phone number at both base libraries (v2.7 with the code, v1 encrypted)', async () => {
    const number = await phone();
    await as(NEW, async () => {
      const e = await phoneButton(s.emu, s.openid);
      const data = await s.BaaS.wxDecryptData(e.detail.encryptedData, e.detail.iv, 'phone-number', e.detail.code);
      const r = last();
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/hserve/v2.7/wechat/decrypt/phone-number/');
      assert.deepEqual(Object.keys(r.body).sort(), ['encryptedData', 'iv', 'phone_code']);
      assert.equal(r.status, 200, JSON.stringify(r.data));
      assert.equal(data.phoneNumber, number);
      assert.equal(data.purePhoneNumber, number);
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
      assert.equal(data.phoneNumber, number, 'decrypted with the session_key');
    });
  });
}

module.exports = { steps };
