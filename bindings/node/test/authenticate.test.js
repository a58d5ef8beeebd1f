'use strict';
// Request authentication (tv_authenticate): plain request objects, header shapes, and
// Node's own IncomingMessage.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const tv = require('..');
const { exampleConfig, exampleToken, hsToken, hsConfig } = require('./helpers');

const kgToken = exampleToken('examples/kgateway/token.jwt');
const basic = (u, p) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');

// Basic on the site, a JWT under /api, /health open.
const rulesConfig = {
  ...hsConfig(),
  rules: [
    {
      name: 'site',
      auth: { type: 'basic', basic: { realm: 'admin', users: [{ username: 'admin', password: 'admin-pass' }] } },
      paths: [
        { path: '/api', auth: { type: 'jwt' } },
        { exact: '/health', auth: { enabled: false } },
      ],
    },
  ],
};

test('API keys (GoFr example): allowed, unknown, missing', () => {
  const v = new tv.Verifier(exampleConfig('examples/requests/gofr.json'));
  const ok = v.authenticate({ method: 'GET', url: '/orders', headers: { 'X-Api-Key': '9221e451-451f-4cd6-a23d-2b2d3adea9cf' } });
  assert.ok(ok instanceof tv.Decision);
  assert.equal(ok.allowed, true);
  assert.equal(ok.httpStatus, 200);
  assert.equal(ok.status, 'TV_OK');
  assert.equal(ok.method, 'apiKey');
  assert.equal(ok.principal, 'orders-service');
  assert.equal(ok.claims, null);
  assert.equal(ok.error, null);
  assert.equal(ok.toJSON().rule, 'orders');
  const unknown = v.authenticate({ method: 'GET', url: '/orders', headers: [['x-api-key', 'nope']] });
  assert.equal(unknown.allowed, false);
  assert.equal(unknown.httpStatus, 401);
  assert.equal(unknown.status, 'TV_ERR_UNKNOWN_KEY');
  assert.equal(unknown.code, tv.Status.ERR_UNKNOWN_KEY);
  assert.ok(unknown.error instanceof tv.RequestError);
  assert.equal(unknown.principal, null);
  const missing = v.authenticate({ method: 'GET', target: '/orders', headers: new Headers() });
  assert.equal(missing.status, 'TV_ERR_CREDENTIAL_MISSING');
  assert.equal(v.authenticate({ method: 'GET', url: '/.well-known/x' }).allowed, true);
  v.close();
});

test('kgateway: the JWT from x-jwt, claims to headers, headers to remove, claims', () => {
  const v = new tv.Verifier(exampleConfig('examples/requests/kgateway.json'));
  const d = v.authenticate({ method: 'GET', url: '/api', headers: { 'x-jwt': `Bearer ${kgToken}`, 'x-team': 'spoofed' } });
  assert.equal(d.allowed, true);
  assert.equal(d.method, 'jwt');
  assert.equal(d.principal, 'alice');
  assert.deepEqual(d.setHeaders, [
    ['x-team', 'dev'],
    ['x-org', 'solo.io'],
  ]);
  assert.deepEqual(d.removeHeaders, ['x-team', 'x-org', 'x-jwt']);
  assert.equal(d.claims.getString('team'), 'dev');
  assert.equal(d.claims, d.claims, 'made once');
  assert.equal(d.claims.provider, 'kgateway');
  assert.equal(d.toJSON().provider, 'kgateway');
  const denied = v.authenticate({ method: 'GET', url: '/api', headers: {} });
  assert.equal(denied.httpStatus, 401);
  assert.match(denied.wwwAuthenticate, /^Bearer realm=/);
  const forged = v.authenticate({ method: 'GET', url: '/api', headers: { 'x-jwt': `Bearer ${kgToken.slice(0, -4)}AAAA` } });
  assert.equal(forged.status, 'TV_ERR_SIGNATURE_INVALID');
  assert.ok(forged.error instanceof tv.SignatureError);
  assert.match(forged.wwwAuthenticate, /invalid_token/);
  v.close();
});

