// Types of the tokenverify package (index.js). Hand-kept; lib/status.d.ts is generated
// from core/include/tokenverify/status.def with lib/status.js.
/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatusName, StatusCodes } from './lib/status';

export type { StatusName, StatusCodes };

/** The class of a status, by its range: 1xx malformed ... 9xx misuse. */
export type ErrorKind = 'ok' | 'malformed' | 'header' | 'signature' | 'claims' | 'keys' | 'request' | 'misuse';

/** A configuration document (the README's "Configuration"), as an object. */
export type Config = Record<string, unknown>;

/** A token: a string, a Buffer or a Uint8Array (bytes are not copied). */
export type Token = string | Uint8Array;

export interface TokenVerifyErrorOptions {
  message?: string;
  field?: string;
  detail?: string;
}

/** Every failure of the package. */
export class TokenVerifyError extends Error {
  constructor(code: number, options?: TokenVerifyErrorOptions);
  /** The status number, e.g. 300. */
  readonly code: number;
  /** The status name, e.g. "TV_ERR_SIGNATURE_INVALID" ("TV_UNKNOWN_STATUS" for a number not in the table). */
  name: StatusName | 'TV_UNKNOWN_STATUS';
  /** The status class. */
  readonly kind: ErrorKind;
  /** Configuration errors: the path at fault, e.g. "providers[0].issuer". */
  readonly field?: string;
  /** Configuration errors: what was wrong. */
  readonly detail?: string;
}
/** 1xx */
export class MalformedTokenError extends TokenVerifyError {}
/** 2xx */
export class HeaderError extends TokenVerifyError {}
/** 3xx */
export class SignatureError extends TokenVerifyError {}
/** 4xx */
export class ClaimsError extends TokenVerifyError {}
/** 5xx */
export class KeySetError extends TokenVerifyError {}
/** 6xx */
export class RequestError extends TokenVerifyError {}
/** 9xx, and calls on a closed verifier or freed claims. */
export class UsageError extends TokenVerifyError {}

/** A lazy view of a verified token's claims. */
export class Claims {
  private constructor();
  getString(name: string): string | undefined;
  getInt64(name: string): bigint | undefined;
  getRaw(name: string): string | undefined;
  get(name: string): unknown;
  has(name: string): boolean;
  readonly provider: string;
  readonly json: string;
  readonly headerJSON: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly all: Readonly<Record<string, unknown>>;
  toJSON(): Readonly<Record<string, unknown>>;
  free(): void;
  [Symbol.dispose](): void;
}

export type AuthMethod = 'none' | 'jwt' | 'basic' | 'bearer' | 'apiKey' | 'hmac';

/** The engine's decision document (tv_decision_json). */
export interface DecisionDocument {
  allow: boolean;
  httpStatus: number;
  status: StatusName;
  method: AuthMethod;
  rule: string | null;
  principal: string | null;
  provider?: string | null;
  setHeaders: Array<[string, string]>;
  removeHeaders: string[];
  removeQueryParameters: string[];
  removeCookies: string[];
  omittedHeaders: Array<{ header: string; claim: string; reason: string }>;
  wwwAuthenticate: string | null;
  message: string;
}

export class Decision {
  private constructor();
  readonly allowed: boolean;
  /** 200, 400, 401, 403 or 503. */
  readonly httpStatus: number;
  readonly code: number;
  readonly status: StatusName;
  readonly method: AuthMethod;
  readonly principal: string | null;
  readonly wwwAuthenticate: string | null;
  readonly setHeaders: ReadonlyArray<readonly [string, string]>;
  readonly removeHeaders: readonly string[];
  readonly claims: Claims | null;
  readonly error: TokenVerifyError | null;
  toJSON(): DecisionDocument;
}

export type HeaderInput =
  | Record<string, string | string[] | undefined>
  | Iterable<readonly [string, string]>;

