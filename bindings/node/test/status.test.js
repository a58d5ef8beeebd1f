'use strict';
// Every status of core/include/tokenverify/status.def maps to a typed error with the
// right code, name, message and class; the generated table matches the file and the
// loaded library.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const tv = require('..');
const { ROOT } = require('./helpers');

// Read the table straight from status.def (not through the generated lib/status.js).
const def = fs
  .readFileSync(path.join(ROOT, 'core', 'include', 'tokenverify', 'status.def'), 'utf8')
  .replace(/\/\*[\s\S]*?\*\//g, '');
const rows = [...def.matchAll(/TV_STATUS\(\s*(\w+)\s*,\s*(\d+)\s*,\s*("(?:[^"\\]|\\.)*")\s*\)/g)].map((m) => ({
  symbol: m[1],
  code: Number(m[2]),
  message: JSON.parse(m[3]),
}));

const CLASSES = {
  1: [tv.MalformedTokenError, 'malformed'],
  2: [tv.HeaderError, 'header'],
  3: [tv.SignatureError, 'signature'],
  4: [tv.ClaimsError, 'claims'],
  5: [tv.KeySetError, 'keys'],
  6: [tv.RequestError, 'request'],
  9: [tv.UsageError, 'misuse'],
};

test('status.def is read whole (every range present)', () => {
  assert.ok(rows.length >= 60, `only ${rows.length} statuses parsed`);
  const ranges = new Set(rows.map((r) => Math.floor(r.code / 100)));
  for (const r of [0, 1, 2, 3, 4, 5, 6, 9]) assert.ok(ranges.has(r), `range ${r}xx missing`);
});

test('the generated table is status.def, in order', () => {
  assert.deepEqual(
    tv.statusTable.map(([code, name, message]) => ({ code, name, message })),
    rows.map((r) => ({ code: r.code, name: `TV_${r.symbol}`, message: r.message })),
  );
});

test('every status maps to a typed TokenVerifyError with its code, name, message and class', () => {
  for (const { symbol, code, message } of rows) {
    assert.equal(tv.Status[symbol], code, symbol);
    assert.equal(tv.statusName(code), `TV_${symbol}`, 'the loaded library names it the same');
    assert.equal(tv.statusMessage(code), message, 'the loaded library says the same');
    if (code === 0) continue;
    const e = tv.errorFromStatus(code);
    assert.ok(e instanceof tv.TokenVerifyError, symbol);
    assert.ok(e instanceof Error, symbol);
    assert.equal(e.code, code);
    assert.equal(e.name, `TV_${symbol}`);
    assert.equal(e.message, message);
    const [cls, kind] = CLASSES[Math.floor(code / 100)];
    assert.ok(e instanceof cls, `${symbol} is a ${cls.name}`);
    assert.equal(e.kind, kind);
    assert.equal(tv.kindOf(code), kind);
    for (const [other] of Object.values(CLASSES)) if (other !== cls) assert.ok(!(e instanceof other), `${symbol} is not a ${other.name}`);
    assert.match(String(e), new RegExp(`^TV_${symbol}: `));
  }
});

test('an unknown number still gives an error, classed by its range', () => {
  const e = tv.errorFromStatus(599);
  assert.ok(e instanceof tv.KeySetError);
  assert.equal(e.name, 'TV_UNKNOWN_STATUS');
  assert.equal(e.code, 599);
});