test('rules: Basic on the site, a JWT under /api, an open path', () => {
  const v = new tv.Verifier(rulesConfig);
  const req = (url, headers = {}) => v.authenticate({ method: 'GET', host: 'example.com', url, headers });
  const admin = req('/admin', { authorization: basic('admin', 'admin-pass') });
  assert.equal(admin.allowed, true);
  assert.equal(admin.method, 'basic');
  assert.equal(admin.principal, 'admin');
  const wrong = req('/admin', { authorization: basic('admin', 'nope') });
  assert.equal(wrong.status, 'TV_ERR_BAD_CREDENTIALS');
  assert.equal(wrong.httpStatus, 401);
  assert.match(wrong.wwwAuthenticate, /^Basic realm="admin"/);
  const jwt = req('/api/items', { authorization: `Bearer ${hsToken({})}` });
  assert.equal(jwt.allowed, true);
  assert.equal(jwt.method, 'jwt');
  assert.equal(jwt.claims.getString('sub'), 'alice');
  assert.equal(req('/api/items', { authorization: `Bearer ${hsToken({ exp: 1 })}` }).status, 'TV_ERR_EXPIRED');
  assert.equal(req('/api/items', { authorization: [`Bearer ${hsToken({})}`, `Bearer ${hsToken({})}`] }).httpStatus, 400);
  assert.equal(req('/health').allowed, true);
  assert.equal(req('/health').method, 'none');
  assert.equal(v.authenticate({ method: 'GET', url: 'http://absolute/x', headers: {} }).status, 'TV_ERR_MALFORMED_REQUEST');
  assert.throws(() => v.authenticate(null), TypeError);
  assert.throws(() => v.authenticate('GET /'), TypeError);
  v.close();
});

