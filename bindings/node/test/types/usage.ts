// Compiled by `tsc --noEmit -p test/types` (test.sh): the typed API as users write it.
import * as http from 'node:http';
import express from 'express';
import fastify from 'fastify';
import { Verifier, TokenVerifyError, SignatureError, Status, type Claims, type Decision, type StatusName } from '../..';

const verifier = new Verifier({ providers: [{ name: 'hs', issuer: 'i', secret: { base64url: 'x' } }] });
const shared = new Verifier('{"providers": []}', { shared: true });
const checked = new Verifier({ rules: [] }, { validator: (method, user, password, rule) => method === 'basic' && user + password + rule !== '' });
checked.close();
const heard = new Verifier({ providers: [] }, { onEvent: (e) => console.log(e.kind, e.provider, e.keyCount) });
heard.close();

function read(token: string | Buffer): string | undefined {
  try {
    const claims: Claims = verifier.verify(token);
    const exp: bigint | undefined = claims.getInt64('exp');
    const all: Readonly<Record<string, unknown>> = claims.all;
    void exp, all, claims.header.alg, claims.provider;
    return claims.getString('sub');
  } catch (e) {
    if (e instanceof SignatureError) return undefined;
    if (e instanceof TokenVerifyError) {
      const name: StatusName | 'TV_UNKNOWN_STATUS' = e.name;
      const code: number = e.code;
      if (code === Status.ERR_EXPIRED) return name;
      return e.field ?? e.kind;
    }
    throw e;
  }
}

const ok: true = verifier.verifyOnly(new Uint8Array(0));
const later: Promise<Claims> = verifier.verifyAsync('token');
const many = verifier.verifyMany(['a', 'b'], { threads: 2 });
const flags = verifier.verifyMany(['a'], { claims: false });
const d: Decision = verifier.authenticate({ method: 'GET', url: '/x', headers: { authorization: 'Bearer x' } });
const status: number = d.httpStatus;
const setHeaders: ReadonlyArray<readonly [string, string]> = d.setHeaders;
const doc = d.toJSON();
verifier.revoke('jti', 1700000000);
verifier.revokeSubject('alice', 1700000000n);
const providers = verifier.stats({ keys: true }).providers;

http.createServer((req, res) => {
  const decision = verifier.authenticate(req);
  res.writeHead(decision.httpStatus).end(String(req.tokenverify?.principal));
});

const app = express();
app.use(verifier.middleware({ onDenied: (_req, res, dd) => res.writeHead(dd.httpStatus).end() }));
app.get('/', (req, res) => {
  res.json({ sub: req.tokenverify?.claims?.getString('sub') });
});

const f = fastify();
f.register(verifier.fastifyPlugin(), { hook: 'preHandler' });
f.addHook('onRequest', verifier.fastifyHook());

shared.close();
verifier.close();
void later, read, ok, many, flags, status, setHeaders, doc, providers;
