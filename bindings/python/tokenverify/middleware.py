"""ASGI and WSGI middleware: the engine's request authentication in front of an application.

No web framework is imported; both classes speak the bare ASGI 3 / WSGI (PEP 3333)
protocols, so they wrap Starlette, FastAPI, Django, Flask, or anything else.

    app = TokenVerifyASGIMiddleware(app, {"providers": [...]})
    app.wsgi_app = TokenVerifyWSGIMiddleware(app.wsgi_app, verifier)

Both are thin adapters over ``Verifier.authenticate``: each request becomes (method,
target, headers as received, host), the engine decides, and the middleware applies the
decision. Everything the engine does applies unchanged: without ``"rules"`` in the
configuration every request must carry a JWT from one of the providers (each found
through its ``tokenSource``); with ``"rules"`` the host/path rules choose among jwt,
basic, bearer, apiKey, hmac, anyOf or no check at all. The README's "Request
authentication" describes the semantics; in short:

1. Exempt paths (the ``exempt_paths`` argument, exact match on the ASGI ``path`` / WSGI
   ``PATH_INFO``) pass without asking the engine; only spoofed claim headers (step 4)
   are removed from them. Rules can do the same (``"enabled": false`` on a path).
2. A refused request gets the decision's HTTP status, its ``WWW-Authenticate`` (when it
   has one), ``Retry-After: 5`` on 503, and a JSON body:

   ====================================================  =====================================================
   missing JWT or bearer token (401)                     ``{"error":"missing_token"}``
   missing Basic / API key / signature (401)             ``{"error":"missing_credentials"}``
   token given more than once (400)                      ``{"error":"invalid_request","error_description":"token given more than once"}``
   any other credential given twice (400)                ``{"error":"invalid_request","error_description":"credential given more than once"}``
   malformed request or credential, body too large (400) ``{"error":"invalid_request"}``
   JWT or bearer token not valid (401)                   ``{"error":"invalid_token","error_description":"the token is not valid"}``
   Basic / API key / signature not valid (401)           ``{"error":"invalid_credentials"}``
   no rule matches the host and path (403)               ``{"error":"forbidden"}``
   keys unavailable or stale, replay cache full (503)    ``{"error":"temporarily_unavailable","error_description":<status name>}``
   ====================================================  =====================================================

   Every bad token gets the same answer: a client without a key must not learn which
   claim (audience, issuer, subject, matcher) it got wrong. The precise status name goes
   to the ``tokenverify.middleware`` logger (INFO) and to the verifier's stats.
3. A request let through has its decision applied before the application sees it:
   the headers in ``remove_headers`` are removed (every occurrence, any case), the
   ``set_headers`` added, and the query parameters and cookies the decision names
   (``removeQueryParameters``, ``removeCookies``) taken out of the query string and the
   Cookie header. The claims of a JWT (a ``tokenverify.Claims`` mapping; ``None`` when
   the request passed without one) go to ASGI ``scope["state"][claims_key]`` or WSGI
   ``environ[claims_key]``; ``claims_of(request)`` reads them from either, or from a
   framework request object.
4. Claim headers: the accepting provider's ``claimsToHeaders`` become request headers;
   headers with the names of any provider's ``claimsToHeaders`` sent by the client are
   always removed first, so the application can trust them.
5. The token itself: a provider's ``forwardToken`` is false unless the configuration
   says ``"forwardToken": true``, and then the token's header (``Authorization`` by
   default), query parameter or cookie is removed -- the application does not see the
   token. Set ``"forwardToken": true`` on the provider when it needs it.

The constructor's arguments adjust the configuration: ``token_source`` becomes every
provider's ``tokenSource``, ``mode`` the ``validationMode``, ``claims_to_headers`` every
provider's ``claimsToHeaders`` (``False``: none); a new ``tokenverify.Verifier`` is
built from the result (with the given verifier's validator). Without them a given
Verifier is used as it is. ``realm`` replaces the engine's default realm
(``realm="tokenverify"``) in the challenges; realms set in the rules stay as they are.
Only a ``tokenverify.Verifier`` or a configuration (dict, JSON text, path) is accepted.

The engine decides inline on the event loop: a warm JWT verification costs
microseconds, less than handing it to a thread pool would, and the engine does not wait
for the network on the request path (remote key sets are refreshed in the background).
The one exception is a remote key set with ``unknownKidWait``: a token with an unknown
``kid`` then waits (up to that long) for an early refresh. With such a provider the
ASGI middleware decides in the event loop's default executor, so the loop keeps serving
other requests meanwhile.

The request body is not read (the engine gets an empty one), so an ``hmac`` rule only
accepts signatures over an empty body behind this middleware.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal, Union
from urllib.parse import quote, unquote_plus

from . import Decision, Verifier, _config_text

__all__ = [
    "CLAIMS_KEY",
    "Mode",
    "TokenSource",
    "TokenVerifyASGIMiddleware",
    "TokenVerifyWSGIMiddleware",
    "claims_of",
]

_log = logging.getLogger(__name__)
# What a client is told about any token that did not verify (RFC 6750 §3.1).
INVALID_TOKEN_DESCRIPTION = "the token is not valid"
# The realm the engine uses when the configuration names none.
_ENGINE_REALM = 'realm="tokenverify"'

CLAIMS_KEY = "tokenverify.claims"
Mode = Literal["Strict", "AllowMissing"]
_MODES = ("Strict", "AllowMissing")

ConfigSource = Union[Mapping[str, Any], str, "os.PathLike[str]"]


@dataclass(frozen=True)
class TokenSource:
    """Where the token is found: a header (with an optional prefix), a query parameter
    or a cookie. The same three shapes as a provider's ``tokenSource`` in the
    configuration; ``from_config`` reads that shape and ``to_config`` writes it."""

    kind: Literal["header", "query", "cookie"]
    name: str
    prefix: str = ""

    @classmethod
    def header(cls, name: str = "Authorization", prefix: str = "Bearer ") -> TokenSource:
        return cls("header", name, prefix)

    @classmethod
    def query(cls, name: str) -> TokenSource:
        return cls("query", name)

    @classmethod
    def cookie(cls, name: str) -> TokenSource:
        return cls("cookie", name)

    @classmethod
    def from_config(cls, spec: Mapping[str, Any] | None) -> TokenSource:
        """Reads ``{"header": {"header": ..., "prefix": ...}}``, ``{"queryParameter": n}``
        or ``{"cookie": n}``; ``None`` means ``Authorization: Bearer``. Inside ``header``,
        a missing name means Authorization and a missing prefix means none, as the engine
        reads it."""
        if spec is None:
            return cls.header()
        if len(spec) != 1:
            raise ValueError(f"tokenSource needs exactly one of header, queryParameter, cookie: {spec!r}")
        ((kind, value),) = spec.items()
        if kind == "header":
            if not isinstance(value, Mapping):
                raise ValueError(f'tokenSource "header" takes {{"header": name, "prefix": text}}, not {value!r}')
            return cls.header(str(value.get("header", "Authorization")), str(value.get("prefix", "")))
        if kind == "queryParameter":
            return cls.query(str(value))
        if kind == "cookie":
            return cls.cookie(str(value))
        raise ValueError(f"unknown tokenSource kind {kind!r}")

    def to_config(self) -> dict[str, Any]:
        """The configuration's shape of this source (a provider's ``tokenSource``)."""
        if self.kind == "header":
            return {"header": {"header": self.name, "prefix": self.prefix}}
        if self.kind == "query":
            return {"queryParameter": self.name}
        return {"cookie": self.name}


def _waits_for_unknown_kid(provider: Mapping[str, Any]) -> bool:
    """True when the provider's remote key set has a non-zero unknownKidWait. The
    library has validated the configuration already: a duration (a number of seconds or
    a string such as "200ms") is zero exactly when every digit in it is 0."""
    remote = (provider.get("jwks") or {}).get("remote") or {}
    wait = remote.get("unknownKidWait", 0)
    if isinstance(wait, (int, float)):
        return wait > 0
    return any(c in "123456789" for c in str(wait))


# ---------------------------------------------------------------- the decision, shared


@dataclass(frozen=True)
class _Refusal:
    status: int
    reason: str
    body: bytes
    headers: tuple[tuple[str, str], ...]  # besides Content-Type and Content-Length


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable"}
_TOKEN_METHODS = ("jwt", "bearer")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _refusal_body(d: Decision) -> dict[str, str]:
    token = d.method in _TOKEN_METHODS
    if d.http_status == 503:
        return {"error": "temporarily_unavailable", "error_description": d.status}
    if d.http_status == 403:
        return {"error": "forbidden"}
    if d.status == "TV_ERR_CREDENTIAL_MISSING":
        return {"error": "missing_token" if token else "missing_credentials"}
    if d.status == "TV_ERR_DUPLICATE_CREDENTIAL":
        return {"error": "invalid_request",
                "error_description": ("token" if token else "credential") + " given more than once"}
    if d.http_status == 400:
        return {"error": "invalid_request"}
    if token:
        return {"error": "invalid_token", "error_description": INVALID_TOKEN_DESCRIPTION}
    return {"error": "invalid_credentials"}


def _managed_headers(config: Mapping[str, Any]) -> frozenset[str]:
    """Every provider's claimsToHeaders names, lower case (the engine removes the same)."""
    return frozenset(m["header"].lower() for p in config.get("providers") or []
                     for m in p.get("claimsToHeaders") or [])


