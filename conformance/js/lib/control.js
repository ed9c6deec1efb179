'use strict';
// The emulator's control plane (/emulator/v1/) from the tests, outside any
// SDK: the outbox of SMS codes and email links, the sign-in switches, the
// call counts.

const http = require('node:http');

// control sends a JSON body (or none) to the control plane and resolves to
// { status, data }; data is the parsed answer, or its text when not JSON.
function control(emulator, method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = {};
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (text !== undefined) headers['Content-Type'] = 'application/json';
    const req = http.request(new URL(`/emulator/v1${path}`, emulator.url), { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const out = Buffer.concat(chunks).toString('utf8');
        let data = out;
        try {
          data = out === '' ? undefined : JSON.parse(out);
        } catch {
          // the text is the answer
        }
        resolve({ status: res.statusCode, data });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

// ok is control expecting a 2xx: it resolves to the data.
async function ok(emulator, method, path, body) {
  const { status, data } = await control(emulator, method, path, body);
  if (status < 200 || status > 299) throw new Error(`${method} /emulator/v1${path}: ${status} ${JSON.stringify(data)}`);
  return data;
}

const q = encodeURIComponent;

module.exports = {
  control,
  // smsOutbox lists the SMS codes sent to phone, oldest first.
  smsOutbox: (emu, phone) => ok(emu, 'GET', `/outbox/sms?phone=${q(phone)}`),
  // emailOutbox lists the email links sent to email, oldest first.
  emailOutbox: (emu, email) => ok(emu, 'GET', `/outbox/email?email=${q(email)}`),
  // applyEmail follows an email link: {code} verifies, {code, new_password} resets.
  applyEmail: (emu, body) => control(emu, 'POST', '/outbox/email/apply', body),
  signIn: (emu) => ok(emu, 'GET', '/sign-in'),
  setSignIn: (emu, switches) => ok(emu, 'PUT', '/sign-in', switches),
  // calls is the count of requests seen, by endpoint path.
  calls: (emu) => ok(emu, 'GET', '/calls'),
};