test("Node's IncomingMessage is read as received (rawHeaders, url)", async () => {
  const v = new tv.Verifier(rulesConfig);
  const seen = [];
  const server = http.createServer((req, res) => {
    const d = v.authenticate(req);
    seen.push([d.status, d.principal]);
    res.writeHead(d.httpStatus).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const get = (p, headers) =>
    new Promise((resolve, reject) =>
      http.get({ host: '127.0.0.1', port, path: p, headers }, (res) => (res.resume(), resolve(res.statusCode))).on('error', reject),
    );
  assert.equal(await get('/admin', { authorization: basic('admin', 'admin-pass') }), 200);
  assert.equal(await get('/admin', {}), 401);
  assert.equal(await get('/api/x?y=1', { authorization: `Bearer ${hsToken({})}` }), 200);
  await new Promise((r) => server.close(r));
  assert.deepEqual(seen, [
    ['TV_OK', 'admin'],
    ['TV_ERR_CREDENTIAL_MISSING', null],
    ['TV_OK', 'alice'],
  ]);
  v.close();
});

test('HMAC request signatures read the body', () => {
  const crypto = require('node:crypto');
  const v = new tv.Verifier({
    rules: [{ name: 'hooks', auth: { type: 'hmac', hmac: { scheme: 'github', secrets: [{ name: 'gh', secret: 'hook-secret' }] } } }],
  });
  const body = '{"action":"opened"}';
  const sig = 'sha256=' + crypto.createHmac('sha256', 'hook-secret').update(body).digest('hex');
  const headers = { 'x-hub-signature-256': sig };
  assert.equal(v.authenticate({ method: 'POST', url: '/hook', headers, body }).principal, 'gh');
  assert.equal(v.authenticate({ method: 'POST', url: '/hook', headers, body: Buffer.from(body) }).allowed, true);
  assert.equal(v.authenticate({ method: 'POST', url: '/hook', headers }, Buffer.from(body)).allowed, true);
  assert.equal(v.authenticate({ method: 'POST', url: '/hook', headers, body: body + ' ' }).status, 'TV_ERR_REQUEST_SIGNATURE_INVALID');
  v.close();
});

test('a validator function answers for "validator": true auths, on the calling thread', () => {
  const config = {
    rules: [
      {
        name: 'svc',
        auth: { type: 'apiKey', apiKey: { header: 'X-Api-Key', validator: true } },
        paths: [{ path: '/admin/', auth: { type: 'basic', basic: { validator: true } } }],
      },
    ],
  };
  assert.throws(() => new tv.Verifier(config), (e) => e.name === 'TV_ERR_CONFIG');
  const calls = [];
  const v = new tv.Verifier(config, {
    validator: (method, user, password, rule) => {
      calls.push([method, user, password, rule]);
      return (method === 'apiKey' && user === 'k1') || (method === 'basic' && user === 'u' && password === 'p');
    },
  });
  const req = (url, headers) => v.authenticate({ method: 'GET', url, headers });
  assert.equal(req('/x', { 'x-api-key': 'k1' }).allowed, true);
  assert.equal(req('/x', { 'x-api-key': 'k2' }).status, 'TV_ERR_UNKNOWN_KEY');
  assert.equal(req('/admin/', { authorization: basic('u', 'p') }).principal, 'u');
  assert.equal(req('/admin/', { authorization: basic('u', 'x') }).status, 'TV_ERR_BAD_CREDENTIALS');
  assert.deepEqual(calls.map((c) => c.slice(0, 3)), [
    ['apiKey', 'k1', ''],
    ['apiKey', 'k2', ''],
    ['basic', 'u', 'p'],
    ['basic', 'u', 'x'],
  ]);
  assert.equal(calls[0][3], 'svc');
  v.close();

  // A throwing validator's exception propagates; a non-boolean answer is a TypeError (a Promise is not true).
  const boom = new tv.Verifier(config, {
    validator: () => {
      throw new Error('boom');
    },
  });
  assert.throws(() => boom.authenticate({ method: 'GET', url: '/x', headers: { 'x-api-key': 'k' } }), /boom/);
  boom.close();
  const lazy = new tv.Verifier(config, { validator: async () => true });
  assert.throws(() => lazy.authenticate({ method: 'GET', url: '/x', headers: { 'x-api-key': 'k' } }), TypeError);
  lazy.close();
  // Closing the verifier from inside the validator does not free it under the engine's feet.
  let self;
  self = new tv.Verifier(config, { validator: () => (self.close(), true) });
  assert.equal(self.authenticate({ method: 'GET', url: '/x', headers: { 'x-api-key': 'k' } }).allowed, true);
  assert.equal(self.closed, true);
  assert.throws(() => new tv.Verifier(config, { validator: () => true, shared: true }), TypeError);
  assert.throws(() => new tv.Verifier(config, { validator: 'yes' }), TypeError);
});

test("http2 compatibility requests: pseudo-headers are left out, :authority is the host", async () => {
  const http2 = require('node:http2');
  const v = new tv.Verifier(rulesConfig);
  const server = http2.createServer((req, res) => {
    const d = v.authenticate(req);
    res.writeHead(d.httpStatus, { 'x-status': d.status }).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const client = http2.connect(`http://127.0.0.1:${server.address().port}`);
  const get = (p, headers) =>
    new Promise((resolve, reject) => {
      const s = client.request({ ':path': p, ...headers });
      s.on('response', (h) => resolve([h[':status'], h['x-status']]));
      s.on('error', reject);
      s.resume();
      s.end();
    });
  try {
    assert.deepEqual(await get('/admin', { authorization: basic('admin', 'admin-pass') }), [200, 'TV_OK']);
    assert.deepEqual(await get('/admin', {}), [401, 'TV_ERR_CREDENTIAL_MISSING']);
    assert.deepEqual(await get('/api/x', { authorization: `Bearer ${hsToken({})}` }), [200, 'TV_OK']);
  } finally {
    client.close();
    await new Promise((r) => server.close(r));
    v.close();
  }
});
