'use strict';
// A shim of the WeChat mini-program `wx` API in node, enough for the
// minapp-sdk to log in against the emulator:
//   - wx.request goes over node's http to the emulator. The SDK builds URLs
//     on https://{ClientID}.myminapp.com (or the host given to init); the shim
//     maps that origin to the emulator, as a hosts entry would, and refuses
//     any other, as WeChat's request domain list does.
//   - wx.login and wx.getUserInfo go to the emulator's simulated WeChat
//     (POST /emulator/wx/login and /emulator/wx/userinfo).
//   - storage lives in memory.
//   - the base library version the SDK reads (system.SDKVersion) and the
//     WeChat user wx.login logs in (user.openid) can be switched by the
//     tests.
// Every BaaS request and every WeChat call is recorded for the tests.

const http = require('node:http');

// post sends a JSON body to the emulator and resolves to { status, data }.
function post(base, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode, data: JSON.parse(text) });
        } catch (err) {
          reject(new Error(`${path}: not JSON: ${text}`));
        }
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// createWx returns { wx, storage, requests, wxCalls, next } for one user of
// the emulator. next.loginErrcode, when set, makes the next wx.login's code
// fail its exchange with that WeChat errcode.
function createWx({ emulator, openid, sdkVersion = '2.30.0' }) {
  const system = { SDKVersion: sdkVersion }; // the base library version, settable by the tests
  const storage = new Map();
  const requests = []; // { method, path, headers, body, status, data }
  const wxCalls = []; // 'login', 'getUserInfo'
  const next = { loginErrcode: 0 };
  const user = { openid }; // the WeChat user of wx.login, settable by the tests
  const allowed = new Set([`https://${emulator.clientID}.myminapp.com`, emulator.url]);
  const clone = (v) => (v === undefined ? v : structuredClone(v));
  const later = (fn, ...args) => setImmediate(() => fn && fn(...args));

  const wx = {
    request({ url, method = 'GET', data, header = {}, dataType = 'json', success, fail, complete }) {
      const u = new URL(url);
      if (!allowed.has(u.origin)) {
        const res = { errMsg: `request:fail url not in domain list: ${u.origin}` };
        later(fail, res);
        later(complete, res);
        return { abort() {} };
      }
      method = method.toUpperCase();
      const target = new URL(u.pathname + u.search, emulator.url);
      let body;
      if (method === 'GET' || method === 'HEAD') {
        // WeChat puts the data of a GET in the query string.
        for (const [k, v] of Object.entries(data || {})) {
          if (v !== undefined) target.searchParams.append(k, typeof v === 'string' ? v : JSON.stringify(v));
        }
      } else if (data !== undefined) {
        body = typeof data === 'string' ? data : JSON.stringify(data);
      }
      const headers = { 'content-type': 'application/json' };
      for (const [k, v] of Object.entries(header)) headers[k.toLowerCase()] = String(v);
      const record = { method, path: target.pathname, headers, body: body === undefined ? undefined : JSON.parse(body) };
      requests.push(record);
      const req = http.request(target, { method, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          let out = Buffer.concat(chunks).toString('utf8');
          if (dataType === 'json') {
            try {
              out = JSON.parse(out);
            } catch {
              // WeChat hands over the text when it is not JSON
            }
          }
          Object.assign(record, { status: res.statusCode, data: out });
          const r = { statusCode: res.statusCode, data: out, header: res.headers, errMsg: 'request:ok' };
          success && success(r);
          complete && complete(r);
        });
      });
      req.on('error', (err) => {
        record.error = err.message;
        const r = { errMsg: `request:fail ${err.message}` };
        fail && fail(r);
        complete && complete(r);
      });
      req.end(body);
      return { abort: () => req.destroy() };
    },

    login({ success, fail, complete } = {}) {
      wxCalls.push('login');
      const errcode = next.loginErrcode;
      next.loginErrcode = 0;
      const { openid } = user;
      post(emulator.url, '/emulator/wx/login', errcode ? { openid, errcode } : { openid }).then(
        ({ status, data }) => {
          const r = status === 200 ? { code: data.code, errMsg: 'login:ok' } : { errMsg: `login:fail ${data.error_msg}` };
          (status === 200 ? success : fail)?.(r);
          complete?.(r);
        },
        (err) => {
          fail?.({ errMsg: `login:fail ${err.message}` });
        },
      );
    },

    getUserInfo({ success, fail, complete } = {}) {
      wxCalls.push('getUserInfo');
      post(emulator.url, '/emulator/wx/userinfo', { openid }).then(
        ({ status, data }) => {
          const r = status === 200 ? data.detail : { errMsg: `getUserInfo:fail ${data.error_msg}` };
          (status === 200 ? success : fail)?.(r);
          complete?.(r);
        },
        (err) => fail?.({ errMsg: `getUserInfo:fail ${err.message}` }),
      );
    },

    setStorageSync: (key, value) => void storage.set(key, clone(value)),
    getStorageSync: (key) => (storage.has(key) ? clone(storage.get(key)) : ''),
    removeStorageSync: (key) => void storage.delete(key),
    clearStorageSync: () => storage.clear(),
    setStorage({ key, data, success, complete }) {
      storage.set(key, clone(data));
      later(success, { errMsg: 'setStorage:ok' });
      later(complete, { errMsg: 'setStorage:ok' });
    },
    getStorage({ key, success, fail, complete }) {
      const r = storage.has(key) ? { data: clone(storage.get(key)), errMsg: 'getStorage:ok' } : { errMsg: 'getStorage:fail data not found' };
      later(storage.has(key) ? success : fail, r);
      later(complete, r);
    },

    getSystemInfoSync: () => ({ platform: 'ios', system: 'iOS 17.0', version: '8.0.44', SDKVersion: system.SDKVersion, language: 'zh_CN', brand: 'node', model: 'node', pixelRatio: 2, screenWidth: 375, screenHeight: 812, windowWidth: 375, windowHeight: 812 }),
    getSystemInfo({ success, complete } = {}) {
      later(success, wx.getSystemInfoSync());
      later(complete, {});
    },
    getAccountInfoSync: () => ({ miniProgram: { appId: emulator.appID, envVersion: 'develop', version: '' } }),
    getNetworkType({ success, complete } = {}) {
      later(success, { networkType: 'wifi', errMsg: 'getNetworkType:ok' });
      later(complete, {});
    },
  };
  // code is wx.login as a mini-program calls it before a button that needs one.
  const code = () =>
    new Promise((resolve, reject) => wx.login({ success: (r) => resolve(r.code), fail: (r) => reject(new Error(r.errMsg)) }));
  return { wx, storage, requests, wxCalls, next, system, code, user };
}

