'use strict';
// The conformance steps of the official web SDK (minapp-sdk's lib/web.js)
// against a fresh emulator: the page shim (lib/web-shim.js) first, then
// every call of the account auth. Each step asserts what the SDK returned,
// what it kept in localStorage and what it sent; the codes the emulator
// "sends" are read from its outbox over the control plane.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const emulator = require('./emulator');
const { createWeb } = require('./web-shim');
const { rawSilentLogin, rawGet } = require('./wx');
const ctl = require('./control');

const EXPIRES_IN = 30 * 24 * 3600; // the emulator's default session lifetime
const DESTROY = '/hserve/v2.0/session/destroy/';
const RECORD = (id) => `/hserve/v2.5/user/info/${id}/`;
const REGISTER = (kind) => `/hserve/v2.1/register/${kind}/`;
const LOGIN = (kind) => `/hserve/v2.1/login/${kind}/`;
const ANONYMOUS = '/hserve/v2.0/login/anonymous/';
const SMS_CODE = '/hserve/v2.2/sms-verification-code/';
const SMS_VERIFY = '/hserve/v1.8/sms-verification-code/verify/';
const SMS_LOGIN = '/hserve/v2.1/login/sms/';
const RESET = '/hserve/v2.0/user/password/reset/';
const EMAIL_VERIFY = '/hserve/v2.0/user/email-verify/';
const PHONE_VERIFY = '/hserve/v2.1/sms-phone-verification/';
const ACCOUNT = '/hserve/v2.2/user/account/';
// The keys the SDK's clearSession (logout) sets to "".
const CLEARED = ['auth_token', 'is_logined_baas', 'is_anonymous_user', 'userinfo', 'uid'];

