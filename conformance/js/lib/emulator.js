'use strict';
// Starts the Go emulator (cmd/baas-emulator) as a child process on a random
// loopback port and reads its URL, ClientID and AppID from what it prints.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const repoRoot = path.resolve(__dirname, '..', '..', '..');

// binary returns the emulator binary: $BAAS_EMULATOR when set (CI builds it
// once), else one built here from the repository's source.
function binary() {
  if (process.env.BAAS_EMULATOR) return process.env.BAAS_EMULATOR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baas-emulator-'));
  const bin = path.join(dir, 'emulator');
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync('go', ['build', '-o', bin, './cmd/baas-emulator'], { cwd: repoRoot, stdio: 'inherit' });
  return bin;
}

// start runs the emulator with extra flags and resolves to
// { url, clientID, appID, stop() } once it serves.
function start(flags = [], { timeoutMs = 60_000 } = {}) {
  const child = spawn(binary(), ['-addr', '127.0.0.1:0', ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited before serving: code ${code}, signal ${signal}`));
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      let m;
      if ((m = /^baastest emulator serving at (\S+)$/.exec(line))) found.url = m[1];
      if ((m = /^ClientID: (\S+)$/.exec(line))) found.clientID = m[1];
      if ((m = /^AppID:\s+(\S+)$/.exec(line))) found.appID = m[1];
      if (found.url && found.clientID && found.appID && !found.ready) {
        found.ready = true;
        clearTimeout(timer);
        resolve({
          url: found.url,
          clientID: found.clientID,
          appID: found.appID,
          async stop() {
            child.kill('SIGTERM');
            const { code, signal } = await exited;
            if (code !== 0) throw new Error(`the emulator stopped with code ${code}, signal ${signal}`);
          },
        });
      }
    });
  });
}

module.exports = { start };