// phoneButton is what <button open-type="getPhoneNumber"> hands its
// callback: the emulator's event, with the user's consent or refusal. A
// base library before 2.21.2 (sdkVersion) gives no detail.code.
async function phoneButton(emulator, openid, { deny = false, sdkVersion = '' } = {}) {
  const { status, data } = await post(emulator.url, '/emulator/wx/phonenumber', { openid, deny });
  if (status !== 200) throw new Error(`/emulator/wx/phonenumber: ${status} ${JSON.stringify(data)}`);
  if (sdkVersion && before(sdkVersion, '2.21.2')) delete data.detail.code;
  return { type: 'getphonenumber', detail: data.detail };
}

// before reports whether base library version a is older than b.
function before(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) < (y[i] || 0);
  }
  return false;
}

// rawSilentLogin logs openid in straight at the emulator, outside the SDK
// (another user's device), and resolves to the session.
async function rawSilentLogin(emulator, openid) {
  const { data: wxData } = await post(emulator.url, '/emulator/wx/login', { openid });
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL('/hserve/v2.5/idp/wechat/silent-login/', emulator.url),
      { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hydrogen-Client-ID': emulator.clientID } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`silent login: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ code: wxData.code, create_user: true }));
  });
}

// button is what <button open-type="getUserInfo"> hands its callback: the
// emulator's event, with the user's consent or refusal.
async function button(emulator, openid, { deny = false } = {}) {
  const { status, data } = await post(emulator.url, '/emulator/wx/userinfo', { openid, deny });
  if (status !== 200) throw new Error(`/emulator/wx/userinfo: ${status} ${JSON.stringify(data)}`);
  return { type: 'getuserinfo', detail: data.detail };
}

// rawGet sends a GET with a token straight to the emulator, outside the SDK.
function rawGet(emulator, path, token) {
  return new Promise((resolve, reject) => {
    const headers = { 'X-Hydrogen-Client-ID': emulator.clientID };
    if (token) headers.Authorization = `Hydrogen-r1 ${token}`;
    http
      .get(new URL(path, emulator.url), { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', reject);
  });
}

module.exports = { createWx, button, phoneButton, rawGet, rawSilentLogin };
