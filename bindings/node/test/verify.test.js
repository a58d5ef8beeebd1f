'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const tv = require('..');
const { exampleConfig, exampleToken, sign, hsToken, hsConfig, claims, now, SECRET, ecKey } = require('./helpers');

const kgConfig = exampleConfig('examples/kgateway/config.json');
const kgToken = exampleToken('examples/kgateway/token.jwt');

function refused(fn, name) {
  let err;
  assert.throws(fn, (e) => {
    err = e;
    return e instanceof tv.TokenVerifyError && e.name === name && e.code === tv.Status[name.slice(3)];
  });
  return err;
}

test('the kgateway example verifies (config as object, JSON string and Buffer; token as string, Buffer, Uint8Array)', () => {
  for (const config of [kgConfig, JSON.stringify(kgConfig), Buffer.from(JSON.stringify(kgConfig))]) {
    const v = new tv.Verifier(config);
    for (const token of [kgToken, Buffer.from(kgToken), new Uint8Array(Buffer.from(kgToken))]) {
      const c = v.verify(token);
      assert.ok(c instanceof tv.Claims);
      assert.equal(c.getString('sub'), 'alice');
      assert.equal(c.getString('team'), 'dev');
      assert.equal(v.verifyOnly(token), true);
    }
    v.close();
  }
});

test('claims: typed getters, raw JSON, provider, header, all decoded once', () => {
  const v = new tv.Verifier(kgConfig);
  const c = v.verify(kgToken);
  assert.equal(c.getInt64('exp'), 2074274884n);
  assert.equal(c.get('exp'), 2074274884);
  assert.equal(c.getRaw('team'), '"dev"');
  assert.equal(c.getRaw('llms'), '{"openai":["gpt-3.5-turbo"]}');
  assert.deepEqual(c.get('llms'), { openai: ['gpt-3.5-turbo'] });
  assert.equal(c.getString('nope'), undefined);
  assert.equal(c.getInt64('nope'), undefined);
  assert.equal(c.getRaw('nope'), undefined);
  assert.equal(c.has('team'), true);
  assert.equal(c.has('nope'), false);
  refused(() => c.getString('exp'), 'TV_ERR_WRONG_TYPE');
  refused(() => c.getInt64('sub'), 'TV_ERR_WRONG_TYPE');
  assert.equal(c.provider, 'kgateway');
  assert.equal(c.header.alg, 'RS256');
  assert.equal(c.header.kid, 'solo-public-key-001');
  assert.equal(JSON.parse(c.headerJSON).alg, 'RS256');
  assert.equal(c.all, c.all, 'decoded once, then the same object');
  assert.ok(Object.isFrozen(c.all));
  assert.deepEqual(JSON.parse(JSON.stringify({ c })).c, JSON.parse(c.json));
  assert.equal(c.all.sub, 'alice');
  c.free();
  c.free();
  const e = refused(() => c.getString('sub'), 'TV_ERR_INVALID_ARGUMENT');
  assert.match(e.message, /closed/);
  v.close();
});

test('int64 claims are exact beyond 2^53', () => {
  const v = new tv.Verifier(hsConfig());
  const c = v.verify(hsToken({ big: 9007199254740993, neg: -42 }));
  // JSON.stringify rounds the number: write the literal by hand.
  const raw = hsToken({}).split('.');
  assert.equal(c.getInt64('neg'), -42n);
  const payload = Buffer.from(JSON.stringify(claims()).replace(/}$/, ',"huge":9223372036854775807}')).toString('base64url');
  const header = raw[0];
  const crypto = require('node:crypto');
  const sig = crypto.createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  assert.equal(v.verify(`${header}.${payload}.${sig}`).getInt64('huge'), 9223372036854775807n);
  v.close();
});

test('a tampered token is TV_ERR_SIGNATURE_INVALID (a SignatureError)', () => {
  const v = new tv.Verifier(kgConfig);
  const [h, p, s] = kgToken.split('.');
  const forged = Buffer.from(p, 'base64url').toString().replace('"dev"', '"ops"');
  const e = refused(() => v.verify(`${h}.${Buffer.from(forged).toString('base64url')}.${s}`), 'TV_ERR_SIGNATURE_INVALID');
  assert.ok(e instanceof tv.SignatureError);
  assert.equal(e.code, 300);
  assert.equal(e.kind, 'signature');
  assert.equal(e.message, 'signature does not verify');
  const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
  refused(() => v.verifyOnly(`${h}.${p}.${flipped}`), 'TV_ERR_SIGNATURE_INVALID');
  v.close();
});

test('one status of every class, from verify', () => {
  const v = new tv.Verifier(hsConfig());
  assert.ok(refused(() => v.verify('garbage'), 'TV_ERR_MALFORMED_TOKEN') instanceof tv.MalformedTokenError);
  assert.ok(refused(() => v.verify(sign({ alg: 'none' }, claims(), null)), 'TV_ERR_ALG_NONE') instanceof tv.HeaderError);
  const rs = sign({ alg: 'HS384' }, claims(), SECRET); // the configuration allows HS256 only
  assert.ok(refused(() => v.verify(rs), 'TV_ERR_ALG_NOT_ALLOWED') instanceof tv.HeaderError);
  assert.ok(refused(() => v.verify(hsToken({}).slice(0, -2) + 'AA'), 'TV_ERR_SIGNATURE_INVALID') instanceof tv.SignatureError);
  assert.ok(refused(() => v.verify(hsToken({ exp: now() - 3600 })), 'TV_ERR_EXPIRED') instanceof tv.ClaimsError);
  refused(() => v.verify(hsToken({ aud: 'other' })), 'TV_ERR_AUDIENCE_MISMATCH');
  refused(() => v.verify(hsToken({ iss: 'https://evil.test' })), 'TV_ERR_ISSUER_MISMATCH');
  const kv = new tv.Verifier({
    providers: [{ name: 'ec', issuer: 'https://issuer.test', jwks: { local: { inline: { keys: [ecKey('one').jwk] } } } }],
  });
  const other = ecKey('two');
  const t = sign({ alg: 'ES256', kid: 'two' }, claims(), other.privateKey);
  assert.ok(refused(() => kv.verify(t), 'TV_ERR_KID_NOT_FOUND') instanceof tv.KeySetError);
  kv.close();
  v.close();
});

