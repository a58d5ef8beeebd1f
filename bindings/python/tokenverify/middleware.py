"""ASGI and WSGI middleware: the engine's request authentication in front of the application.

No web framework is imported; both classes speak the bare ASGI 3 / WSGI (PEP 3333)
protocols, so they wrap Starlette, FastAPI, Django, Flask, or anything else.

    app = TokenVerifyASGIMiddleware(app, {"providers": [...]})
    app.wsgi_app = TokenVerifyWSGIMiddleware(app.wsgi_app, verifier)

Each request (method, target, headers as received, host) goes to ``Verifier.authenticate``,
the engine's ``tv_authenticate``: every decision is the engine's, the same one any other
runtime or ``tokenverify serve`` makes from the same configuration. Without ``rules`` in
the configuration every request needs a provider's token (kgateway's semantics); with
``rules``, hosts and paths choose Basic, API keys, bearer lists, HMAC signatures or JWTs
(README, "Request authentication"). The middleware only applies the decision:

1. Exempt paths (exact match on the ASGI ``path`` / WSGI ``PATH_INFO``) pass unchecked;
   only the spoofable claim headers (4) are removed from them.
2. Refused: the decision's HTTP status, its ``WWW-Authenticate`` and a JSON body:
   401 without a credential ``{"error": "missing_token"}`` (``"missing_credentials"`` for
   other credentials than a token); 401 for a token that does not verify
   ``{"error": "invalid_token", "error_description": "the token is not valid"}`` -- the same
   answer for every reason, so a client without a key learns nothing about the claims it
   guessed; the reason goes to the ``tokenverify.middleware`` logger (INFO, the status
   name) and the verifier's stats; 401 for another credential ``{"error":
   "invalid_credentials"}``; 400 ``{"error": "invalid_request", ...}`` (a token given twice,
   a malformed request or credential); 403 ``{"error": "forbidden"}`` (no rule matches the
   host); 503 ``{"error": "temporarily_unavailable", "error_description": "<status>"}`` with
   ``Retry-After: 5`` when the provider has no usable keys (a remote key set not fetched
   yet, or too stale): the server is at fault, not the token.
3. ``AllowMissing`` without a token: the request passes with claims ``None``.
4. Allowed: the claims (a ``tokenverify.Claims`` mapping; ``None`` without a token) are
   handed to the application: ASGI ``scope["state"][claims_key]``, WSGI
   ``environ[claims_key]``; ``claims_of(request)`` reads them from either. The decision's
   ``remove_headers`` are removed -- every ``claimsToHeaders`` header of every provider
   (a client cannot spoof them), and the token's own header when the provider's
   ``forwardToken`` is false, kgateway's default: set ``"forwardToken": true`` for an
   application that reads the token itself -- and its ``set_headers`` added.

The constructor's ``token_source``, ``mode`` and ``claims_to_headers`` override the
configuration (every provider's ``tokenSource`` / ``claimsToHeaders``, the document's
``validationMode``): the middleware then builds its own Verifier from the overridden
document. ``realm`` replaces the engine's ``realm="tokenverify"`` in the challenges.

Verification runs inline on the event loop: a warm verify costs microseconds, less than
handing it to a thread pool would, and the engine does not wait for the network on the
request path (remote key sets are refreshed in the background). The one exception is a
remote key set with ``unknownKidWait``: a token with an unknown ``kid`` then waits (up to
that long) for an early refresh. With such a provider the ASGI middleware authenticates in
the event loop's default executor, so the loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal, Union
from urllib.parse import quote

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
_ENGINE_REALM = 'realm="tokenverify"'

CLAIMS_KEY = "tokenverify.claims"
Mode = Literal["Strict", "AllowMissing"]
_MODES = ("Strict", "AllowMissing")

ConfigSource = Union[Mapping[str, Any], str, "os.PathLike[str]"]


@dataclass(frozen=True)
class TokenSource:
    """Where the token is found: a header (with an optional prefix), a query parameter
    or a cookie. The same three shapes as a provider's ``tokenSource`` in the
    configuration; ``from_config`` reads that shape, ``to_config`` writes it."""

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
        if self.kind == "header":
            return {"header": {"header": self.name, "prefix": self.prefix}}
        return {"queryParameter" if self.kind == "query" else "cookie": self.name}


# ---------------------------------------------------------------- the decision, applied


@dataclass(frozen=True)
class _Rejection:
    status: int
    reason: str
    body: bytes
    headers: tuple[tuple[str, str], ...]  # besides Content-Type and Content-Length


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable"}


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _body(**members: str) -> bytes:
    return json.dumps(members, separators=(",", ":")).encode()


def _waits_for_unknown_kid(provider: Mapping[str, Any]) -> bool:
    """True when the provider's remote key set has a non-zero unknownKidWait. The
    library has validated the configuration already: a duration (a number of seconds or
    a string such as "200ms") is zero exactly when every digit in it is 0."""
    remote = (provider.get("jwks") or {}).get("remote") or {}
    wait = remote.get("unknownKidWait", 0)
    if isinstance(wait, (int, float)):
        return wait > 0
    return any(c in "123456789" for c in str(wait))


def _effective_config(config: Mapping[str, Any], token_source: TokenSource | Mapping[str, Any] | None,
                      mode: str | None, claims_to_headers: Iterable[Mapping[str, str]] | None | bool) -> dict[str, Any]:
    """The configuration with the constructor's overrides applied (a copy)."""
    doc: dict[str, Any] = copy.deepcopy(dict(config))
    providers: list[dict[str, Any]] = doc.get("providers") or []
    if token_source is not None:
        source = token_source if isinstance(token_source, TokenSource) else TokenSource.from_config(token_source)
        for p in providers:
            p["tokenSource"] = source.to_config()
    if mode is not None:
        doc["validationMode"] = mode
    if claims_to_headers is False:
        for p in providers:
            p.pop("claimsToHeaders", None)
    elif claims_to_headers is not None and claims_to_headers is not True:
        pairs = [{"name": m["name"], "header": m["header"]} for m in claims_to_headers]
        for p in providers:
            p["claimsToHeaders"] = pairs
    return doc