def _strip_query(query: str, names: Iterable[str]) -> str:
    drop = set(names)
    return "&".join(p for p in query.split("&") if unquote_plus(p.partition("=")[0]) not in drop)


def _strip_cookies(header: str, names: Iterable[str]) -> str:
    drop = set(names)
    return "; ".join(p.strip() for p in header.split(";") if p.strip() and p.partition("=")[0].strip() not in drop)


def _config_object(source: ConfigSource) -> dict[str, Any]:
    """The configuration as a dict to edit; the engine's ConfigurationError when it is
    not a JSON object."""
    text = _config_text(source)
    try:
        config = json.loads(text)
    except ValueError:
        config = None
    if not isinstance(config, dict):
        Verifier(text)  # raises, naming what is wrong
        raise TypeError("the configuration must be a JSON object")
    return config


class _Gate:
    """What both middlewares share: the effective verifier, the exempt paths, and the
    refusal each decision turns into."""

    def __init__(
        self,
        verifier_or_config: Verifier | ConfigSource,
        token_source: TokenSource | Mapping[str, Any] | None,
        mode: Mode | None,
        exempt_paths: Iterable[str],
        claims_key: str,
        realm: str,
        claims_to_headers: Iterable[Mapping[str, str]] | None | bool,
    ) -> None:
        if mode is not None and mode not in _MODES:
            raise ValueError(f"mode must be 'Strict' or 'AllowMissing', not {mode!r}")
        if isinstance(exempt_paths, str):
            raise TypeError("exempt_paths is a collection of paths, not one string")
        source: dict[str, Any] | None = None
        if isinstance(token_source, TokenSource):
            source = token_source.to_config()
        elif token_source is not None:
            source = TokenSource.from_config(token_source).to_config()  # ValueError for a bad shape
        mapping: list[dict[str, str]] | None = None
        if claims_to_headers is not None and claims_to_headers is not True and claims_to_headers is not False:
            mapping = [dict(m) for m in claims_to_headers]
        overridden = source is not None or mode is not None or mapping is not None or claims_to_headers is False

        config: dict[str, Any]
        if isinstance(verifier_or_config, Verifier):
            given: Verifier | None = verifier_or_config
            if not overridden:
                self.verifier = verifier_or_config
            config = verifier_or_config.config
        elif isinstance(verifier_or_config, (Mapping, str, os.PathLike)):
            given = None
            if not overridden:
                self.verifier = Verifier(verifier_or_config)
                config = self.verifier.config
            else:
                config = _config_object(verifier_or_config)
        else:
            raise TypeError("verifier_or_config must be a tokenverify.Verifier or a configuration (a dict, JSON text "
                            f"or a path), not {type(verifier_or_config).__name__}: the middleware decides with "
                            "Verifier.authenticate, so an object with only .verify() is not enough")
        if overridden:
            for provider in config.get("providers") or []:
                if source is not None:
                    provider["tokenSource"] = source
                if mapping is not None:
                    provider["claimsToHeaders"] = mapping
                elif claims_to_headers is False:
                    provider.pop("claimsToHeaders", None)
            if mode is not None:
                config["validationMode"] = mode
            self.verifier = Verifier(config, validator=getattr(given, "_validator", None))

        providers: list[Mapping[str, Any]] = list(config.get("providers") or [])
        self.exempt = frozenset(exempt_paths)
        self.claims_key = claims_key
        self.managed = _managed_headers(config)
        # A decision may wait for the network only with unknownKidWait (see the module doc).
        self.may_wait = any(_waits_for_unknown_kid(p) for p in providers)
        # Only a token taken from a query parameter or a cookie has to be stripped from
        # there; the decision's document is parsed only then.
        self.strips_token = any("queryParameter" in (p.get("tokenSource") or {}) or
                                "cookie" in (p.get("tokenSource") or {}) for p in providers)
        self.realm = None if realm == "tokenverify" else "realm=" + _quote(realm)
        self._refusals: dict[tuple[int, str, str | None], _Refusal] = {}

    def decide(self, method: str | bytes, target: str | bytes, headers: Any, host: str | bytes) -> Decision:
        return self.verifier.authenticate(method, target, headers, b"", host)

    def refusal(self, d: Decision) -> _Refusal:
        key = (d.code, d.method, d.www_authenticate)
        refusal = self._refusals.get(key)
        if refusal is None:
            body = json.dumps(_refusal_body(d), separators=(",", ":")).encode()
            headers: list[tuple[str, str]] = []
            if d.www_authenticate:
                challenge = d.www_authenticate
                if self.realm is not None:
                    challenge = challenge.replace(_ENGINE_REALM, self.realm)
                headers.append(("WWW-Authenticate", challenge))
            if d.http_status == 503:
                # Retry soon: keys are fetched in the background.
                headers.append(("Retry-After", "5"))
            refusal = _Refusal(d.http_status, _REASONS.get(d.http_status, "Unauthorized"), body, tuple(headers))
            if len(self._refusals) < 64:  # bounded: statuses and challenges come from tables and the configuration
                self._refusals[key] = refusal
        self._log(d)
        return refusal

    @staticmethod
    def _log(d: Decision) -> None:
        # Only the status: a message could quote the token's claims.
        if d.status == "TV_ERR_CREDENTIAL_MISSING":
            return
        if d.http_status == 503:
            _log.info("request not decided, no usable keys or replay cache full: %s", d.status)
        elif d.http_status == 403:
            _log.info("request refused, no rule matches: %s (%s)", d.status, d.code)
        elif d.method in _TOKEN_METHODS:
            _log.info("token refused: %s (%s)", d.status, d.code)
        else:
            _log.info("credential refused (%s): %s (%s)", d.method, d.status, d.code)

    def removed_query_and_cookies(self, d: Decision) -> tuple[list[str], list[str]]:
        if not self.strips_token:
            return [], []
        doc = d.document
        return list(doc.get("removeQueryParameters") or []), list(doc.get("removeCookies") or [])


