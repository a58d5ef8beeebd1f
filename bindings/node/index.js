'use strict';
// tokenverify for Node.js: the engine's C ABI through an N-API addon (src/addon.c).
// This file only shapes values: no verification logic lives here.
const http = require('node:http');
function load(what) {
  try {
    return require(what);
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    throw new Error(
      `tokenverify: ${what} is missing: build the package first (TOKENVERIFY_LIB_DIR=/path/to/tokenverify/build npm run build)`,
      { cause: e },
    );
  }
}
const binding = load('./build/Release/tokenverify.node');
const STATUS_TABLE = load('./lib/status.js'); // generated from status.def by scripts/gen-status.js

const INTERNAL = Symbol('tokenverify.internal');
const CLOSED = -1; // the addon's answer on a closed verifier or freed claims

// ---------------------------------------------------------------- statuses and errors

const STATUS_BY_CODE = new Map(STATUS_TABLE.map((row) => [row[0], row]));

/** Status symbols without the TV_ prefix: Status.ERR_EXPIRED === 400. */
const Status = Object.freeze(Object.fromEntries(STATUS_TABLE.map(([code, name]) => [name.slice(3), code])));

/** The class of a status, by its range (CONVENTIONS.md). */
function kindOf(code) {
  switch (Math.floor(code / 100)) {
    case 0:
      return 'ok';
    case 1:
      return 'malformed';
    case 2:
      return 'header';
    case 3:
      return 'signature';
    case 4:
      return 'claims';
    case 5:
      return 'keys';
    case 6:
      return 'request';
    default:
      return 'misuse';
  }
}

/**
 * Every failure: `.code` (the status number), `.name` (its name, "TV_ERR_EXPIRED"),
 * `.kind` (its class: "malformed", "header", "signature", "claims", "keys", "request",
 * "misuse"), `.message` (the status in words); configuration errors also carry
 * `.field` ("providers[0].issuer") and `.detail`.
 */
class TokenVerifyError extends Error {
  constructor(code, options = {}) {
    const row = STATUS_BY_CODE.get(code);
    let message = options.message ?? (row ? row[2] : `unknown status ${code}`);
    if (options.field && options.detail) message += `: ${options.field}: ${options.detail}`;
    else if (options.detail) message += `: ${options.detail}`;
    super(message);
    Object.defineProperty(this, 'name', {
      value: row ? row[1] : 'TV_UNKNOWN_STATUS',
      writable: true,
      configurable: true,
      enumerable: false,
    });
    this.code = code;
    this.kind = kindOf(code);
    if (options.field !== undefined) this.field = options.field;
    if (options.detail !== undefined) this.detail = options.detail;
  }
}
/** 1xx: the bytes are not a well-formed token. */
class MalformedTokenError extends TokenVerifyError {}
/** 2xx: header and algorithm. */
class HeaderError extends TokenVerifyError {}
/** 3xx: the signature does not verify. */
class SignatureError extends TokenVerifyError {}
/** 4xx: time and claims (expired, audience, revoked...). */
class ClaimsError extends TokenVerifyError {}
/** 5xx: keys and key sets. */
class KeySetError extends TokenVerifyError {}
/** 6xx: request credentials other than JWT (tv_authenticate). */
class RequestError extends TokenVerifyError {}
/** 9xx: misuse, configuration, internal errors; also a call on a closed verifier. */
class UsageError extends TokenVerifyError {}

const CLASS_BY_KIND = {
  malformed: MalformedTokenError,
  header: HeaderError,
  signature: SignatureError,
  claims: ClaimsError,
  keys: KeySetError,
  request: RequestError,
  misuse: UsageError,
  ok: TokenVerifyError,
};

/** The typed error of a status number (what verify() would throw for it). */
function errorFromStatus(code, options) {
  return new CLASS_BY_KIND[kindOf(code)](code, options);
}

function failure(code, what) {
  if (code === CLOSED) {
    return new UsageError(Status.ERR_INVALID_ARGUMENT, { message: `tokenverify: the ${what} is closed` });
  }
  return errorFromStatus(code);
}

// ---------------------------------------------------------------- claims