/** A request as plain data; Node's IncomingMessage is accepted as well. */
export interface RequestInput {
  method?: string;
  host?: string;
  url?: string;
  target?: string;
  path?: string;
  headers?: HeaderInput;
  body?: string | Uint8Array;
}

export interface VerifierOptions {
  /** One native verifier per configuration for every thread of the process (reference counted). */
  shared?: boolean;
  /**
   * Answers for "validator": true auths (Basic or API key; for apiKey, |user| is the key
   * and |password| is ""). Called synchronously on the thread calling authenticate();
   * must return a boolean. Not with {shared: true}.
   */
  validator?: (method: 'basic' | 'apiKey', user: string, password: string, rule: string) => boolean;
  /** Key-set events, delivered on this thread's event loop. Not with {shared: true}. */
  onEvent?: (event: KeySetEvent) => void;
}

export interface KeySetEvent {
  kind: 'keysUpdated' | 'keysUnchanged' | 'refreshFailed' | 'keysDropped' | 'unknown';
  provider: string;
  generation: number;
  keyCount: number;
  /** Remote key sets: the response status, 0 if none. */
  httpStatus: number;
  message: string;
}

export interface VerifyManyOptions {
  /** Threads working on the batch, the caller's included; 0 (default) = one per CPU. */
  threads?: number;
  /** false: valid tokens give `true` instead of Claims (nothing copied). */
  claims?: boolean;
}

export interface MiddlewareOptions {
  /** Answers a denied request instead of the default (status, WWW-Authenticate, {"error": ...}). */
  onDenied?: (req: IncomingMessage, res: ServerResponse, decision: Decision, next: (err?: unknown) => void) => void;
}

// Structural types for Fastify (no dependency on it).
export interface FastifyLikeRequest {
  raw: IncomingMessage;
  body?: unknown;
  tokenverify?: Decision | null;
}
export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  type(contentType: string): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}
export type FastifyHook = (request: any, reply: any, done: (err?: Error) => void) => void;
export type FastifyPlugin = (fastify: any, opts: { hook?: string }, done: (err?: Error) => void) => void;

declare module 'node:http' {
  interface IncomingMessage {
    /** Set by tokenverify's middleware. */
    tokenverify?: Decision;
  }
}

export class Verifier {
  constructor(config: Config | string | Uint8Array, options?: VerifierOptions);
  verify(token: Token): Claims;
  verifyAsync(token: Token): Promise<Claims>;
  verifyOnly(token: Token): true;
  verifyMany(tokens: readonly Token[], options?: VerifyManyOptions & { claims?: true }): Array<Claims | TokenVerifyError>;
  verifyMany(tokens: readonly Token[], options: VerifyManyOptions & { claims: false }): Array<true | TokenVerifyError>;
  authenticate(req: IncomingMessage | RequestInput, body?: string | Uint8Array): Decision;
  revoke(jti: string, exp: number | bigint): void;
  revokeSubject(sub: string, issuedBefore: number | bigint): void;
  stats(options?: { keys?: boolean }): { providers: Array<Record<string, any>>; [k: string]: unknown };
  readonly closed: boolean;
  readonly references: number;
  close(): void;
  [Symbol.dispose](): void;
  middleware(options?: MiddlewareOptions): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  fastifyHook(): FastifyHook;
  fastifyPlugin(): FastifyPlugin;
}

export const Status: Readonly<StatusCodes>;
export const statusTable: ReadonlyArray<readonly [number, StatusName, string]>;
export function errorFromStatus(code: number, options?: TokenVerifyErrorOptions): TokenVerifyError;
export function kindOf(code: number): ErrorKind;
/** Decodes WITHOUT verifying (debugging only). */
export function inspectUnverified(token: Token): Claims;
export const inspect: typeof inspectUnverified;
export const version: string;
export const versionNumber: number;
export const base64urlImplementation: string;
export function statusName(code: number): string;
export function statusMessage(code: number): string;