class _Gate:
    """Everything both middlewares share: the verifier, exempt paths, and the decision
    turned into a response."""

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
        overridden = token_source is not None or mode is not None or claims_to_headers not in (None, True)
        if isinstance(verifier_or_config, Verifier):
            config: Mapping[str, Any] = verifier_or_config.config
            self.verifier = (Verifier(_effective_config(config, token_source, mode, claims_to_headers))
                             if overridden else verifier_or_config)
        elif isinstance(verifier_or_config, (Mapping, str, os.PathLike)):
            config = json.loads(_config_text(verifier_or_config))
            self.verifier = Verifier(_effective_config(config, token_source, mode, claims_to_headers)
                                     if overridden else config)
        else:
            raise TypeError("verifier_or_config must be a tokenverify.Verifier, a configuration dict, a JSON "
                            f"string or a path, not {type(verifier_or_config).__name__}")
        effective = self.verifier.config
        providers: list[Mapping[str, Any]] = list(effective.get("providers") or [])
        self.exempt = frozenset(exempt_paths)
        self.claims_key = claims_key
        # Removed from exempt requests too: what claimsToHeaders could set.
        self.managed_headers = frozenset(m["header"].lower() for p in providers for m in p.get("claimsToHeaders") or [])
        # A verification may wait for the network only with unknownKidWait (see the module doc).
        self.may_wait = any(_waits_for_unknown_kid(p) for p in providers)
        self.realm = None if realm == "tokenverify" else "realm=" + _quote(realm)
        self.rejections: dict[tuple[int, str, str | None], _Rejection] = {}  # built once per kind, bounded

    def authenticate(self, method: Any, target: Any, headers: Any, host: Any) -> Decision:
        return self.verifier.authenticate(method, target, headers, b"", host)

    def rejection(self, d: Decision) -> _Rejection:
        key = (d.http_status, d.status, d.www_authenticate)
        found = self.rejections.get(key)
        if found is not None:
            return found
        token = d.method == "jwt" or (d.www_authenticate or "").startswith("Bearer ")
        if d.http_status == 503:
            _log.info("token not verified, no usable keys: %s", d.status)
            body = _body(error="temporarily_unavailable", error_description=d.status)
        elif d.http_status == 401 and d.status == "TV_ERR_CREDENTIAL_MISSING":
            body = _body(error="missing_token" if token else "missing_credentials")
        elif d.http_status == 401 and token:
            body = _body(error="invalid_token", error_description=INVALID_TOKEN_DESCRIPTION)
        elif d.http_status == 401:
            body = _body(error="invalid_credentials")
        elif d.http_status == 400 and d.status == "TV_ERR_DUPLICATE_CREDENTIAL":
            body = _body(error="invalid_request", error_description="token given more than once" if token
                         else "credential given more than once")
        elif d.http_status == 400:
            body = _body(error="invalid_request", error_description=tokenverify_message(d.code))
        else:
            body = _body(error="forbidden")
        headers: tuple[tuple[str, str], ...] = ()
        if d.http_status == 503:
            headers = (("Retry-After", "5"),)
        elif d.www_authenticate is not None:
            challenge = d.www_authenticate
            if self.realm is not None:
                challenge = challenge.replace(_ENGINE_REALM, self.realm)
            headers = (("WWW-Authenticate", challenge),)
        rejection = _Rejection(d.http_status, _REASONS.get(d.http_status, "Forbidden"), body, headers)
        if len(self.rejections) < 64:  # statuses and challenges come from the configuration: few
            self.rejections[key] = rejection
        return rejection

    def refused(self, d: Decision) -> _Rejection:
        if d.http_status == 401 and d.status != "TV_ERR_CREDENTIAL_MISSING":
            # Only the name and code: the message may quote the token's claims.
            _log.info("token refused: %s (%s)", d.status, d.code)
        return self.rejection(d)


