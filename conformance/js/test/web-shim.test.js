'use strict';
// The page shim of the web suite (lib/web-shim.js) on its own, so that a
// failure of the web suite is the SDK's or the emulator's, not the shim's:
// localStorage's interface, the XMLHttpRequest's events, headers, errors,
// timeout and abort against the emulator, and the web build over either
// completion event axios listens to.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const emulator = require('../lib/emulator');
const { createXHR, createWeb, MemoryStorage, keysOf } = require('../lib/web-shim');
const { control } = require('../lib/control');

describe('web shim', () => {
  let emu;
  before(async () => {
    emu = await emulator.start();
  });
  after(async () => {
    if (emu) await emu.stop();
  });

  test('localStorage is the Storage interface', () => {
    const s = new MemoryStorage();
    assert.equal(s.length, 0);
    assert.equal(s.getItem('a'), null);
    assert.equal(s.key(0), null);
    s.setItem('a', { x: 1 });
    s.setItem('b', 2);
    assert.equal(s.getItem('a'), '[object Object]', 'values are strings');
    assert.equal(s.getItem('b'), '2');
    assert.equal(s.length, 2);
    assert.deepEqual(keysOf(s), ['a', 'b']);
    s.removeItem('a');
    assert.deepEqual(keysOf(s), ['b']);
    s.clear();
    assert.equal(s.length, 0);
  });

  // send opens and sends one request, resolving when it ends to the XHR
  // and the events it fired.
  const send = (XHR, method, url, { headers = {}, body = null, timeout = 0, abortAfter } = {}) =>
    new Promise((resolve) => {
      const x = new XHR();
      const events = [];
      const on = (type) => (e) => {
        events.push(type === 'readystatechange' ? `rs${x.readyState}` : type);
        assert.equal(e.target, x);
        if (type === 'loadend') resolve({ x, events });
      };
      for (const t of ['readystatechange', 'load', 'error', 'timeout', 'abort', 'loadend']) x[`on${t}`] = on(t);
      x.open(method, url, true);
      for (const [k, v] of Object.entries(headers)) x.setRequestHeader(k, v);
      x.timeout = timeout;
      x.send(body);
      if (abortAfter !== undefined) setTimeout(() => x.abort(), abortAfter);
    });

  test('a request: events in order, status, headers, body', async () => {
    const requests = [];
    const XHR = createXHR({ emulator: emu, requests });
    const { x, events } = await send(XHR, 'POST', `${emu.url}/hserve/v2.0/session/destroy/?a=1`, {
      headers: { 'X-Hydrogen-Client-ID': emu.clientID, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.deepEqual(events, ['rs1', 'rs2', 'rs3', 'rs4', 'load', 'loadend']);
    assert.equal(x.readyState, 4);
    assert.equal(x.status, 201);
    assert.equal(x.statusText, 'Created');
    assert.equal(x.responseText, '{"message":"Destroy succeed.","status":"ok"}');
    assert.equal(x.response, x.responseText);
    assert.match(x.getAllResponseHeaders(), /^content-type: application\/json/m);
    assert.match(x.getResponseHeader('Content-Type'), /^application\/json/);
    assert.equal(x.getResponseHeader('X-None'), null);
    assert.deepEqual(requests, [
      {
        method: 'POST',
        path: '/hserve/v2.0/session/destroy/',
        query: { a: '1' },
        headers: { 'x-hydrogen-client-id': emu.clientID, 'content-type': 'application/json' },
        body: {},
        status: 201,
        data: { message: 'Destroy succeed.', status: 'ok' },
      },
    ]);
  });

  test('an error status is a load, not an error', async () => {
    const XHR = createXHR({ emulator: emu, requests: [] });
    const { x, events } = await send(XHR, 'GET', `${emu.url}/hserve/v2.5/user/info/1/`);
    assert.deepEqual(events.slice(-2), ['load', 'loadend']);
    assert.equal(x.status, 401, x.responseText); // no ClientID header
    assert.equal(typeof JSON.parse(x.responseText).error_msg, 'string');
  });

  test('another origin is a network error: status 0, error then loadend', async () => {
    const requests = [];
    const XHR = createXHR({ emulator: emu, requests });
    const { x, events } = await send(XHR, 'GET', 'http://elsewhere.invalid/x');
    assert.deepEqual(events, ['rs1', 'rs4', 'error', 'loadend']);
    assert.equal(x.status, 0);
    assert.equal(x.responseText, '');
    assert.equal(x.getAllResponseHeaders(), '');
    assert.match(requests[0].error, /no route/);
  });

  test('timeout, and abort', async () => {
    const path = '/hserve/v2.0/session/destroy/';
    const fault = await control(emu, 'PUT', '/faults', { path, delay: '2s', times: 2 });
    assert.equal(fault.status, 200, JSON.stringify(fault.data));
    try {
      const XHR = createXHR({ emulator: emu, requests: [] });
      let { x, events } = await send(XHR, 'POST', emu.url + path, { timeout: 100, body: '{}' });
      assert.deepEqual(events, ['rs1', 'rs4', 'timeout', 'loadend']);
      assert.equal(x.status, 0);
      ({ x, events } = await send(XHR, 'POST', emu.url + path, { body: '{}', abortAfter: 50 }));
      assert.deepEqual(events, ['rs1', 'rs4', 'abort', 'loadend']);
      assert.equal(x.readyState, 0, 'an aborted request is left unsent');
    } finally {
      await control(emu, 'DELETE', '/faults');
    }
  });

  test('setRequestHeader before open throws; a repeated header is joined', async () => {
    const requests = [];
    const XHR = createXHR({ emulator: emu, requests });
    assert.throws(() => new XHR().setRequestHeader('a', 'b'), /InvalidStateError/);
    await send(XHR, 'GET', `${emu.url}/hserve/v2.0/session/destroy/`, { headers: { 'X-A': '1', 'x-a': '2' } });
    assert.equal(requests[0].headers['x-a'], '1, 2');
    assert.equal(requests[0].body, undefined, 'a GET sends no body');
  });

  for (const loadend of [true, false]) {
    test(`the web build over XHR ${loadend ? 'with onloadend' : 'without onloadend (readystatechange)'}`, async () => {
      const web = createWeb({ emulator: emu, loadend });
      assert.equal('onloadend' in new XMLHttpRequest(), loadend);
      const BaaS = web.load();
      assert.equal(globalThis.BaaS, undefined, 'the UMD wrapper exports, it does not set window.BaaS');
      BaaS.init(emu.clientID, { host: emu.url });
      const res = await BaaS.auth.logout();
      assert.equal(res.status, 201);
      assert.deepEqual(res.data, { message: 'Destroy succeed.', status: 'ok' });
      assert.equal(web.requests.length, 1);
      assert.equal(web.requests[0].status, 201);
      assert.notEqual(web.load(), BaaS, 'load evaluates the bundle afresh');
    });
  }
});
