'use strict';
// Worker threads verify concurrently while a remote key set (served by this thread
// on 127.0.0.1) rotates A -> A+B -> B: with one verifier per worker, and with one
// native verifier shared by every worker ({shared: true}).
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const tv = require('..');
const { ecKey, ISSUER, sign, claims } = require('./helpers');

process.env.no_proxy = '127.0.0.1,localhost'; // libcurl: loopback never through a proxy
process.env.NO_PROXY = process.env.no_proxy;
const WORKERS = 3;

async function jwksServer() {
  const state = { keys: [], requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    if (req.url !== '/jwks.json' || state.requests > 2000) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.stringify({ keys: state.keys });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${server.address().port}/jwks.json`;
  state.close = () => new Promise((r) => server.close(r));
  return state;
}

function ask(worker, msg) {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(msg);
  });
}

async function rotation(shared) {
  const A = ecKey('A');
  const B = ecKey('B');
  const server = await jwksServer();
  server.keys = [A.jwk];
  try {
    const config = {
      providers: [
        {
          name: 'idp',
          issuer: ISSUER,
          algorithms: ['ES256'],
          jwks: {
            remote: { url: server.url, cacheDuration: '1s', unknownKidWait: '3s', initialFetchWait: '5s', requireInitialKeys: true },
          },
        },
      ],
    };
    const keys = Object.fromEntries([A, B].map((k) => [k.kid, k.privateKey.export({ format: 'pem', type: 'pkcs8' })]));
    const workers = [];
    const ready = [];
    for (let id = 0; id < WORKERS; id++) {
      const w = new Worker(path.join(__dirname, 'fixtures', 'rotation-worker.js'), {
        workerData: { pkg: path.resolve(__dirname, '..'), config, shared, issuer: ISSUER, keys, id },
      });
      workers.push(w);
      ready.push(new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject))));
    }
    await Promise.all(ready);
    const run = async (phase) => {
      const reports = await Promise.all(workers.map((w) => ask(w, phase)));
      for (const r of reports) {
        assert.deepEqual(r.unexpected, [], `phase ${phase}`);
        assert.ok(r.count > 0);
        assert.equal(r.references, shared ? WORKERS : 1, 'one native verifier for every worker when shared');
      }
      return reports;
    };
    await run('A');
    server.keys = [A.jwk, B.jwk];
    await run('AB');
    server.keys = [B.jwk];
    const last = await run('B');
    for (const r of last) assert.equal(r.aRefused, true, 'the removed key was refused in time');
    await Promise.all(workers.map((w) => new Promise((r) => (w.once('exit', r), w.postMessage('close')))));
    assert.ok(server.requests >= 2, 'the key set was fetched again');
  } finally {
    await server.close();
  }
}

test('one verifier per worker thread, while the remote key set rotates', { timeout: 60_000 }, () => rotation(false));

test('one native verifier shared by every worker thread, while the remote key set rotates', { timeout: 60_000 }, () =>
  rotation(true));

test('verifyAsync on the main thread: the engine waits for the rotated key set off the event loop, which serves it', { timeout: 60_000 }, async () => {
  const A = ecKey('A');
  const B = ecKey('B');
  const server = await jwksServer();
  server.keys = [A.jwk];
  const v = new tv.Verifier({
    providers: [
      { name: 'idp', issuer: ISSUER, algorithms: ['ES256'], jwks: { remote: { url: server.url, unknownKidWait: '5s' } } },
    ],
  });
  try {
    const tokenA = () => sign({ alg: 'ES256', kid: 'A' }, claims(), A.privateKey);
    const tokenB = () => sign({ alg: 'ES256', kid: 'B' }, claims(), B.privateKey);
    // No initial wait: TV_ERR_KEYS_UNAVAILABLE until the first set lands, then A verifies.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        assert.equal((await v.verifyAsync(tokenA())).getString('sub'), 'alice');
        break;
      } catch (e) {
        assert.equal(e.name, 'TV_ERR_KEYS_UNAVAILABLE');
        assert.ok(Date.now() < deadline, 'the first key set never arrived');
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    server.keys = [A.jwk, B.jwk];
    // B's kid is unknown: the verification waits for the early refresh, which this
    // thread's HTTP server answers meanwhile (a synchronous verify would block it).
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => v.verifyAsync(i % 2 ? tokenA() : Buffer.from(tokenB()))));
    assert.deepEqual(results.map((c) => c.getString('sub')), Array(40).fill('alice'));
    await assert.rejects(v.verifyAsync(tokenB().slice(0, -4) + 'AAAA'), (e) => e instanceof tv.SignatureError);
    await assert.rejects(v.verifyAsync(42), TypeError);
    // close() while verifications are pending: they finish on their own references.
    const pending = Array.from({ length: 20 }, () => v.verifyAsync(tokenB()));
    v.close();
    assert.equal((await Promise.all(pending)).length, 20);
    await assert.rejects(v.verifyAsync(tokenB()), (e) => e instanceof tv.UsageError && /closed/.test(e.message));
  } finally {
    v.close();
    await server.close();
  }
});

test('onEvent hears the key-set events of the refresher thread on the event loop', { timeout: 60_000 }, async () => {
  const A = ecKey('A');
  const B = ecKey('B');
  const server = await jwksServer();
  server.keys = [A.jwk];
  const events = [];
  const v = new tv.Verifier(
    { providers: [{ name: 'idp', issuer: ISSUER, algorithms: ['ES256'], jwks: { remote: { url: server.url, cacheDuration: '1s' } } }] },
    { onEvent: (e) => events.push(e) },
  );
  const waitFor = async (what, pred) => {
    const deadline = Date.now() + 15_000;
    while (!events.some(pred)) {
      assert.ok(Date.now() < deadline, `no ${what} event; got ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await waitFor('keysUpdated (A)', (e) => e.kind === 'keysUpdated' && e.keyCount === 1);
    const first = events.find((e) => e.kind === 'keysUpdated');
    assert.equal(first.provider, 'idp');
    assert.equal(first.httpStatus, 200);
    assert.equal(typeof first.generation, 'number');
    server.keys = [A.jwk, B.jwk];
    await waitFor('keysUpdated (A+B)', (e) => e.kind === 'keysUpdated' && e.keyCount === 2);
    server.keys = [];
    await waitFor('refreshFailed', (e) => e.kind === 'refreshFailed');
    assert.throws(() => new tv.Verifier({ providers: [] }, { onEvent: 1 }), TypeError);
    assert.throws(() => new tv.Verifier({ providers: [] }, { onEvent: () => {}, shared: true }), TypeError);
  } finally {
    v.close();
    await server.close();
  }
  // A worker that exits with a listening verifier it never closed: torn down cleanly.
  const again = await jwksServer();
  again.keys = [A.jwk];
  const w = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const tv = require(workerData.pkg);
     const v = new tv.Verifier(workerData.config, { onEvent: (e) => parentPort.postMessage(e.kind) });`,
    {
      eval: true,
      workerData: {
        pkg: path.resolve(__dirname, '..'),
        config: { providers: [{ name: 'idp', issuer: ISSUER, jwks: { remote: { url: again.url, cacheDuration: '1s', initialFetchWait: '5s' } } }] },
      },
    },
  );
  const code = await new Promise((r) => w.once('exit', r));
  assert.equal(code, 0);
  await again.close();
});