// rejects awaits p, which must reject with an SDK error of code (an HTTP
// status, or the SDK's own 6xx), and returns the error.
async function rejects(p, code, what) {
  let err;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: resolved, expected a rejection with ${code}`);
  assert.equal(err.code, code, `${what}: ${err && err.message}`);
  assert.match(err.message, new RegExp(`^${code}: `), what);
  return err;
}

// run defines the web suite of one SDK version: v = {version, pkg, flags}.
function run(v) {
  describe(`minapp-sdk ${v.version} web`, () => {
    let emu, web, BaaS;
    const last = () => web.requests[web.requests.length - 1];
    const since = (n) => web.requests.slice(n);

    // loggedIn asserts what a login or register of user id left: the
    // session in localStorage, as the web build writes it, and the request.
    const loggedIn = (r, { path, status = 201, anonymous = false, id }) => {
      assert.equal(r.method, 'POST');
      assert.equal(r.path, path);
      assert.equal(r.status, status, JSON.stringify(r.data));
      assert.equal(r.data.user_id, id);
      const now = Math.floor(Date.now() / 1000);
      assert.equal(web.stored('uid'), id);
      assert.equal(web.stored('auth_token'), r.data.token);
      assert.match(r.data.token, /^[0-9a-f]{32}$/);
      // the SDK keeps the expiry 30 s early: now + expires_in - 30
      const exp = web.stored('session_expires_at');
      assert.ok(exp >= now + EXPIRES_IN - 32 && exp <= now + EXPIRES_IN - 30, `session_expires_at ${exp}`);
      assert.equal(r.data.expires_in, EXPIRES_IN);
      assert.equal(web.stored('is_anonymous_user'), anonymous ? 1 : 0);
      // each value is JSON {"value": ...}
      assert.equal(web.localStorage.getItem('ifx_baas_uid'), JSON.stringify({ value: id }));
    };
    // loggedOut asserts the logout of the session token.
    const loggedOut = async (n, token) => {
      const r = web.requests[n];
      assert.equal(r.method, 'POST');
      assert.equal(r.path, DESTROY);
      assert.equal(r.headers.authorization, `Hydrogen-r1 ${token}`);
      assert.equal(r.status, 201);
      assert.deepEqual(r.data, { message: 'Destroy succeed.', status: 'ok' });
      for (const k of CLEARED) assert.equal(web.stored(k), '', `ifx_baas_${k} after logout`);
      assert.equal(await rawGet(emu, RECORD(1), token), 401, 'the session is destroyed');
      await rejects(BaaS.auth.getCurrentUser(), 604, 'getCurrentUser after logout');
    };
    const logout = async () => {
      const n = web.requests.length;
      const token = web.stored('auth_token');
      await BaaS.auth.logout();
      await loggedOut(n, token);
    };
    // newestCode is the newest SMS code the emulator sent to phone.
    const newestCode = async (phone) => {
      const box = await ctl.smsOutbox(emu, phone);
      assert.ok(box.length > 0, `no SMS to ${phone}`);
      const m = box[box.length - 1];
      assert.equal(m.phone, phone);
      assert.match(m.code, /^\d{6}$/);
      assert.equal(m.used, false);
      assert.ok(Date.parse(m.expires_at) > Date.parse(m.sent_at));
      return m.code;
    };

    before(async () => {
      emu = await emulator.start(v.flags);
      web = createWeb({ emulator: emu });
      BaaS = web.load();
      BaaS.init(emu.clientID, { host: emu.url });
    });
    after(async () => {
      if (emu) await emu.stop();
    });

    describe('the page', () => {
      test('loads as the web build, init takes the host', () => {
        assert.equal(BaaS._config.VERSION, `v${v.version}`);
        assert.equal(BaaS._polyfill.CLIENT_PLATFORM, 'WEB');
        assert.equal(BaaS._config.CLIENT_ID, emu.clientID);
        assert.equal(BaaS._config.API_HOST, emu.url);
        assert.equal(BaaS._polyfill.getAPIHost(), emu.url);
        assert.equal(web.requests.length, 0, 'no request at load or init');
        assert.deepEqual(web.keys(), [], 'nothing stored at load');
      });

      test('getCurrentUser without a session: 604, nothing sent', async () => {
        await rejects(BaaS.auth.getCurrentUser(), 604, 'getCurrentUser');
        assert.equal(web.requests.length, 0);
      });

      test('logout without a session', async () => {
        const res = await BaaS.auth.logout();
        // the decided deviation: no token is the 201 of a destroy, not the reference's 401
        assert.equal(res.status, 201);
        assert.equal(web.requests.length, 1);
        const r = last();
        assert.equal(r.method, 'POST');
        assert.equal(r.path, DESTROY);
        assert.equal(r.status, 201);
        assert.deepEqual(r.body, {}, 'axios sends the empty data as {}');
        assert.equal(r.headers['x-hydrogen-client-id'], emu.clientID);
        assert.equal(r.headers['x-hydrogen-client-version'], `v${v.version}`);
        assert.equal(r.headers['x-hydrogen-client-platform'], 'WEB');
        assert.equal(r.headers['x-hydrogen-client-sdk-type'], 'file');
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.headers.authorization, undefined, 'no token');
        // clearSession writes "" under five keys rather than removing them
        assert.deepEqual(web.keys().sort(), CLEARED.map((k) => `ifx_baas_${k}`).sort());
        for (const k of CLEARED) assert.equal(web.localStorage.getItem(`ifx_baas_${k}`), '{"value":""}');
      });

      test('a session in localStorage is the one the SDK sends (getCurrentUser, logout)', async () => {
        // A session made outside the SDK (the emulator's simulated WeChat),
        // written where and as the web build keeps its own.
        const s = await rawSilentLogin(emu, 'o-web-page');
        const set = (k, value) => web.localStorage.setItem(`ifx_baas_${k}`, JSON.stringify({ value }));
        set('uid', s.user_id);
        set('auth_token', s.token);
        set('session_expires_at', Math.floor(Date.now() / 1000) + 3600);
        const n = web.requests.length;
        const u = await BaaS.auth.getCurrentUser();
        assert.equal(u.id, s.user_id);
        assert.equal(u.get('openid'), 'o-web-page');
        assert.equal(u.user_id, s.user_id);
        const r = web.requests[n];
        assert.equal(r.method, 'GET');
        assert.equal(r.path, RECORD(s.user_id));
        assert.equal(r.body, undefined);
        assert.equal(r.headers['content-type'], undefined, 'axios drops the content type of a GET without data');
        assert.equal(r.headers.authorization, `Hydrogen-r1 ${s.token}`);
        assert.equal(r.status, 200);
        await logout();
      });

      test('a host the page cannot reach: the request fails, nothing reaches the emulator', async () => {
        const calls = await ctl.calls(emu);
        BaaS.init(emu.clientID, { host: 'http://unreachable.invalid' });
        try {
          const n = web.requests.length;
          // axios rejects with its network error; the SDK's interceptor
          // rethrows err.response, undefined then, and validateStatusCode
          // fails reading its status: a TypeError, not an SDK error.
          await assert.rejects(BaaS.auth.logout(), TypeError);
          assert.equal(web.requests.length, n + 1);
          assert.match(web.requests[n].error, /no route/);
        } finally {
          BaaS.init(emu.clientID, { host: emu.url });
        }
        assert.deepEqual(await ctl.calls(emu), calls);
      });
    });

    describe('the account auth', () => {
      const ids = {};
      const accounts = {
        username: { username: 'alice', password: 'alice-pw-1' },
        email: { email: 'bob@example.com', password: 'bob-pw-1' },
        phone: { phone: '13900000001', password: 'carol-pw-1' },
      };
      const field = { username: '_username', email: '_email', phone: '_phone' };

      for (const kind of ['username', 'email', 'phone']) {
        test(`register by ${kind}, logout`, async () => {
          const n = web.requests.length;
          const u = await BaaS.auth.register(accounts[kind]);
          const [reg, rec] = since(n);
          assert.equal(since(n).length, 2, 'register, then the record');
          assert.deepEqual(reg.body, accounts[kind]);
          assert.equal(reg.headers.authorization, undefined);
          ids[kind] = reg.data.user_id;
          loggedIn(reg, { path: REGISTER(kind), id: ids[kind] });
          assert.equal(rec.method, 'GET');
          assert.equal(rec.path, RECORD(ids[kind]));
          assert.equal(rec.headers.authorization, `Hydrogen-r1 ${reg.data.token}`);
          assert.equal(u.id, ids[kind]);
          assert.equal(u[field[kind]], accounts[kind][kind]);
          assert.equal(u._anonymous, false);
          for (const other of Object.keys(field)) if (other !== kind) assert.equal(u[field[other]], undefined, `${field[other]} of a ${kind} account`);
          assert.equal(u._email_verified, false);
          assert.equal(u._phone_verified, false);
          assert.equal(u.get('password'), undefined, 'no password in the record');
          await logout();
        });
      }

      test('three accounts, three ids', () => {
        assert.equal(new Set(Object.values(ids)).size, 3);
      });

      test('register of a taken username: 400', async () => {
        const n = web.requests.length;
        await rejects(BaaS.auth.register(accounts.username), 400, 'register again');
        assert.equal(since(n).length, 1);
        assert.equal(web.stored('auth_token'), '', 'nothing stored');
      });

      for (const kind of ['username', 'email', 'phone']) {
        test(`login by ${kind}; a wrong password is 400`, async () => {
          let n = web.requests.length;
          await rejects(BaaS.auth.login({ ...accounts[kind], password: 'wrong' }), 400, 'wrong password');
          assert.equal(since(n).length, 1);
          assert.equal(last().path, LOGIN(kind));
          assert.equal(last().status, 400);
          assert.equal(typeof last().data.error_msg, 'string');
          assert.equal(web.stored('auth_token'), '', 'nothing stored');

          n = web.requests.length;
          const u = await BaaS.auth.login(accounts[kind]);
          const [r] = since(n);
          assert.deepEqual(r.body, accounts[kind]);
          loggedIn(r, { path: LOGIN(kind), id: ids[kind] });
          assert.equal(u.id, ids[kind]);
          assert.equal(u[field[kind]], accounts[kind][kind]);
          await logout();
        });
      }

      test('login of an unknown username: 400, as a wrong password', async () => {
        await rejects(BaaS.auth.login({ username: 'nobody', password: 'x' }), 400, 'unknown username');
      });

      test('anonymous login; account calls refused client-side (612); register keeps the id', async () => {
        let n = web.requests.length;
        const u = await BaaS.auth.anonymousLogin();
        const [r] = since(n);
        loggedIn(r, { path: ANONYMOUS, anonymous: true, id: r.data.user_id });
        assert.equal(u._anonymous, true);
        assert.equal(u.id, r.data.user_id);
        const anonID = u.id;
        const token = web.stored('auth_token');

        const calls = await ctl.calls(emu);
        n = web.requests.length;
        await rejects(u.setUsername('anon-name'), 612, 'setUsername');
        await rejects(u.setAccount({ username: 'anon-name', password: 'pw' }), 612, 'setAccount');
        await rejects(u.setEmail('anon@example.com'), 612, 'setEmail');
        await rejects(u.setMobilePhone('13900000009'), 612, 'setMobilePhone');
        await rejects(u.updatePassword({ password: 'a', newPassword: 'b' }), 612, 'updatePassword');
        await rejects(u.requestEmailVerification(), 612, 'requestEmailVerification');
        await rejects(u.verifyMobilePhone('123456'), 612, 'verifyMobilePhone');
        assert.equal(web.requests.length, n, 'nothing sent');
        assert.deepEqual(await ctl.calls(emu), calls, 'nothing reached the emulator');

        n = web.requests.length;
        const reg = await BaaS.auth.register({ username: 'dave', password: 'dave-pw-1' });
        const [rr] = since(n);
        assert.equal(rr.headers.authorization, `Hydrogen-r1 ${token}`, 'register sends the anonymous session');
        loggedIn(rr, { path: REGISTER('username'), id: anonID });
        assert.equal(reg.id, anonID, 'the anonymous user is the one registered');
        assert.equal(reg._anonymous, false);
        assert.equal(reg._username, 'dave');
        ids.dave = anonID;
        await logout();
        const back = await BaaS.auth.login({ username: 'dave', password: 'dave-pw-1' });
        assert.equal(back.id, anonID);
        await logout();
      });

      const phone1 = '13900000011'; // sendSmsCode / verifySmsCode
      const phone2 = '13900000012'; // the SMS login
      test('sendSmsCode, verifySmsCode; a second code within the interval is 400', async () => {
        let n = web.requests.length;
        const res = await BaaS.sendSmsCode({ phone: phone1 });
        assert.equal(res.status, 200);
        assert.deepEqual(res.data, { status: 'ok' });
        const [r] = since(n);
        assert.equal(r.method, 'POST');
        assert.equal(r.path, SMS_CODE);
        assert.deepEqual(r.body, { phone: phone1 });
        const code = await newestCode(phone1);

        n = web.requests.length;
        // MinCloud's rate limit is a 400 (web-api/sms.md)
        await rejects(BaaS.sendSmsCode({ phone: phone1 }), 400, 'a second send');
        assert.equal((await ctl.smsOutbox(emu, phone1)).length, 1, 'no second code');

        n = web.requests.length;
        const ok = await BaaS.verifySmsCode({ phone: phone1, code });
        assert.equal(ok.status, 200);
        assert.deepEqual(ok.data, { status: 'ok' });
        assert.equal(since(n)[0].path, SMS_VERIFY);
        assert.deepEqual(since(n)[0].body, { phone: phone1, code });
        assert.equal((await ctl.smsOutbox(emu, phone1))[0].used, true);
        await rejects(BaaS.verifySmsCode({ phone: phone1, code }), 400, 'a code checks once');
        assert.equal(web.stored('auth_token'), '', 'checking a code logs nobody in');
      });

      test('loginWithSmsVerificationCode; the code once; createUser false of an unknown phone is 404', async () => {
        await BaaS.sendSmsCode({ phone: phone2 });
        const code = await newestCode(phone2);
        let n = web.requests.length;
        const u = await BaaS.auth.loginWithSmsVerificationCode(phone2, code);
        const [r] = since(n);
        assert.deepEqual(r.body, { phone: phone2, code, create_user: true });
        loggedIn(r, { path: SMS_LOGIN, id: r.data.user_id });
        assert.equal(u._phone, phone2);
        assert.equal(u._phone_verified, true, 'an SMS login verifies the phone');
        ids.sms = u.id;
        await logout();

        await rejects(BaaS.auth.loginWithSmsVerificationCode(phone2, code), 400, 'the code again');
        assert.equal(web.stored('auth_token'), '');

        const phone3 = '13900000013';
        await BaaS.sendSmsCode({ phone: phone3 });
        const code3 = await newestCode(phone3);
        n = web.requests.length;
        await rejects(BaaS.auth.loginWithSmsVerificationCode(phone3, code3, { createUser: false }), 404, 'unknown phone, createUser false');
        assert.deepEqual(since(n)[0].body, { phone: phone3, code: code3, create_user: false });
        assert.equal((await ctl.smsOutbox(emu, phone3))[0].used, false, 'a refused login spends no code');
      });

      test('requestEmailVerification: the link verifies the email', async () => {
        const u = await BaaS.auth.login(accounts.email);
        assert.equal(u._email_verified, false);
        const n = web.requests.length;
        const same = await u.requestEmailVerification();
        assert.equal(same, u, 'it resolves to the user');
        const [r] = since(n);
        assert.equal(r.method, 'POST');
        assert.equal(r.path, EMAIL_VERIFY);
        assert.equal(r.status, 201);
        assert.deepEqual(r.data, { status: 'ok' });
        const link = (await ctl.emailOutbox(emu, accounts.email.email)).filter((l) => l.kind === 'verify_email').pop();
        assert.ok(link);
        assert.equal(link.used, false);
        const applied = await ctl.applyEmail(emu, { code: link.code });
        assert.equal(applied.status, 200, JSON.stringify(applied.data));
        assert.equal(applied.data.kind, 'verify_email');
        const fresh = await BaaS.auth.getCurrentUser();
        assert.equal(fresh._email_verified, true);
        await logout();
      });

      test('requestPasswordReset: the link sets a new password, the old one is refused, the old session ends', async () => {
        const { email, password } = accounts.email;
        // A reset goes only to a verified email (js-sdk/auth.md): an unverified one is a 400, nothing sent.
        await BaaS.auth.register({ email: 'carl@example.com', password: 'carl-pw-1' });
        await logout();
        await rejects(BaaS.auth.requestPasswordReset({ email: 'carl@example.com' }), 400, 'an unverified email');
        assert.deepEqual(await ctl.emailOutbox(emu, 'carl@example.com'), []);
        await BaaS.auth.login(accounts.email); // verified by the test before
        const oldToken = web.stored('auth_token');
        let n = web.requests.length;
        const res = await BaaS.auth.requestPasswordReset({ email });
        assert.equal(res.status, 201);
        assert.deepEqual(res.data, { status: 'ok' });
        assert.deepEqual(since(n)[0].body, { email });
        assert.equal(since(n)[0].path, RESET);
        const box = await ctl.emailOutbox(emu, email);
        const link = box.filter((l) => l.kind === 'reset_password').pop();
        assert.ok(link, JSON.stringify(box));
        assert.equal(link.email, email);
        assert.match(link.link, new RegExp(`^${emu.url}/emulator/v1/outbox/email/apply\\?code=${link.code}$`));
        const applied = await ctl.applyEmail(emu, { code: link.code, new_password: 'bob-pw-2' });
        assert.equal(applied.status, 200, JSON.stringify(applied.data));
        assert.equal(applied.data.status, 'ok');
        assert.equal(applied.data.kind, 'reset_password');
        const again = await ctl.applyEmail(emu, { code: link.code, new_password: 'bob-pw-3' });
        assert.equal(again.status, 400, 'a link applies once');

        await rejects(BaaS.auth.getCurrentUser(), 401, 'the session from before the reset');
        await rejects(BaaS.auth.login({ email, password }), 400, 'the old password');
        const u = await BaaS.auth.login({ email, password: 'bob-pw-2' });
        assert.equal(u.id, ids.email);
        assert.notEqual(web.stored('auth_token'), oldToken);
        await logout();
        await rejects(BaaS.auth.requestPasswordReset({ email: 'nobody@example.com' }), 404, 'an unknown email');
      });

      test('setMobilePhone, sendSmsCode, verifyMobilePhone: the phone verified', async () => {
        const phone4 = '13900000014';
        let u = await BaaS.auth.login(accounts.username);
        let n = web.requests.length;
        u = await u.setMobilePhone(phone4);
        let [r] = since(n);
        assert.equal(r.method, 'PUT');
        assert.equal(r.path, ACCOUNT);
        assert.deepEqual(r.body, { phone: phone4 });
        assert.equal(r.status, 200);
        assert.equal(u._phone, phone4, 'the SDK takes the record it gets back');
        assert.equal(u._phone_verified, false);
        await BaaS.sendSmsCode({ phone: phone4 });
        const code = await newestCode(phone4);
        n = web.requests.length;
        await u.verifyMobilePhone(code);
        [r] = since(n);
        assert.equal(r.method, 'POST');
        assert.equal(r.path, PHONE_VERIFY);
        assert.deepEqual(r.body, { code });
        assert.equal(r.status, 200);
        const fresh = await BaaS.auth.getCurrentUser();
        assert.equal(fresh._phone, phone4);
        assert.equal(fresh._phone_verified, true);
        await logout();
      });

      test('setUsername, setEmail, updatePassword (a wrong current password is 400)', async () => {
        let u = await BaaS.auth.login(accounts.username);
        let n = web.requests.length;
        u = await u.setUsername('alice2');
        assert.deepEqual(since(n)[0].body, { username: 'alice2' });
        assert.equal(u._username, 'alice2');
        n = web.requests.length;
        u = await u.setEmail('alice@example.com');
        assert.deepEqual(since(n)[0].body, { email: 'alice@example.com' });
        assert.equal(u._email, 'alice@example.com');
        assert.equal(u._email_verified, false);

        n = web.requests.length;
        await rejects(u.updatePassword({ password: 'wrong', newPassword: 'alice-pw-2' }), 400, 'wrong current password');
        assert.deepEqual(since(n)[0].body, { password: 'wrong', new_password: 'alice-pw-2' });
        n = web.requests.length;
        const same = await u.updatePassword({ password: 'alice-pw-1', newPassword: 'alice-pw-2' });
        assert.equal(same, u);
        assert.equal(since(n)[0].status, 200);
        const fresh = await BaaS.auth.getCurrentUser();
        assert.equal(fresh._username, 'alice2');
        assert.equal(fresh._email, 'alice@example.com');
        await logout();

        await rejects(BaaS.auth.login({ username: 'alice', password: 'alice-pw-2' }), 400, 'the old username');
        await rejects(BaaS.auth.login({ username: 'alice2', password: 'alice-pw-1' }), 400, 'the old password');
        assert.equal((await BaaS.auth.login({ username: 'alice2', password: 'alice-pw-2' })).id, ids.username);
        await logout();
        assert.equal((await BaaS.auth.login({ email: 'alice@example.com', password: 'alice-pw-2' })).id, ids.username);
        await logout();
      });

      test('setAccount of a user without a password: username and password', async () => {
        // The SMS user has no password; setAccount sends its password as new_password.
        await BaaS.sendSmsCode({ phone: '13900000015' });
        const code = await newestCode('13900000015');
        let u = await BaaS.auth.loginWithSmsVerificationCode('13900000015', code);
        const n = web.requests.length;
        u = await u.setAccount({ username: 'erin', password: 'erin-pw-1' });
        const [r] = since(n);
        assert.equal(r.method, 'PUT');
        assert.equal(r.path, ACCOUNT);
        assert.deepEqual(r.body, { username: 'erin', new_password: 'erin-pw-1' });
        assert.equal(r.status, 200, JSON.stringify(r.data));
        assert.equal(u._username, 'erin');
        assert.equal(u._phone, '13900000015');
        const id = u.id;
        await logout();
        assert.equal((await BaaS.auth.login({ username: 'erin', password: 'erin-pw-1' })).id, id);
        assert.equal((await BaaS.auth.login({ phone: '13900000015', password: 'erin-pw-1' })).id, id);
        await logout();
      });

      test("the SDK's rateLimit merges concurrent logins: one request, bob gets alice's session", async () => {
        await BaaS.auth.register({ username: 'bob', password: 'bob-pw-9' });
        const bobID = web.stored('uid');
        await logout();
        const n = web.requests.length;
        const [a, b] = await Promise.all([
          BaaS.auth.login({ username: 'alice2', password: 'alice-pw-2' }),
          BaaS.auth.login({ username: 'bob', password: 'bob-pw-9' }),
        ]);
        const logins = since(n).filter((r) => r.path === LOGIN('username'));
        assert.equal(logins.length, 1, 'one login request');
        assert.deepEqual(logins[0].body, { username: 'alice2', password: 'alice-pw-2' });
        assert.equal(a.id, ids.username);
        assert.equal(b.id, ids.username, "bob's call resolved to alice");
        assert.equal(a, b, 'the very same promise result');
        assert.notEqual(b.id, bobID);
        assert.equal(web.stored('uid'), ids.username);
        await logout();
      });

      test('sign-in switches: anonymous off is 405, on again works', async () => {
        const before = await ctl.signIn(emu);
        assert.deepEqual(before, {
          password: true, anonymous: true, sms: true, sign_up: true,
          alipay: true, qq: true, baidu: true, bytedance: true, jd: true, kuaishou: true,
        });
        const off = await ctl.setSignIn(emu, { anonymous: false });
        assert.equal(off.anonymous, false);
        assert.equal(off.password, true, 'a switch left out stays');
        try {
          const err = await rejects(BaaS.auth.anonymousLogin(), 405, 'anonymous off');
          assert.match(err.message, /^405: Please enable anonymous login first/);
          assert.equal(web.stored('auth_token'), '');
        } finally {
          await ctl.setSignIn(emu, { anonymous: true });
        }
        const u = await BaaS.auth.anonymousLogin();
        assert.equal(u._anonymous, true);
        await logout();
      });

      test('sign-in switches: password, sign_up and sms off are 405 each', async () => {
        const phone = '13900000016';
        await BaaS.sendSmsCode({ phone });
        const code = await newestCode(phone);
        try {
          await ctl.setSignIn(emu, { password: false });
          await rejects(BaaS.auth.login({ username: 'dave', password: 'dave-pw-1' }), 405, 'password off: login');
          await rejects(BaaS.auth.register({ username: 'frank', password: 'frank-pw-1' }), 405, 'password off: register');
          await ctl.setSignIn(emu, { password: true, sign_up: false });
          await rejects(BaaS.auth.register({ username: 'frank', password: 'frank-pw-1' }), 405, 'sign_up off: register');
          await rejects(BaaS.auth.loginWithSmsVerificationCode(phone, code), 405, 'sign_up off: an SMS login of a new phone');
          assert.equal((await BaaS.auth.login({ username: 'dave', password: 'dave-pw-1' })).id, ids.dave, 'sign_up off: login works');
          await logout();
          await ctl.setSignIn(emu, { sign_up: true, sms: false });
          await rejects(BaaS.auth.loginWithSmsVerificationCode(phone, code), 405, 'sms off');
          assert.equal((await ctl.smsOutbox(emu, phone))[0].used, false, 'no code spent');
        } finally {
          await ctl.setSignIn(emu, { password: true, anonymous: true, sms: true, sign_up: true });
        }
        assert.equal((await BaaS.auth.loginWithSmsVerificationCode(phone, code))._phone, phone, 'all on again');
        await logout();
      });

      test('setEmail with sendVerificationEmail sends the link too', async () => {
        await BaaS.auth.login({ username: 'dave', password: 'dave-pw-1' });
        let u = await BaaS.auth.getCurrentUser();
        const n = web.requests.length;
        u = await u.setEmail('dave@example.com', { sendVerificationEmail: true });
        assert.equal(u._email, 'dave@example.com');
        // the SDK does not wait for the verification request: wait for it here
        for (let i = 0; i < 100 && !since(n).some((r) => r.path === EMAIL_VERIFY && r.status); i++) await new Promise((r) => setTimeout(r, 10));
        const verify = since(n).find((r) => r.path === EMAIL_VERIFY);
        assert.ok(verify, 'the verification request');
        assert.equal(verify.status, 201);
        const box = await ctl.emailOutbox(emu, 'dave@example.com');
        assert.deepEqual(box.map((l) => l.kind), ['verify_email']);
        await logout();
      });

      test('a page reload keeps the session: a fresh SDK reads localStorage', async () => {
        const u = await BaaS.auth.login({ username: 'dave', password: 'dave-pw-1' });
        BaaS = web.load();
        BaaS.init(emu.clientID, { host: emu.url });
        const n = web.requests.length;
        const again = await BaaS.auth.getCurrentUser();
        assert.equal(again.id, u.id);
        assert.equal(again._username, 'dave');
        assert.equal(since(n).length, 1, 'just the record');
        await logout();
      });
    });
  });
}

module.exports = { run, rejects };