# ---------------------------------------------------------------- ASGI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _asgi_host(scope: Scope, headers: list[tuple[bytes, bytes]]) -> bytes:
    for k, v in headers:
        if k.lower() == b"host":
            return v
    server = scope.get("server")
    if not server or server[1] is None:  # none, or a Unix socket
        return b""
    name = str(server[0])
    return (f"[{name}]" if ":" in name else name).encode("latin-1") + b":" + str(server[1]).encode()


class TokenVerifyASGIMiddleware:
    """ASGI 3 middleware. ``http`` and ``websocket`` scopes are checked; ``lifespan`` and
    any other scope type pass through untouched.

    A refused WebSocket handshake gets the same response as HTTP when the server offers
    the ``websocket.http.response`` extension, else a ``websocket.close`` with code 1008
    (policy violation), which servers turn into a 403.

    The claims go into a copy of ``scope["state"]`` (Starlette's ``request.state`` reads
    it) under ``claims_key``; use ``claims_of(request)`` to read them back.
    """

    def __init__(
        self,
        app: ASGIApp,
        verifier_or_config: Verifier | ConfigSource,
        *,
        token_source: TokenSource | Mapping[str, Any] | None = None,
        mode: Mode | None = None,
        exempt_paths: Iterable[str] = (),
        claims_key: str = CLAIMS_KEY,
        realm: str = "tokenverify",
        claims_to_headers: Iterable[Mapping[str, str]] | bool | None = None,
    ) -> None:
        self.app = app
        self._gate = _Gate(verifier_or_config, token_source, mode, exempt_paths, claims_key, realm,
                           claims_to_headers)
        self.verifier = self._gate.verifier
        # Header names as ASGI carries them: lower-case bytes.
        self._managed = frozenset(h.encode("latin-1") for h in self._gate.managed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        gate = self._gate
        headers: list[tuple[bytes, bytes]] = [(k, v) for k, v in scope.get("headers") or ()]
        if scope.get("path") in gate.exempt:
            if self._managed:
                scope = {**scope, "headers": [(k, v) for k, v in headers if k.lower() not in self._managed]}
            await self.app(scope, receive, send)
            return

        raw_path = scope.get("raw_path") or quote(scope.get("path") or "/", safe="/:@!$&'()*+,;=-._~").encode()
        query: bytes = scope.get("query_string") or b""
        target = raw_path + b"?" + query if query else raw_path
        method = scope.get("method") or "GET"  # a WebSocket handshake is a GET
        host = _asgi_host(scope, headers)
        if gate.may_wait:
            d = await self._decide_off_loop(method, target, headers, host)
        else:
            d = gate.decide(method, target, headers, host)
        if not d.allowed:
            await self._refuse(scope, send, gate.refusal(d))
            return

        remove = {n.encode("latin-1") for n in d.remove_headers}
        params, cookies = gate.removed_query_and_cookies(d)
        if cookies:
            headers = [(k, _strip_cookies(v.decode("latin-1"), cookies).encode("latin-1"))
                       if k.lower() == b"cookie" else (k, v) for k, v in headers]
            headers = [(k, v) for k, v in headers if v or k.lower() != b"cookie"]
        if remove:
            headers = [(k, v) for k, v in headers if k.lower() not in remove]
        headers.extend((k.encode("latin-1"), v.encode("utf-8")) for k, v in d.set_headers)
        state = dict(scope.get("state") or {})
        state[gate.claims_key] = d.claims
        scope = {**scope, "headers": headers, "state": state}
        if params:
            scope["query_string"] = _strip_query(query.decode("latin-1"), params).encode("latin-1")
        await self.app(scope, receive, send)

    async def _decide_off_loop(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]],
                               host: bytes) -> Decision:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # another event loop (trio, ...): inline, as without the wait
            return self._gate.decide(method, target, headers, host)
        return await loop.run_in_executor(None, self._gate.decide, method, target, headers, host)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, refusal: _Refusal) -> None:
        response_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(refusal.body)).encode()),
        ] + [(k.lower().encode("latin-1"), v.encode("utf-8")) for k, v in refusal.headers]
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": refusal.status, "headers": response_headers})
            await send({"type": "http.response.body", "body": refusal.body})
        elif "websocket.http.response" in (scope.get("extensions") or {}):
            await send({"type": "websocket.http.response.start", "status": refusal.status,
                        "headers": response_headers})
            await send({"type": "websocket.http.response.body", "body": refusal.body})
        else:
            await send({"type": "websocket.close", "code": 1008})