test('a configuration error carries the field and the detail', () => {
  const e = refused(() => new tv.Verifier({ providers: [{ name: 'x', isser: 'y', secret: { base64url: 'AA' } }] }), 'TV_ERR_CONFIG');
  assert.ok(e instanceof tv.UsageError);
  assert.equal(e.field, 'providers[0].isser');
  assert.match(e.detail, /unknown field/);
  assert.match(e.message, /^configuration document is invalid: providers\[0\]\.isser: /);
  refused(() => new tv.Verifier('{not json'), 'TV_ERR_CONFIG');
  const io = refused(() => new tv.Verifier({ providers: [{ name: 'f', issuer: 'i', jwks: { local: { file: '/nonexistent/jwks.json' } } }] }), 'TV_ERR_IO');
  assert.ok(io.detail.length > 0);
  assert.throws(() => new tv.Verifier(42), TypeError);
});

test('wrong argument types are TypeErrors, not crashes', () => {
  const v = new tv.Verifier(hsConfig());
  for (const bad of [undefined, null, 42, {}, [], new Float64Array(2)]) {
    assert.throws(() => v.verify(bad), TypeError);
    assert.throws(() => v.verifyOnly(bad), TypeError);
  }
  assert.throws(() => v.revoke(1, 2), TypeError);
  assert.throws(() => v.revoke('jti', 'soon'), TypeError);
  v.close();
});

test('long tokens (heap path) and non-ASCII strings are handled', () => {
  const v = new tv.Verifier(hsConfig());
  const long = hsToken({ pad: 'x'.repeat(6000) });
  assert.equal(v.verify(long).getString('pad').length, 6000);
  const uni = hsToken({ name: 'Zoë ✓ 🎉' });
  assert.equal(v.verify(uni).getString('name'), 'Zoë ✓ 🎉');
  refused(() => v.verify(`${hsToken({}).slice(0, 20)}é${hsToken({}).slice(21)}`), 'TV_ERR_BAD_BASE64URL');
  assert.throws(() => v.verify(`ĮĮĮ${'a'.repeat(4100)}`), tv.TokenVerifyError);
  v.close();
});

test('verifyMany: one result per token, in order', () => {
  const v = new tv.Verifier(hsConfig());
  const good = hsToken({});
  const r = v.verifyMany([good, 'junk', Buffer.from(good), hsToken({ exp: now() - 3600 })], { threads: 2 });
  assert.equal(r.length, 4);
  assert.equal(r[0].getString('sub'), 'alice');
  assert.equal(r[1].name, 'TV_ERR_MALFORMED_TOKEN');
  assert.equal(r[2].getString('sub'), 'alice');
  assert.ok(r[3] instanceof tv.ClaimsError);
  assert.deepEqual(
    v.verifyMany([good, 'junk'], { claims: false }).map((x) => (x === true ? true : x.name)),
    [true, 'TV_ERR_MALFORMED_TOKEN'],
  );
  assert.deepEqual(v.verifyMany([]), []);
  v.close();
});

test('revoke and revokeSubject', () => {
  const v = new tv.Verifier(hsConfig());
  const t = hsToken({ jti: 'j-1' });
  v.verify(t);
  v.revoke('j-1', now() + 3600);
  refused(() => v.verify(t), 'TV_ERR_REVOKED');
  v.verify(hsToken({ jti: 'j-2' }));
  const bob = hsToken({ sub: 'bob', iat: now() - 60 });
  v.verify(bob);
  v.revokeSubject('bob', BigInt(now()));
  refused(() => v.verify(bob), 'TV_ERR_REVOKED');
  refused(() => v.revoke('', 1), 'TV_ERR_INVALID_ARGUMENT');
  v.close();
});

test('stats, inspectUnverified, version', () => {
  const v = new tv.Verifier(kgConfig);
  v.verify(kgToken);
  const s = v.stats({ keys: true });
  assert.equal(s.providers[0].name, 'kgateway');
  assert.equal(s.providers[0].keys[0].kid, 'solo-public-key-001');
  assert.equal(typeof v.stats().providers[0].verifications, 'object');
  const c = tv.inspectUnverified(kgToken);
  assert.equal(c.getString('sub'), 'alice');
  assert.equal(c.provider, '');
  assert.equal(tv.inspect, tv.inspectUnverified);
  refused(() => tv.inspectUnverified('x.y'), 'TV_ERR_MALFORMED_TOKEN');
  assert.match(tv.version, /^\d+\.\d+\.\d+/);
  assert.equal(typeof tv.versionNumber, 'number');
  assert.equal(typeof tv.base64urlImplementation, 'string');
  v.close();
});
