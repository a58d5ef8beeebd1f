// Node peers of the harness: jose, fast-jwt (with and without its cache), jsonwebtoken.
//
//   node bench.mjs TOKENS_DIR [SECONDS [REPEATS]]
//
// Run from the work dir's node/ folder (where run.sh installed node_modules from
// the committed package.json / package-lock.json). Keys are prepared once per
// peer and algorithm (KeyObject / CryptoKey, never a PEM per call); each peer is
// asked for signature, exp, iss and aud with one allowed algorithm. Before
// timing, the good token must pass and every negative token must fail.
// One JSON line per peer x algorithm on stdout.

import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const ALGS = ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA'];
const NEGATIVES = ['bad_signature', 'expired', 'wrong_issuer', 'wrong_audience'];

const [dir, secondsArg, repeatsArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node bench.mjs TOKENS_DIR [SECONDS [REPEATS]]');
  process.exit(2);
}
const SECONDS = Number(secondsArg ?? 1) || 1;
const REPEATS = Math.max(1, Number(repeatsArg ?? 3) | 0);
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const ISS = manifest.issuer;
const AUD = manifest.audience;

function secretBytes() {
  return Buffer.from(manifest.algs.HS256.secret_b64url, 'base64url');
}
function publicPem(alg) {
  return fs.readFileSync(path.join(dir, manifest.algs[alg].public_pem_file), 'utf8');
}
// A Node KeyObject: what jsonwebtoken and fast-jwt use internally.
function keyObject(alg) {
  return alg === 'HS256' ? crypto.createSecretKey(secretBytes()) : crypto.createPublicKey(publicPem(alg));
}
function versionOf(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return '?';
  }
}
class Unsupported extends Error {}
function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// Each peer: make(alg) -> { verify(token), async } where verify throws (or rejects) on failure.
const PEERS = [
  {
    peer: 'jose',
    pkg: 'jose',
    async setup() {
      const jose = await import(require.resolve('jose'));
      return async (alg) => {
        // A CryptoKey for every algorithm (importJWK would give a raw Uint8Array for
        // the HMAC secret, which jose would import again on every call).
        const key =
          alg === 'HS256'
            ? await crypto.webcrypto.subtle.importKey('raw', secretBytes(), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
            : await jose.importJWK(manifest.algs[alg].jwk, alg);
        const options = { issuer: ISS, audience: AUD, algorithms: [alg], requiredClaims: ['exp'] };
        return { async: true, verify: (token) => jose.jwtVerify(token, key, options) };
      };
    },
    note: 'async API (WebCrypto); each verification awaited in turn',
  },
  ...[false, true].map((cache) => ({
    peer: cache ? 'fast-jwt (cache)' : 'fast-jwt',
    pkg: 'fast-jwt',
    async setup() {
      const { createVerifier } = require('fast-jwt');
      return async (alg) => {
        const key = alg === 'HS256' ? secretBytes() : publicPem(alg); // prepared once by createVerifier
        const verify = createVerifier({
          key,
          algorithms: [alg],
          allowedIss: ISS,
          allowedAud: AUD,
          requiredClaims: ['exp', 'iss', 'aud'],
          cache,
        });
        return { async: false, verify };
      };
    },
    note: cache
      ? 'LRU cache of verified tokens: the same token again is a cache hit, not a verification'
      : 'createVerifier, no cache',
  })),
  {
    peer: 'jsonwebtoken',
    pkg: 'jsonwebtoken',
    async setup() {
      const jwt = require('jsonwebtoken');
      return async (alg) => {
        // jsonwebtoken 9 knows no EdDSA: verify() fails with 'Unknown key type "ed25519"'.
        if (alg === 'EdDSA') throw new Unsupported('jsonwebtoken 9.x does not implement EdDSA');
        const key = keyObject(alg);
        const options = { algorithms: [alg], issuer: ISS, audience: AUD };
        return {
          async: false,
          verify: (token) => {
            const payload = jwt.verify(token, key, options);
            if (typeof payload.exp !== 'number') throw new Error('no exp');
            return payload;
          },
        };
      };
    },
    note: 'jwt.verify with a KeyObject; exp presence checked by the caller',
  },
];

// Batches grow until one takes 5 ms; the run lasts about |seconds| of wall time.
// The figure that counts is the process's CPU time per verification (every thread:
// GC, JIT, libuv workers), so a busy machine slows the run without skewing it.
function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function timedRunSync(verify, token, seconds) {
  const budget = BigInt(Math.round(seconds * 1e9));
  let batch = 1;
  let done = 0;
  const cpu0 = cpuNs();
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) verify(token);
    done += batch;
    elapsed = process.hrtime.bigint() - start;
    if (elapsed < 5_000_000n) batch *= 2;
  }
  return [(cpuNs() - cpu0) / done, Number(elapsed) / done, done];
}

async function timedRunAsync(verify, token, seconds) {
  const budget = BigInt(Math.round(seconds * 1e9));
  let batch = 1;
  let done = 0;
  const cpu0 = cpuNs();
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) await verify(token);
    done += batch;
    elapsed = process.hrtime.bigint() - start;
    if (elapsed < 5_000_000n) batch *= 2;
  }
  return [(cpuNs() - cpu0) / done, Number(elapsed) / done, done];
}

const round1 = (x) => Math.round(x * 10) / 10;

async function measure(v, token) {
  const run = v.async ? timedRunAsync : timedRunSync;
  await run(v.verify, token, SECONDS / 10); // warm-up (and JIT)
  const runs = [];
  for (let r = 0; r < REPEATS; r++) runs.push(await run(v.verify, token, SECONDS));
  const sorted = runs.map(([cpu]) => cpu).sort((a, b) => a - b);
  const median = sorted[(REPEATS - 1) >> 1];
  const chosen = runs.find(([cpu]) => cpu === median);
  return { ns_per_op: round1(median), wall_ns_per_op: round1(chosen[1]), ops: chosen[2], runs_ns: runs.map(([cpu]) => round1(cpu)) };
}

async function selfCheck(v, alg) {
  const entry = manifest.algs[alg];
  try {
    await v.verify(entry.token);
  } catch (e) {
    return `good token rejected: ${e.code ?? e.name}: ${e.message}`.slice(0, 200);
  }
  for (const kind of NEGATIVES) {
    let accepted = true;
    try {
      await v.verify(entry.negatives[kind]);
    } catch {
      accepted = false;
    }
    if (accepted) return `${kind} token accepted`;
  }
  return null;
}

const only = new Set((process.env.PEERS_NODE_ONLY ?? '').split(',').filter(Boolean));
for (const p of PEERS) {
  if (only.size && !only.has(p.peer)) continue;
  const base = { peer: p.peer, language: 'Node', version: versionOf(p.pkg) };
  let make;
  try {
    make = await p.setup();
  } catch (e) {
    for (const alg of ALGS) emit({ ...base, alg, unavailable: `import failed: ${e.message}`.slice(0, 200) });
    continue;
  }
  for (const alg of ALGS) {
    let v;
    try {
      v = await make(alg);
    } catch (e) {
      const why = e instanceof Unsupported ? e.message : `key setup failed: ${e.message}`;
      emit({ ...base, alg, unavailable: why.slice(0, 200) });
      continue;
    }
    const why = await selfCheck(v, alg);
    if (why) {
      emit({ ...base, alg, unavailable: why });
      continue;
    }
    const m = await measure(v, manifest.algs[alg].token);
    emit({
      ...base,
      alg,
      ...m,
      checks: 'ok',
      note: `Node ${process.versions.node}; ${p.note}`,
    });
  }
}