# ---------------------------------------------------------------- WSGI

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
_UNPREFIXED = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}


def _environ_key(header: str) -> str:
    upper = header.upper().replace("-", "_")
    return upper if upper in _UNPREFIXED else "HTTP_" + upper


def _wsgi_target(environ: Mapping[str, Any]) -> str:
    uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if uri:
        return str(uri)
    path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
    # PEP 3333 strings carry the path's bytes as latin-1.
    target = quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING")
    return target + "?" + query if query else target


def _wsgi_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    headers = [(k[5:].replace("_", "-").lower(), v) for k, v in environ.items()
               if k.startswith("HTTP_") and isinstance(v, str)]
    headers.extend((name, environ[k]) for k, name in _UNPREFIXED.items() if environ.get(k))
    return headers


class TokenVerifyWSGIMiddleware:
    """WSGI (PEP 3333) middleware. The claims go into ``environ[claims_key]``
    (``None`` for a request let through without a token; not set on exempt paths).
    Set headers appear as ``HTTP_*`` entries, UTF-8 carried in the latin-1 strings
    PEP 3333 prescribes.

    A WSGI server joins a repeated header into one value, so a repeated Authorization
    header reaches the engine as one malformed token (401 ``invalid_token``; the log
    says ``TV_ERR_MALFORMED_TOKEN``) instead of the 400 the ASGI middleware gives.
    """

    def __init__(
        self,
        app: WSGIApp,
        verifier_or_config: Verifier | ConfigSource,
        *,
        token_source: TokenSource | Mapping[str, Any] | None = None,
        mode: Mode | None = None,
        exempt_paths: Iterable[str] = (),
        claims_key: str = CLAIMS_KEY,
        realm: str = "tokenverify",
        claims_to_headers: Iterable[Mapping[str, str]] | bool | None = None,
    ) -> None:
        self.app = app
        self._gate = _Gate(verifier_or_config, token_source, mode, exempt_paths, claims_key, realm,
                           claims_to_headers)
        self.verifier = self._gate.verifier
        self._managed_keys = tuple(_environ_key(h) for h in self._gate.managed)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        gate = self._gate
        if environ.get("PATH_INFO", "") in gate.exempt:
            for key in self._managed_keys:
                environ.pop(key, None)
            return self.app(environ, start_response)

        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or ""
        d = gate.decide(environ.get("REQUEST_METHOD") or "GET", _wsgi_target(environ), _wsgi_headers(environ), host)
        if not d.allowed:
            refusal = gate.refusal(d)
            start_response(f"{refusal.status} {refusal.reason}", [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(refusal.body))),
                *refusal.headers,
            ])
            return [refusal.body]

        for name in d.remove_headers:
            environ.pop(_environ_key(name), None)
        for name, value in d.set_headers:
            key, carried = _environ_key(name), value.encode("utf-8").decode("latin-1")
            environ[key] = environ[key] + "," + carried if key in environ else carried
        params, cookies = gate.removed_query_and_cookies(d)
        if params:
            environ["QUERY_STRING"] = _strip_query(environ.get("QUERY_STRING", ""), params)
            for key in ("REQUEST_URI", "RAW_URI"):
                if key in environ:
                    path, _, query = str(environ[key]).partition("?")
                    stripped = _strip_query(query, params)
                    environ[key] = path + "?" + stripped if stripped else path
        if cookies and "HTTP_COOKIE" in environ:
            environ["HTTP_COOKIE"] = _strip_cookies(environ["HTTP_COOKIE"], cookies)
            if not environ["HTTP_COOKIE"]:
                del environ["HTTP_COOKIE"]
        environ[gate.claims_key] = d.claims
        return self.app(environ, start_response)


# ---------------------------------------------------------------- reading the claims back


def claims_of(request: Any, claims_key: str = CLAIMS_KEY) -> Mapping[str, Any] | None:
    """The claims the middleware attached, from an ASGI scope, a WSGI environ, or a
    framework request that exposes either (``request.scope`` as in Starlette/FastAPI,
    ``request.environ`` as in Flask/Werkzeug). None when the request passed without a
    token. KeyError when the middleware did not see the request (an exempt path, or no
    middleware at all)."""
    scope = getattr(request, "scope", None)
    if scope is not None:
        return scope["state"][claims_key]  # type: ignore[no-any-return]
    environ = getattr(request, "environ", None)
    if environ is not None:
        return environ[claims_key]  # type: ignore[no-any-return]
    if isinstance(request, Mapping):
        if "state" in request and request.get("type") in ("http", "websocket"):
            return request["state"][claims_key]  # type: ignore[no-any-return]
        return request[claims_key]  # type: ignore[no-any-return]
    raise TypeError(f"cannot find claims on {type(request).__name__}")
