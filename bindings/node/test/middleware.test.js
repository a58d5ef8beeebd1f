'use strict';
// The middleware on the real frameworks (express and fastify from npm): a denied
// request gets the decision's status and WWW-Authenticate; an allowed one reaches
// the handler with req.tokenverify set and the decision's headers applied.
const test = require('node:test');
const assert = require('node:assert/strict');
const express = require('express');
const fastify = require('fastify');
const tv = require('..');
const { exampleConfig, exampleToken } = require('./helpers');

const kgToken = exampleToken('examples/kgateway/token.jwt');

// The handler's view of the request.
function echo(req) {
  return {
    principal: req.tokenverify?.principal ?? null,
    sub: req.tokenverify?.claims?.getString('sub') ?? null,
    team: req.headers['x-team'] ?? null,
    org: req.headers['x-org'] ?? null,
    jwt: req.headers['x-jwt'] ?? null,
    rawTeam: req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i].toLowerCase() === 'x-team').length,
  };
}

async function call(url, headers) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, www: res.headers.get('www-authenticate'), body: text ? JSON.parse(text) : null };
}

async function check(base) {
  const ok = await call(`${base}/api`, { 'x-jwt': `Bearer ${kgToken}`, 'x-team': 'spoofed' });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { principal: 'alice', sub: 'alice', team: 'dev', org: 'solo.io', jwt: null, rawTeam: 1 });
  const missing = await call(`${base}/api`, {});
  assert.equal(missing.status, 401);
  assert.match(missing.www, /^Bearer realm="tokenverify"/);
  assert.deepEqual(missing.body, { error: 'Unauthorized' });
  const forged = await call(`${base}/api`, { 'x-jwt': `Bearer ${kgToken.slice(0, -4)}AAAA` });
  assert.equal(forged.status, 401);
  assert.match(forged.www, /invalid_token/);
  const twice = await call(`${base}/api`, { 'x-jwt': `Bearer ${kgToken}, Bearer ${kgToken}` });
  assert.ok(twice.status === 400 || twice.status === 401, `${twice.status}`);
}

test('express: verifier.middleware()', async () => {
  const v = new tv.Verifier(exampleConfig('examples/requests/kgateway.json'));
  const app = express();
  app.use(v.middleware());
  app.get('/api', (req, res) => res.json(echo(req)));
  const server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  try {
    await check(`http://127.0.0.1:${server.address().port}`);
  } finally {
    await new Promise((r) => server.close(r));
    v.close();
  }
});

test('express: a mounted router sees the original URL; onDenied customises the answer', async () => {
  const v = new tv.Verifier(exampleConfig('examples/requests/gofr.json'));
  const app = express();
  const router = express.Router();
  router.use(v.middleware({ onDenied: (req, res, d) => res.status(d.httpStatus).json({ denied: d.status }) }));
  router.get('/x', (req, res) => res.json({ principal: req.tokenverify.principal }));
  app.use('/.well-known', router); // open path: the engine must see /.well-known/x, not /x
  app.use('/orders', router);
  const server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    assert.deepEqual((await call(`${base}/.well-known/x`, {})).body, { principal: null });
    assert.deepEqual((await call(`${base}/orders/x`, {})).body, { denied: 'TV_ERR_CREDENTIAL_MISSING' });
    const ok = await call(`${base}/orders/x`, { 'x-api-key': '9221e451-451f-4cd6-a23d-2b2d3adea9cf' });
    assert.deepEqual(ok.body, { principal: 'orders-service' });
  } finally {
    await new Promise((r) => server.close(r));
    v.close();
  }
});

for (const style of ['plugin', 'hook']) {
  test(`fastify: verifier.${style === 'plugin' ? 'fastifyPlugin()' : 'fastifyHook()'}`, async () => {
    const v = new tv.Verifier(exampleConfig('examples/requests/kgateway.json'));
    const app = fastify();
    if (style === 'plugin') {
      await app.register(v.fastifyPlugin());
    } else {
      app.decorateRequest('tokenverify', null);
      app.addHook('onRequest', v.fastifyHook());
    }
    app.get('/api', async (request) => echo({ tokenverify: request.tokenverify, headers: request.headers, rawHeaders: request.raw.rawHeaders }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await check(`http://127.0.0.1:${app.server.address().port}`);
    } finally {
      await app.close();
      v.close();
    }
  });
}
