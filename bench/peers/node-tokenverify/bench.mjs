// The "tokenverify (Node)" row of the peer harness: the Node package
// (bindings/node, an N-API addon over the C ABI) verifying the same token set as
// the C row and the Node peers (bench/peers/node/bench.mjs).
//
//   node bench.mjs TOKENS_DIR [SECONDS [REPEATS]]
//
// TOKENVERIFY_NODE_PACKAGE names the built package (default: the tree's
// bindings/node). For each algorithm: a verifier built once from <alg>.tv.json;
// the good token must pass and every negative token must fail; then
// verifier.verifyOnly(token) is timed (no claims object, like the C row
// "tokenverify"), with the same scheme as the other runners: batches growing to
// 5 ms, CPU time per verification, median of REPEATS runs of SECONDS each.
// One JSON line per algorithm on stdout; for HS256 and RS256 also the package's
// overhead paired in this process (pairedOverhead below).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = process.env.TOKENVERIFY_NODE_PACKAGE || path.join(here, '..', '..', '..', 'bindings', 'node');
const require = createRequire(path.join(pkgDir, 'package.json'));
const ALGS = ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA'];
const NEGATIVES = ['bad_signature', 'expired', 'wrong_issuer', 'wrong_audience'];
const PEER = 'tokenverify (Node)';

const [dir, secondsArg, repeatsArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node bench.mjs TOKENS_DIR [SECONDS [REPEATS]]');
  process.exit(2);
}
const SECONDS = Number(secondsArg ?? 1) || 1;
const REPEATS = Math.min(15, Math.max(1, Number(repeatsArg ?? 3) | 0));
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8').replace(/[\r\n]+$/, '');

let tv;
try {
  tv = require(pkgDir);
} catch (e) {
  for (const alg of ALGS) {
    emit({ peer: PEER, language: 'Node', version: '?', alg, unavailable: `loading the package failed: ${e.message}`.slice(0, 200) });
  }
  process.exit(0);
}
const base = { peer: PEER, language: 'Node', version: tv.version };

function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

// The same loop as bench/peers/node/bench.mjs's timedRunSync, on verifyOnly.
function timedRun(v, token, seconds) {
  const budget = BigInt(Math.round(seconds * 1e9));
  let batch = 1;
  let done = 0;
  const cpu0 = cpuNs();
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) v.verifyOnly(token);
    done += batch;
    elapsed = process.hrtime.bigint() - start;
    if (elapsed < 5_000_000n) batch *= 2;
  }
  return [(cpuNs() - cpu0) / done, Number(elapsed) / done, done];
}

const round1 = (x) => Math.round(x * 10) / 10;
const round4 = (x) => Math.round(x * 1e4) / 1e4;

// The package's overhead measured in this process: blocks of verifier.verifyOnly
// alternating with blocks of tv_verify looped in C (the addon's internal cLoop, on
// a native verifier of the same configuration), about 2 ms of process CPU each,
// which side goes first alternating, for SECONDS and at least 20 pairs
// (bench/peers/report.py's PAIRED_PROTOCOL, as every runtime's runner). The C ABI
// row timed by another process minutes apart differs from this one by more than
// the 2 % the RS256 target allows, on a shared machine.
function pairedOverhead(v, config, token, seconds) {
  const binding = require(path.join(pkgDir, 'build', 'Release', 'tokenverify.node'));
  const native = binding.newVerifier(config, false, false, undefined);
  if (Array.isArray(native)) throw new Error(`newVerifier refused the configuration (status ${native[0]})`);
  try {
    const pkg = (n) => {
      const t = cpuNs();
      for (let i = 0; i < n; i++) v.verifyOnly(token);
      return cpuNs() - t;
    };
    const cLoop = (n) => {
      const t = cpuNs();
      if (binding.cLoop(native, token, n) !== n) throw new Error('tv_verify looped in C refused the token');
      return cpuNs() - t;
    };
    const block = Math.max(1, Math.round((2e6 * 256) / Math.max(1, pkg(256))));
    const ratios = [], pkgNs = [], cNs = [];
    const start = process.hrtime.bigint(), budget = BigInt(Math.round(seconds * 1e9));
    for (let i = 0; i < 20 || process.hrtime.bigint() - start < budget; i++) {
      let a, b;
      if (i % 2 === 0) {
        a = pkg(block);
        b = cLoop(block);
      } else {
        b = cLoop(block);
        a = pkg(block);
      }
      if (b === 0) continue; // below the clock's resolution
      ratios.push(a / b);
      pkgNs.push(a / block);
      cNs.push(b / block);
    }
    const pct = (xs, p) => xs.slice().sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))];
    return {
      kind: 'paired_overhead',
      ratio: round4(pct(ratios, 0.5)),
      low: round4(pct(ratios, 0.1)),
      high: round4(pct(ratios, 0.9)),
      pairs: ratios.length,
      block,
      package_ns: round1(pct(pkgNs, 0.5)),
      c_ns: round1(pct(cNs, 0.5)),
      baseline: 'tv_verify looped in C (the addon\'s internal cLoop), same process, a native verifier of the same configuration',
    };
  } finally {
    binding.close(native);
  }
}

for (const alg of ALGS) {
  const low = alg.toLowerCase();
  let v;
  try {
    v = new tv.Verifier(read(`${low}.tv.json`));
  } catch (e) {
    emit({ ...base, alg, unavailable: `configuration rejected: ${e.name} ${e.message}`.slice(0, 200) });
    continue;
  }
  const token = read(`${low}.jwt`);
  let why = null;
  try {
    v.verifyOnly(token);
  } catch (e) {
    why = `good token rejected: ${e.name}`;
  }
  for (const kind of NEGATIVES) {
    if (why) break;
    try {
      v.verifyOnly(read(`${low}.${kind}.jwt`));
      why = `${kind} token accepted`;
    } catch {
      // refused, as it must be
    }
  }
  if (why) {
    emit({ ...base, alg, unavailable: why });
    v.close();
    continue;
  }
  timedRun(v, token, SECONDS / 10); // warm-up (and JIT)
  const runs = [];
  for (let r = 0; r < REPEATS; r++) runs.push(timedRun(v, token, SECONDS));
  const sorted = runs.map(([cpu]) => cpu).sort((a, b) => a - b);
  const median = sorted[(REPEATS - 1) >> 1];
  const chosen = runs.find(([cpu]) => cpu === median);
  emit({
    ...base,
    alg,
    ns_per_op: round1(median),
    wall_ns_per_op: round1(chosen[1]),
    ops: chosen[2],
    runs_ns: runs.map(([cpu]) => round1(cpu)),
    checks: 'ok',
    note: `Node ${process.versions.node}; verifier.verifyOnly(token): N-API addon, tv_verify(v, NULL, ...), no claims object; token a string; base64url kernel ${tv.base64urlImplementation}`,
  });
  if (alg === 'HS256' || alg === 'RS256') {
    try {
      emit({ ...base, alg, ...pairedOverhead(v, read(`${low}.tv.json`), token, SECONDS) });
    } catch (e) {
      console.error(`${alg}: no paired overhead: ${e.message}`);
    }
  }
  v.close();
}
