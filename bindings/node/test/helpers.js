'use strict';
// Shared by the tests: the repository's examples and tokens signed with node:crypto.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ISSUER = 'https://issuer.test';
const SECRET = crypto.randomBytes(32);

/** An example configuration with its key-set paths made absolute (tests run from anywhere). */
function exampleConfig(rel) {
  const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
  return JSON.parse(text.replaceAll('"examples/', `"${ROOT}/examples/`));
}

function exampleToken(rel) {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8').trim();
}

const b64u = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

/** A compact JWS over |payload| with |header|, signed by node:crypto. */
function sign(header, payload, key) {
  const input = `${b64u(header)}.${b64u(payload)}`;
  let sig;
  if (header.alg.startsWith('HS')) sig = crypto.createHmac(`sha${header.alg.slice(2)}`, key).update(input).digest();
  else if (header.alg === 'ES256') sig = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  else if (header.alg === 'RS256') sig = crypto.sign('sha256', Buffer.from(input), key);
  else if (header.alg === 'none') sig = Buffer.alloc(0);
  else throw new Error(`sign: ${header.alg}`);
  return `${input}.${sig.toString('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);

function claims(extra = {}) {
  return { iss: ISSUER, sub: 'alice', aud: 'my-api', iat: now() - 10, exp: now() + 3600, ...extra };
}

function hsToken(extra, header = {}) {
  return sign({ alg: 'HS256', typ: 'JWT', ...header }, claims(extra), SECRET);
}

function hsConfig(extra = {}) {
  return {
    providers: [
      {
        name: 'hs',
        issuer: ISSUER,
        audiences: ['my-api'],
        algorithms: ['HS256'],
        secret: { base64url: SECRET.toString('base64url') },
        ...extra,
      },
    ],
  };
}

/** An ES256 key pair: {privateKey, jwk} with kid and alg set. */
function ecKey(kid) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

module.exports = { ROOT, ISSUER, SECRET, exampleConfig, exampleToken, sign, now, claims, hsToken, hsConfig, ecKey, b64u };
