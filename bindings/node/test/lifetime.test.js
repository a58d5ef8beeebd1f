'use strict';
// Close is idempotent, a closed verifier refuses every call with a clear error,
// shared verifiers are reference counted, and the finalizers free what the user forgot.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const tv = require('..');
const { hsToken, hsConfig } = require('./helpers');

function closedError(fn) {
  assert.throws(fn, (e) => e instanceof tv.UsageError && e.name === 'TV_ERR_INVALID_ARGUMENT' && /verifier is closed/.test(e.message));
}

test('close twice is safe; every call after it is a UsageError', () => {
  const v = new tv.Verifier(hsConfig());
  const t = hsToken({});
  const claims = v.verify(t);
  assert.equal(v.closed, false);
  v.close();
  v.close();
  assert.equal(v.closed, true);
  assert.equal(v.references, 0);
  closedError(() => v.verify(t));
  closedError(() => v.verifyOnly(t));
  closedError(() => v.verifyMany([t]));
  closedError(() => v.authenticate({ method: 'GET', url: '/', headers: {} }));
  closedError(() => v.revoke('j', 1));
  closedError(() => v.revokeSubject('s', 1));
  closedError(() => v.stats());
  // Claims do not reference the verifier: they outlive it.
  assert.equal(claims.getString('sub'), 'alice');
});

test('Symbol.dispose closes (using-style cleanup)', { skip: !Symbol.dispose }, () => {
  const v = new tv.Verifier(hsConfig());
  v[Symbol.dispose]();
  assert.equal(v.closed, true);
});

test('shared verifiers: one native verifier per configuration, freed with its last reference', () => {
  const config = hsConfig({ name: 'shared-lifetime' });
  const a = new tv.Verifier(config, { shared: true });
  const b = new tv.Verifier(JSON.stringify(config), { shared: true });
  const own = new tv.Verifier(config);
  assert.equal(a.references, 2);
  assert.equal(b.references, 2);
  assert.equal(own.references, 1);
  const t = hsToken({});
  a.verify(t);
  b.verify(t);
  // Both count on the same native verifier's stats.
  const count = (v) => Object.values(v.stats().providers[0].verifications).reduce((x, y) => x + y, 0);
  assert.equal(count(a), 2);
  assert.equal(count(own), 0);
  a.close();
  closedError(() => a.verify(t));
  assert.equal(b.references, 1);
  assert.equal(b.verify(t).getString('sub'), 'alice');
  b.close();
  const c = new tv.Verifier(config, { shared: true });
  assert.equal(count(c), 0, 'a new native verifier once the last one was freed');
  c.close();
  own.close();
});

test('forgotten verifiers, claims and decisions are freed by their finalizers (no crash, bounded memory)', () => {
  const script = `
    const tv = require(${JSON.stringify(path.resolve(__dirname, '..'))});
    const { hsToken, hsConfig } = require(${JSON.stringify(path.join(__dirname, 'helpers.js'))});
    const config = JSON.stringify(hsConfig());
    const token = hsToken({ pad: 'x'.repeat(2000) });
    async function round() {
      for (let i = 0; i < 200; i++) {
        const v = new tv.Verifier(config);
        for (let j = 0; j < 20; j++) v.verify(token);
        v.authenticate({ method: 'GET', url: '/', headers: { authorization: 'Bearer ' + token } }).claims;
      }
      globalThis.gc();
      await new Promise((r) => setImmediate(r));
      globalThis.gc();
      await new Promise((r) => setImmediate(r));
    }
    (async () => {
      await round();
      const before = process.memoryUsage().rss;
      for (let k = 0; k < 5; k++) await round();
      const grew = (process.memoryUsage().rss - before) / 1048576;
      console.log(JSON.stringify({ grewMiB: grew }));
      if (grew > 64) process.exit(3);
    })();
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /grewMiB/);
});

test('a verifier is usable from a worker thread and freed when the worker exits without closing it', async () => {
  const { Worker } = require('node:worker_threads');
  const w = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const tv = require(workerData.pkg);
     const v = new tv.Verifier(workerData.config);
     parentPort.postMessage(v.verify(workerData.token).getString('sub'));`,
    { eval: true, workerData: { pkg: path.resolve(__dirname, '..'), config: hsConfig(), token: hsToken({}) } },
  );
  const [msg] = await Promise.all([new Promise((r) => w.once('message', r)), new Promise((r) => w.once('exit', r))]);
  assert.equal(msg, 'alice');
});