/**
 * The verified token's claims, read lazily from the engine's copy: getString /
 * getInt64 / getRaw / get read one claim; `all` (and toJSON) decodes the whole
 * payload once, on first use. Freed by the garbage collector, or at once by free().
 */
class Claims {
  #c;
  #all;
  #header;
  constructor(key, handle) {
    if (key !== INTERNAL) throw new TypeError('tokenverify: Claims come from Verifier#verify');
    this.#c = handle;
  }
  #get(name, kind) {
    const v = binding.claimsGet(this.#c, name, kind);
    if (Array.isArray(v)) throw failure(v[0], 'claims object');
    return v;
  }
  #text(which) {
    const v = binding.claimsText(this.#c, which);
    if (typeof v === 'number') throw failure(v, 'claims object');
    return v;
  }
  /** A string claim, unescaped; undefined when absent; throws TV_ERR_WRONG_TYPE for another type. */
  getString(name) {
    return this.#get(name, 0);
  }
  /** An integer claim as a bigint (exact over the whole int64 range); undefined when absent. */
  getInt64(name) {
    return this.#get(name, 1);
  }
  /** The JSON text of one top-level claim ('"alice"', '1700000000', '["a","b"]'); undefined when absent. */
  getRaw(name) {
    return this.#get(name, 2);
  }
  /** One claim decoded from its JSON text (only that claim is parsed); undefined when absent. */
  get(name) {
    if (this.#all !== undefined) return this.#all[name];
    const raw = this.#get(name, 2);
    return raw === undefined ? undefined : JSON.parse(raw);
  }
  has(name) {
    return this.#get(name, 2) !== undefined;
  }
  /** The name of the provider that accepted the token ("" for inspectUnverified). */
  get provider() {
    return this.#text(2);
  }
  /** The decoded payload exactly as it appeared in the token (JSON text). */
  get json() {
    return this.#text(0);
  }
  /** The protected header as JSON text. */
  get headerJSON() {
    return this.#text(1);
  }
  /** The protected header, decoded once. */
  get header() {
    if (this.#header === undefined) this.#header = Object.freeze(JSON.parse(this.#text(1)));
    return this.#header;
  }
  /** Every claim, decoded once on first use (a frozen object). */
  get all() {
    if (this.#all === undefined) this.#all = Object.freeze(JSON.parse(this.#text(0)));
    return this.#all;
  }
  toJSON() {
    return this.all;
  }
  /** Releases the engine's copy now (idempotent); the claims cannot be read afterwards. */
  free() {
    binding.claimsFree(this.#c);
  }
}
if (Symbol.dispose) Claims.prototype[Symbol.dispose] = Claims.prototype.free;

// ---------------------------------------------------------------- decisions

const METHOD_NAMES = ['none', 'jwt', 'basic', 'bearer', 'apiKey', 'hmac'];

/**
 * The engine's verdict on a request (tv_authenticate): allowed, httpStatus, code and
 * status (name), method, principal, wwwAuthenticate, setHeaders ([name, value] pairs,
 * lower-case names), removeHeaders (names), claims (a JWT's, else null) and toJSON()
 * (the engine's whole decision document: rule, provider, removeQueryParameters, ...).
 */
class Decision {
  #d;
  #claims;
  #doc;
  constructor(key, r) {
    if (key !== INTERNAL) throw new TypeError('tokenverify: a Decision comes from Verifier#authenticate');
    this.#d = r.decision;
    this.allowed = r.code === 0;
    this.httpStatus = r.httpStatus;
    this.code = r.code;
    this.status = STATUS_BY_CODE.get(r.code)?.[1] ?? binding.statusName(r.code);
    this.method = METHOD_NAMES[r.method] ?? String(r.method);
    this.principal = r.principal;
    this.wwwAuthenticate = r.wwwAuthenticate;
    this.setHeaders = r.setHeaders;
    this.removeHeaders = r.removeHeaders;
  }
  /** The JWT's claims when a token authenticated the request, else null (a copy, made on first use). */
  get claims() {
    if (this.#claims === undefined) {
      const c = binding.decisionClaims(this.#d);
      this.#claims = c === null ? null : new Claims(INTERNAL, c);
    }
    return this.#claims;
  }
  /** The refusal as a TokenVerifyError, or null when allowed. */
  get error() {
    return this.allowed ? null : errorFromStatus(this.code);
  }
  /** The engine's decision document (tv_decision_json), decoded once. */
  toJSON() {
    if (this.#doc === undefined) this.#doc = JSON.parse(binding.decisionJson(this.#d));
    return this.#doc;
  }
}

// ---------------------------------------------------------------- requests

function isBytes(x) {
  return typeof x === 'string' || x instanceof Uint8Array;
}

// [name, value, name, value, ...] from a headers object ({name: value | value[]}),
// an array of [name, value] pairs, or anything iterable as pairs (Headers, Map).
function flattenHeaders(headers) {
  const flat = [];
  if (headers == null) return flat;
  if (Array.isArray(headers) || typeof headers[Symbol.iterator] === 'function') {
    for (const [name, value] of headers) pushHeader(flat, name, value);
    return flat;
  }
  for (const name of Object.keys(headers)) pushHeader(flat, name, headers[name]);
  return flat;
}

function pushHeader(flat, name, value) {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) flat.push(String(name), String(v));
  } else {
    flat.push(String(name), String(value));
  }
}

function findHeader(flat, lower) {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i].length === lower.length && flat[i].toLowerCase() === lower) return flat[i + 1];
  }
  return undefined;
}

// Node's IncomingMessage (http, Express, Fastify's request.raw; http2 compat requests)
// or a plain {method, host, url | target | path, headers, body}.
function requestParts(req, bodyOverride) {
  if (req == null || typeof req !== 'object') throw new TypeError('tokenverify: authenticate needs a request object');
  let flat;
  let host;
  let target;
  if (Array.isArray(req.rawHeaders)) {
    flat = req.rawHeaders;
    if (flat.some((n, i) => i % 2 === 0 && n.charCodeAt(0) === 58 /* ':' */)) {
      flat = flat.filter((_, i) => flat[i - (i % 2)].charCodeAt(0) !== 58); // http2 pseudo-headers
    }
    host = req.headers?.host ?? req.headers?.[':authority'] ?? findHeader(flat, 'host') ?? '';
    target = req.originalUrl ?? req.url ?? '/';
  } else {
    flat = flattenHeaders(req.headers);
    host = req.host ?? req.authority ?? findHeader(flat, 'host') ?? '';
    target = req.target ?? req.url ?? req.path ?? '/';
  }
  const body = bodyOverride !== undefined ? bodyOverride : isBytes(req.body) ? req.body : undefined;
  return [String(req.method ?? 'GET'), String(host), String(target), flat, body];
}

// What a downstream handler sees after an allowed decision: removeHeaders gone,
// setHeaders set, in req.headers and req.rawHeaders alike.
function applyDecisionHeaders(req, d) {
  if (d.removeHeaders.length === 0 && d.setHeaders.length === 0) return;
  const drop = new Set(d.removeHeaders);
  for (const [name] of d.setHeaders) drop.add(name);
  const headers = req.headers;
  if (headers) {
    for (const name of drop) delete headers[name];
    for (const [name, value] of d.setHeaders) headers[name] = value;
  }
  if (Array.isArray(req.rawHeaders)) {
    const raw = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (!drop.has(req.rawHeaders[i].toLowerCase())) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    for (const [name, value] of d.setHeaders) raw.push(name, value);
    req.rawHeaders.length = 0;
    req.rawHeaders.push(...raw);
  }
}

function deniedBody(d) {
  return JSON.stringify({ error: http.STATUS_CODES[d.httpStatus] ?? 'Unauthorized' });
}

// ---------------------------------------------------------------- verifier

/**
 * A verifier built from a configuration (an object, or a JSON string or Buffer; the
 * README's "Configuration"). Thread-safe in the engine; in Node, one per thread, or
 * one native verifier for every worker thread with {shared: true}. close() when done
 * (a forgotten verifier is freed by the garbage collector). options.validator,
 * fn(method, user, password, rule) -> boolean, answers for "validator": true auths
 * (Basic or API key), synchronously, on the thread calling authenticate().
 * options.onEvent({kind, provider, generation, keyCount, httpStatus, message}) hears
 * key-set events (keysUpdated, keysUnchanged, refreshFailed, keysDropped), delivered
 * on this thread's event loop (they do not keep the process alive).
 */
class Verifier {
  #h;
  #validator;
  constructor(config, options = {}) {
    let text;
    if (typeof config === 'string') text = config;
    else if (config instanceof Uint8Array) text = Buffer.from(config.buffer, config.byteOffset, config.byteLength).toString('utf8');
    else if (config !== null && typeof config === 'object') text = JSON.stringify(config);
    else throw new TypeError('tokenverify: the configuration must be an object or a JSON string');
    const validator = options.validator;
    if (validator !== undefined && typeof validator !== 'function') throw new TypeError('tokenverify: validator must be a function');
    if (validator && options.shared === true) throw new TypeError('tokenverify: a verifier with a validator cannot be shared');
    const onEvent = options.onEvent;
    if (onEvent !== undefined && typeof onEvent !== 'function') throw new TypeError('tokenverify: onEvent must be a function');
    if (onEvent && options.shared === true) throw new TypeError('tokenverify: a verifier with onEvent cannot be shared');
    const r = binding.newVerifier(text, options.shared === true, validator !== undefined, onEvent);
    if (Array.isArray(r)) {
      const [code, field, detail] = r;
      throw errorFromStatus(code, { field: field || undefined, detail: detail || undefined });
    }
    this.#h = r;
    this.#validator = validator;
  }

