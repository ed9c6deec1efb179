'use strict';
// minapp-sdk 3.23.6's web build (lib/web.js) in node, under lib/web-shim.js:
// the account auth against the emulator.
require('../lib/account').run({
  version: '3.23.6',
  pkg: 'minapp-sdk-3236',
  flags: ['-password-cost', '4'], // bcrypt's cheapest: the suite hashes a few dozen passwords
});
