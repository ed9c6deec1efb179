'use strict';
// A browser, as far as minapp-sdk's web build (lib/web.js) needs one, in node:
//   - window is globalThis (the bundle's UMD wrapper and its modules name
//     `window`), with no-op addEventListener/removeEventListener and no
//     `document`, so that axios in the bundle does not take node for a
//     standard browser (no XSRF cookie is read) and nothing touches a DOM;
//   - XMLHttpRequest over node's http module, to the emulator only: any other
//     origin is a network error, as it is for a page whose host does not
//     resolve. It has what axios's xhr adapter uses: open, setRequestHeader,
//     send, abort, the on* handlers (readystatechange, load, loadend, error,
//     timeout, abort), addEventListener, readyState, status, statusText,
//     responseText, response, responseType, responseURL,
//     getAllResponseHeaders, getResponseHeader, timeout, withCredentials and
//     an upload target;
//   - localStorage in memory, with the Storage interface (getItem, setItem,
//     removeItem, clear, key, length).
// Every request is recorded for the tests: { method, path, query, headers,
// body, status, data }.

const http = require('node:http');

// MemoryStorage is the Storage interface of the Web Storage API over a Map:
// values are strings, a missing key reads as null.
class MemoryStorage {
  #items = new Map();
  get length() {
    return this.#items.size;
  }
  key(i) {
    const keys = [...this.#items.keys()];
    return i >= 0 && i < keys.length ? keys[i] : null;
  }
  getItem(k) {
    k = String(k);
    return this.#items.has(k) ? this.#items.get(k) : null;
  }
  setItem(k, v) {
    this.#items.set(String(k), String(v));
  }
  removeItem(k) {
    this.#items.delete(String(k));
  }
  clear() {
    this.#items.clear();
  }
}

// keysOf lists a Storage's keys through its interface.
function keysOf(storage) {
  const out = [];
  for (let i = 0; i < storage.length; i++) out.push(storage.key(i));
  return out;
}

// Target is the little of EventTarget that an XHR and its upload need: on*
// handlers and listeners, called with the target as this.
class Target {
  #listeners = new Map();
  addEventListener(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
  }
  removeEventListener(type, fn) {
    this.#listeners.get(type)?.delete(fn);
  }
  dispatchEvent(event) {
    const handler = this[`on${event.type}`];
    if (typeof handler === 'function') handler.call(this, event);
    for (const fn of this.#listeners.get(event.type) || []) fn.call(this, event);
    return true;
  }
}

// createXHR returns an XMLHttpRequest class whose requests go to emulator
// and are pushed to requests. With loadend false it has no onloadend, as
// browsers before XHR level 2 had: axios then waits on readystatechange.
function createXHR({ emulator, requests, loadend = true }) {
  const origin = new URL(emulator.url).origin;
  const event = (target, type, extra = {}) => ({ type, target, currentTarget: target, loaded: 0, total: 0, lengthComputable: false, ...extra });

  class XMLHttpRequest extends Target {
    static UNSENT = 0;
    static OPENED = 1;
    static HEADERS_RECEIVED = 2;
    static LOADING = 3;
    static DONE = 4;

    constructor() {
      super();
      this.readyState = 0;
      this.status = 0;
      this.statusText = '';
      this.responseText = '';
      this.response = '';
      this.responseType = '';
      this.responseURL = '';
      this.timeout = 0;
      this.withCredentials = false;
      this.upload = new Target();
      for (const h of ['readystatechange', 'loadstart', 'progress', 'load', 'error', 'timeout', 'abort']) this[`on${h}`] = null;
      if (loadend) this.onloadend = null;
      this._req = null;
      this._headers = {};
      this._responseHeaders = {};
      this._done = false;
    }

    open(method, url, async = true) {
      if (async === false) throw new Error('the shim has no synchronous XMLHttpRequest');
      this._method = String(method).toUpperCase();
      this._url = new URL(url);
      this._headers = {};
      this._done = false;
      this.status = 0;
      this.statusText = '';
      this.responseText = '';
      this.response = '';
      this._setState(1);
    }

    setRequestHeader(name, value) {
      if (this.readyState !== 1 || this._req) throw new Error('InvalidStateError: setRequestHeader before open or after send');
      const k = String(name).toLowerCase();
      this._headers[k] = k in this._headers ? `${this._headers[k]}, ${value}` : String(value);
    }

    getResponseHeader(name) {
      const v = this._responseHeaders[String(name).toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
    }

    getAllResponseHeaders() {
      if (this.readyState < 2) return '';
      return Object.entries(this._responseHeaders)
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}\r\n`)
        .join('');
    }

    send(body = null) {
      if (this.readyState !== 1 || this._req) throw new Error('InvalidStateError: send before open or twice');
      const u = this._url;
      const text = body === null || body === undefined || this._method === 'GET' || this._method === 'HEAD' ? undefined : String(body);
      let parsed = text;
      try {
        parsed = text === undefined ? undefined : JSON.parse(text);
      } catch {
        // a body that is not JSON is recorded as sent
      }
      const record = { method: this._method, path: u.pathname, query: Object.fromEntries(u.searchParams), headers: { ...this._headers }, body: parsed };
      requests.push(record);
      this.dispatchEvent(event(this, 'loadstart'));
      if (u.origin !== origin) {
        record.error = `no route to ${u.origin}`;
        setImmediate(() => this._fail('error'));
        this._req = { destroy() {} };
        return;
      }
      const headers = { ...this._headers };
      if (text !== undefined) headers['content-length'] = Buffer.byteLength(text);
      const req = http.request(new URL(u.pathname + u.search, emulator.url), { method: this._method, headers }, (res) => {
        this._responseHeaders = res.headers;
        this.status = res.statusCode;
        this.statusText = res.statusMessage || '';
        this.responseURL = u.href;
        this._setState(2);
        const chunks = [];
        res.on('data', (c) => {
          chunks.push(c);
          if (this.readyState === 2) this._setState(3);
        });
        res.on('end', () => {
          if (this._done) return;
          const buf = Buffer.concat(chunks);
          this.responseText = buf.toString('utf8');
          this.response = this._responseOf(buf);
          record.status = this.status;
          try {
            record.data = JSON.parse(this.responseText);
          } catch {
            record.data = this.responseText;
          }
          this._finish();
          this.dispatchEvent(event(this, 'progress', { loaded: buf.length, total: buf.length, lengthComputable: true }));
          this.dispatchEvent(event(this, 'load'));
          this.dispatchEvent(event(this, 'loadend'));
        });
        res.on('error', (err) => {
          record.error = err.message;
          this._fail('error');
        });
      });
      this._req = req;
      req.on('error', (err) => {
        if (this._done) return;
        record.error = err.message;
        this._fail('error');
      });
      if (this.timeout > 0) {
        req.setTimeout(this.timeout, () => {
          if (this._done) return;
          record.error = 'timeout';
          req.destroy();
          this._fail('timeout');
        });
      }
      req.end(text);
    }

    abort() {
      if (this._done || !this._req) return;
      this._req.destroy();
      this._fail('abort');
      this.readyState = 0; // as a browser leaves an aborted request
    }

    _responseOf(buf) {
      switch (this.responseType) {
        case 'json':
          try {
            return JSON.parse(buf.toString('utf8'));
          } catch {
            return null;
          }
        case 'arraybuffer':
          return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
        default:
          return buf.toString('utf8');
      }
    }

    _setState(n) {
      this.readyState = n;
      this.dispatchEvent(event(this, 'readystatechange'));
    }

    _finish() {
      this._done = true;
      this._setState(4);
    }

    // _fail ends the request as a network error, a timeout or an abort: status
    // 0 and no response, then the event of that kind, then loadend.
    _fail(type) {
      this.status = 0;
      this.statusText = '';
      this.responseText = '';
      this.response = '';
      this._responseHeaders = {};
      this._finish();
      this.dispatchEvent(event(this, type));
      this.dispatchEvent(event(this, 'loadend'));
    }
  }
  return XMLHttpRequest;
}

const WEB_JS = require.resolve('minapp-sdk-3236/lib/web.js');

// createWeb installs the browser globals for one page against emulator
// (loadend as createXHR's) and returns { localStorage, requests, load(),
// stored(key), keys() }. load() evaluates the web build afresh (out of the
// require cache, with no BaaS left on window from a previous load), as a
// page load does; localStorage outlives it, as a browser's does.
function createWeb({ emulator, localStorage = new MemoryStorage(), loadend = true }) {
  const requests = [];
  globalThis.window = globalThis;
  if (typeof globalThis.addEventListener !== 'function') globalThis.addEventListener = () => {};
  if (typeof globalThis.removeEventListener !== 'function') globalThis.removeEventListener = () => {};
  delete globalThis.document;
  // Node 21 and later define navigator; axios only asks it for ReactNative.
  Object.defineProperty(globalThis, 'localStorage', { value: localStorage, configurable: true, writable: true });
  globalThis.XMLHttpRequest = createXHR({ emulator, requests, loadend });

  const load = () => {
    delete require.cache[WEB_JS];
    delete globalThis.BaaS;
    return require(WEB_JS);
  };
  // stored reads what the SDK keeps under ifx_baas_<key>: the raw string,
  // and the value inside its {"value": ...} wrapper.
  const stored = (key) => {
    const raw = localStorage.getItem(`ifx_baas_${key}`);
    return raw === null ? undefined : JSON.parse(raw).value;
  };
  return { localStorage, requests, load, stored, keys: () => keysOf(localStorage) };
}

module.exports = { createWeb, createXHR, MemoryStorage, keysOf, WEB_JS };