  /** Verifies a token (string or bytes) and returns its Claims; throws TokenVerifyError. */
  verify(token) {
    const r = binding.verify(this.#h, token);
    if (typeof r === 'number') throw failure(r, 'verifier');
    return new Claims(INTERNAL, r);
  }

  /**
   * verify() on libuv's thread pool: a Promise of Claims, rejected with a
   * TokenVerifyError. For verifications that may wait (a remote key set's
   * unknownKidWait or initial keys) without blocking the event loop. The token is
   * copied; the pending work holds its own reference to the native verifier.
   */
  async verifyAsync(token) {
    const r = await binding.verifyAsync(this.#h, token);
    if (typeof r === 'number') throw failure(r, 'verifier');
    return new Claims(INTERNAL, r);
  }

  /** Verifies without making a claims object (nothing allocated): true, or throws. */
  verifyOnly(token) {
    const s = binding.verifyOnly(this.#h, token);
    if (s !== undefined) throw failure(s, 'verifier');
    return true;
  }

  /**
   * Verifies many tokens in one call on the engine's worker pool (tv_verify_batch;
   * threads 0 = one per CPU). Returns, in order, Claims (or true with {claims: false})
   * for each valid token and the TokenVerifyError of each other. Blocks this thread.
   */
  verifyMany(tokens, options = {}) {
    const wantClaims = options.claims !== false;
    const r = binding.verifyMany(this.#h, tokens, options.threads ?? 0, wantClaims);
    if (typeof r === 'number') throw failure(r, 'verifier');
    return r.map((x) => (typeof x === 'number' ? (x === 0 ? true : errorFromStatus(x)) : new Claims(INTERNAL, x)));
  }

  /**
   * Decides whether a whole request may pass (the README's "Request authentication").
   * |req| is Node's IncomingMessage (Express and Fastify requests are) or a plain
   * {method, host, url | target, headers, body}; |body| (optional) overrides req.body
   * for HMAC rules. Returns a Decision, allowed or denied; throws only on misuse.
   */
  authenticate(req, body) {
    const [method, host, target, flat, b] = requestParts(req, body);
    const r = binding.authenticate(this.#h, method, host, target, flat, b, this.#validator);
    if (typeof r === 'number') throw failure(r, 'verifier');
    return new Decision(INTERNAL, r);
  }

  /** Refuses every token with this jti until |exp| (unix seconds). */
  revoke(jti, exp) {
    const s = binding.revoke(this.#h, jti, exp);
    if (s !== 0) throw failure(s, 'verifier');
  }

  /** Refuses every token of |sub| issued before |issuedBefore| (unix seconds). */
  revokeSubject(sub, issuedBefore) {
    const s = binding.revokeSubject(this.#h, sub, issuedBefore);
    if (s !== 0) throw failure(s, 'verifier');
  }

  /** Providers' health and counters (README "Health and stats"); {keys: true} lists keys too. */
  stats(options = {}) {
    const r = binding.stats(this.#h, options.keys === true);
    if (typeof r === 'number') throw failure(r, 'verifier');
    return JSON.parse(r);
  }

  /** True once close() ran. */
  get closed() {
    return binding.refCount(this.#h) === 0;
  }

  /**
   * How many open Verifier objects (in every thread) share this one's native
   * verifier: 1 unless built with {shared: true}; 0 once closed.
   */
  get references() {
    return binding.refCount(this.#h);
  }

  /**
   * Releases this verifier's reference to the native one (freed when no other
   * {shared: true} verifier holds it). Idempotent; later calls throw a UsageError.
   */
  close() {
    binding.close(this.#h);
  }

  /** Express / connect middleware: see the README. */
  middleware(options = {}) {
    const onDenied = options.onDenied;
    return (req, res, next) => {
      let d;
      try {
        d = this.authenticate(req);
      } catch (e) {
        next(e);
        return;
      }
      req.tokenverify = d;
      if (!d.allowed) {
        if (onDenied) {
          onDenied(req, res, d, next);
          return;
        }
        res.statusCode = d.httpStatus;
        if (d.wwwAuthenticate !== null) res.setHeader('WWW-Authenticate', d.wwwAuthenticate);
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(deniedBody(d));
        return;
      }
      applyDecisionHeaders(req, d);
      next();
    };
  }

  /** A Fastify hook (onRequest, preValidation or preHandler; callback style): see the README. */
  fastifyHook() {
    return (request, reply, done) => {
      let d;
      try {
        d = this.authenticate(request.raw, isBytes(request.body) ? request.body : undefined);
      } catch (e) {
        done(e);
        return;
      }
      request.tokenverify = d;
      if (!d.allowed) {
        reply.code(d.httpStatus);
        if (d.wwwAuthenticate !== null) reply.header('www-authenticate', d.wwwAuthenticate);
        reply.type('application/json; charset=utf-8').send(deniedBody(d));
        return;
      }
      applyDecisionHeaders(request.raw, d);
      done();
    };
  }

  /** A Fastify plugin: fastify.register(verifier.fastifyPlugin(), {hook: 'onRequest'}). */
  fastifyPlugin() {
    const hook = this.fastifyHook();
    const plugin = (fastify, opts, done) => {
      if (!fastify.hasRequestDecorator('tokenverify')) fastify.decorateRequest('tokenverify', null);
      fastify.addHook(opts?.hook ?? 'onRequest', hook);
      done();
    };
    plugin[Symbol.for('skip-override')] = true; // applies to the routes of the registering scope
    plugin[Symbol.for('fastify.display-name')] = 'tokenverify';
    return plugin;
  }
}
if (Symbol.dispose) Verifier.prototype[Symbol.dispose] = Verifier.prototype.close;

/** Decodes a token WITHOUT verifying it (debugging tools only; never trust the result). */
function inspectUnverified(token) {
  const r = binding.inspect(token);
  if (typeof r === 'number') throw errorFromStatus(r);
  return new Claims(INTERNAL, r);
}

module.exports = {
  Verifier,
  Claims,
  Decision,
  TokenVerifyError,
  MalformedTokenError,
  HeaderError,
  SignatureError,
  ClaimsError,
  KeySetError,
  RequestError,
  UsageError,
  Status,
  statusTable: STATUS_TABLE,
  errorFromStatus,
  kindOf,
  inspectUnverified,
  inspect: inspectUnverified,
  /** Version of the library actually loaded ("0.2.0"). */
  version: binding.version,
  versionNumber: binding.versionNumber,
  base64urlImplementation: binding.base64urlImplementation,
  /** For tests: the loaded library's own name and message for a status number. */
  statusName: binding.statusName,
  statusMessage: binding.statusMessage,
};