def tokenverify_message(code: int) -> str:
    from ._tokenverify import status_message
    return str(status_message(code))


# ---------------------------------------------------------------- ASGI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


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
        self._managed = frozenset(h.encode("latin-1") for h in self._gate.managed_headers)

    @staticmethod
    def _request(scope: Scope, headers: list[tuple[bytes, bytes]]) -> tuple[Any, bytes, Any, bytes]:
        """(method, target, headers, host) as the engine takes them."""
        raw = scope.get("raw_path") or quote(scope.get("path") or "/", safe="/:@!$&'()*+,;=-._~%").encode("latin-1")
        query = scope.get("query_string") or b""
        target = raw + b"?" + query if query else raw
        host = b""
        for name, value in headers:
            if name.lower() == b"host":
                host = value
                break
        return scope.get("method") or "GET", target, headers, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        gate = self._gate
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or ())
        if scope.get("path") in gate.exempt:
            if self._managed:
                scope = {**scope, "headers": [(k, v) for k, v in headers if k.lower() not in self._managed]}
            await self.app(scope, receive, send)
            return

        request = self._request(scope, headers)
        d = await self._decide_off_loop(request) if gate.may_wait else gate.authenticate(*request)
        if not d.allowed:
            await self._refuse(scope, send, gate.refused(d))
            return
        removed = frozenset(h.encode("latin-1") for h in d.remove_headers)
        kept = [(k, v) for k, v in headers if k.lower() not in removed] if removed else headers
        kept += [(k.encode("latin-1"), v.encode("utf-8")) for k, v in d.set_headers]
        state = dict(scope.get("state") or {})
        state[gate.claims_key] = d.claims
        await self.app({**scope, "headers": kept, "state": state}, receive, send)

    async def _decide_off_loop(self, request: tuple[Any, bytes, Any, bytes]) -> Decision:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # another event loop (trio, ...): inline, as without the wait
            return self._gate.authenticate(*request)
        return await loop.run_in_executor(None, lambda: self._gate.authenticate(*request))

    @staticmethod
    async def _refuse(scope: Scope, send: Send, rejection: _Rejection) -> None:
        response_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(rejection.body)).encode()),
        ] + [(k.lower().encode("latin-1"), v.encode("utf-8")) for k, v in rejection.headers]
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": rejection.status, "headers": response_headers})
            await send({"type": "http.response.body", "body": rejection.body})
        elif "websocket.http.response" in (scope.get("extensions") or {}):
            await send({"type": "websocket.http.response.start", "status": rejection.status,
                        "headers": response_headers})
            await send({"type": "websocket.http.response.body", "body": rejection.body})
        else:
            await send({"type": "websocket.close", "code": 1008})


# ---------------------------------------------------------------- WSGI

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class TokenVerifyWSGIMiddleware:
    """WSGI (PEP 3333) middleware. The claims go into ``environ[claims_key]``
    (``None`` for a request let through without a token in ``AllowMissing`` mode; not set
    on exempt paths). Claim headers appear as ``HTTP_*`` entries, UTF-8 carried in the
    latin-1 strings PEP 3333 prescribes.

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
        self._managed_keys = tuple(_environ_key(h) for h in self._gate.managed_headers)

    @staticmethod
    def _request(environ: dict[str, Any]) -> tuple[str, str, list[tuple[str, str]], str]:
        """(method, target, headers, host) as the engine takes them, from the environ."""
        headers = [(key[5:].replace("_", "-"), value) for key, value in environ.items()
                   if key.startswith("HTTP_") and isinstance(value, str)]
        for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
            if environ.get(key):
                headers.append((name, environ[key]))
        target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
        if not target or not target.startswith("/"):
            path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=-._~")
            query = environ.get("QUERY_STRING", "")
            target = (path or "/") + ("?" + query if query else "")
        return environ.get("REQUEST_METHOD", "GET"), target, headers, environ.get("HTTP_HOST", "")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        gate = self._gate
        if environ.get("PATH_INFO", "") in gate.exempt:
            for key in self._managed_keys:
                environ.pop(key, None)
            return self.app(environ, start_response)

        d = gate.authenticate(*self._request(environ))
        if not d.allowed:
            rejection = gate.refused(d)
            start_response(f"{rejection.status} {rejection.reason}", [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(rejection.body))),
                *rejection.headers,
            ])
            return [rejection.body]
        for header in d.remove_headers:
            environ.pop(_environ_key(header), None)
        for header, value in d.set_headers:
            environ[_environ_key(header)] = value.encode("utf-8").decode("latin-1")
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
