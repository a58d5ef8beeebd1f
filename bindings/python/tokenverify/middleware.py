"""ASGI and WSGI middleware: verify the request's token before the application sees it.

No web framework is imported; both classes speak the bare ASGI 3 / WSGI (PEP 3333)
protocols, so they wrap Starlette, FastAPI, Django, Flask, or anything else.

    app = TokenVerifyASGIMiddleware(app, {"providers": [...]})
    app.wsgi_app = TokenVerifyWSGIMiddleware(app.wsgi_app, verifier)

What each request goes through (in this order):

1. Exempt paths (exact match on the ASGI ``path`` / WSGI ``PATH_INFO``) pass unchecked;
   only spoofed claim headers (step 5) are removed from them.
2. The token is taken from one place: by default the first provider's ``tokenSource``
   in the configuration (``Authorization: Bearer`` when it names none), or the
   ``token_source`` argument. A token given twice there (a repeated header in ASGI, a
   repeated query parameter) is refused with 400 ``invalid_request`` (RFC 6750 §3.1).
3. No token: ``Strict`` answers 401 with ``WWW-Authenticate: Bearer realm="..."`` and no
   error code (RFC 6750 §3.1); ``AllowMissing`` lets the request through with claims
   ``None``. The mode comes from the configuration's ``validationMode`` unless given.
4. A token that does not verify is refused with 401 and
   ``WWW-Authenticate: Bearer realm="...", error="invalid_token",
   error_description="the token is not valid"`` -- in both modes, the same answer for
   every reason: a client without a key must not learn which claim (audience, issuer,
   subject, matcher) it got wrong. The reason goes to the ``tokenverify.middleware``
   logger (INFO, the status name) and to the verifier's stats. The exception: when the
   provider has no usable keys (``KeysUnavailableError``: a remote key set not fetched
   yet, or too stale), the server is at fault, not the token: 503 with ``Retry-After``.
5. A verified token's claims (a ``tokenverify.Claims`` mapping) are handed to the
   application: ASGI ``scope["state"][claims_key]``, WSGI ``environ[claims_key]``;
   ``claims_of(request)`` reads them from either, or from a framework request object.
   The accepting provider's ``claimsToHeaders`` are added as request headers; headers
   with those names sent by the client are always removed first, so the application can
   trust them.

Verification runs inline on the event loop: a warm verify costs microseconds (tens for
RSA, about a hundred for EdDSA), less than handing it to a thread pool would, and the
engine does not wait for the network on the request path (remote key sets are refreshed
in the background). The one exception is a remote key set with ``unknownKidWait``: a
token with an unknown ``kid`` then waits (up to that long) for an early refresh. With
such a provider the ASGI middleware verifies in the event loop's default executor, so
the loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Union
from urllib.parse import parse_qsl

from . import KeysUnavailableError, TokenVerifyError, Verifier

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

CLAIMS_KEY = "tokenverify.claims"
Mode = Literal["Strict", "AllowMissing"]
_MODES = ("Strict", "AllowMissing")


class _VerifierLike(Protocol):
    # Any: tokenverify.Claims is a Mapping at run time (registered), not in its stub.
    def verify(self, token: str) -> Any: ...


ConfigSource = Union[Mapping[str, Any], str, "os.PathLike[str]"]


@dataclass(frozen=True)
class TokenSource:
    """Where the token is found: a header (with an optional prefix), a query parameter
    or a cookie. The same three shapes as a provider's ``tokenSource`` in the
    configuration; ``from_config`` reads that shape."""

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


# ---------------------------------------------------------------- the decision, shared


@dataclass(frozen=True)
class _Rejection:
    status: int
    reason: str
    body: bytes
    headers: tuple[tuple[str, str], ...]  # besides Content-Type and Content-Length


class _NoToken:
    """The request carries no token in the configured place."""


class _RepeatedToken:
    """The configured place holds more than one value."""


_Extracted = Union[str, _NoToken, _RepeatedToken]
_NO_TOKEN = _NoToken()
_REPEATED = _RepeatedToken()


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _header_value(value: Any) -> str | None:
    """A claim as a header value: strings as they are, numbers and booleans as JSON,
    arrays of those joined by commas, anything else as compact JSON. None when the
    result could split or smuggle a header (control characters)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) for v in value):
        text = ",".join(v if isinstance(v, str) else json.dumps(v) for v in value)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if any(ord(c) < 0x20 and c != "\t" or ord(c) == 0x7F for c in text):
        return None
    return text


def _claim(claims: Mapping[str, Any], name: str) -> Any:
    """A claim by name; a dotted name reaches into objects when no claim has that exact name."""
    if name in claims:
        return claims[name]
    node: Any = claims
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _waits_for_unknown_kid(provider: Mapping[str, Any]) -> bool:
    """True when the provider's remote key set has a non-zero unknownKidWait. The
    library has validated the configuration already: a duration (a number of seconds or
    a string such as "200ms") is zero exactly when every digit in it is 0."""
    remote = (provider.get("jwks") or {}).get("remote") or {}
    wait = remote.get("unknownKidWait", 0)
    if isinstance(wait, (int, float)):
        return wait > 0
    return any(c in "123456789" for c in str(wait))


class _Gate:
    """Everything both middlewares decide, independent of the protocol."""

    def __init__(
        self,
        verifier_or_config: _VerifierLike | ConfigSource,
        token_source: TokenSource | Mapping[str, Any] | None,
        mode: Mode | None,
        exempt_paths: Iterable[str],
        claims_key: str,
        realm: str,
        claims_to_headers: Iterable[Mapping[str, str]] | None | bool,
    ) -> None:
        self.verifier: _VerifierLike
        if isinstance(verifier_or_config, (Mapping, str, os.PathLike)):
            self.verifier = Verifier(verifier_or_config)
        else:
            self.verifier = verifier_or_config
        config: Mapping[str, Any] = getattr(self.verifier, "config", None) or {}
        providers: list[Mapping[str, Any]] = list(config.get("providers") or [])

        if token_source is None:
            self.source = TokenSource.from_config(providers[0].get("tokenSource") if providers else None)
        elif isinstance(token_source, TokenSource):
            self.source = token_source
        else:
            self.source = TokenSource.from_config(token_source)
        self.header_key = self.source.name.lower()
        self.prefix = self.source.prefix.lower()

        chosen = mode if mode is not None else config.get("validationMode", "Strict")
        if chosen not in _MODES:
            raise ValueError(f"mode must be 'Strict' or 'AllowMissing', not {chosen!r}")
        self.allow_missing = chosen == "AllowMissing"

        if isinstance(exempt_paths, str):
            raise TypeError("exempt_paths is a collection of paths, not one string")
        self.exempt = frozenset(exempt_paths)
        self.claims_key = claims_key
        # A verification may wait for the network only with unknownKidWait (see the module doc).
        self.may_wait = any(_waits_for_unknown_kid(p) for p in providers)

        # (claim, header name in lower case) pairs: per provider name from the
        # configuration, or one list for every provider from the argument.
        self.headers_by_provider: dict[str, list[tuple[str, str]]] = {}
        self.headers_for_all: list[tuple[str, str]] = []
        if claims_to_headers is None or claims_to_headers is True:
            for i, p in enumerate(providers):
                pairs = [(m["name"], m["header"].lower()) for m in p.get("claimsToHeaders") or []]
                if pairs:
                    self.headers_by_provider[p.get("name") or f"provider{i}"] = pairs
        elif claims_to_headers is not False:
            self.headers_for_all = [(m["name"], m["header"].lower()) for m in claims_to_headers]
        self.managed_headers = frozenset(
            [h for pairs in self.headers_by_provider.values() for _, h in pairs] + [h for _, h in self.headers_for_all])

        realm_param = "realm=" + _quote(realm)
        self.missing = _Rejection(401, "Unauthorized", b'{"error":"missing_token"}',
                                  (("WWW-Authenticate", "Bearer " + realm_param),))
        self.repeated = self._rejection(
            400, "Bad Request", realm_param, "invalid_request", "token given more than once")
        self.invalid = self._rejection(401, "Unauthorized", realm_param, "invalid_token", INVALID_TOKEN_DESCRIPTION)
        self.unavailable: dict[str, _Rejection] = {}  # status name -> its 503, built once
        self.realm_param = realm_param

    @staticmethod
    def _rejection(status: int, reason: str, realm_param: str, error: str, description: str) -> _Rejection:
        body = json.dumps({"error": error, "error_description": description}, separators=(",", ":")).encode()
        if status == 503:
            # Retry soon: keys are fetched in the background. No WWW-Authenticate: the
            # credentials are not what failed.
            return _Rejection(status, reason, body, (("Retry-After", "5"),))
        header = f"Bearer {realm_param}, error={_quote(error)}, error_description={_quote(description)}"
        return _Rejection(status, reason, body, (("WWW-Authenticate", header),))

    def token_from_header_values(self, values: list[str]) -> _Extracted:
        if not values:
            return _NO_TOKEN
        if len(values) > 1:
            return _REPEATED
        value = values[0]
        # Auth schemes are case-insensitive (RFC 9110 §11.1), so the prefix is too. A
        # header with another prefix ("Basic ...") carries no token for us.
        if self.prefix:
            if value[: len(self.prefix)].lower() != self.prefix:
                return _NO_TOKEN
            value = value[len(self.prefix):]
        value = value.strip()
        return value if value else _NO_TOKEN

    def token_from_query(self, query: str) -> _Extracted:
        if not query:
            return _NO_TOKEN
        values = [v for k, v in parse_qsl(query, keep_blank_values=True) if k == self.source.name]
        if len(values) > 1:
            return _REPEATED
        return values[0] if values and values[0] else _NO_TOKEN

    def token_from_cookies(self, cookie_header: str) -> _Extracted:
        # The first cookie of that name wins: browsers send the one with the most
        # specific path first (RFC 6265 §5.4), so a repeat is not an error here.
        for pair in cookie_header.split(";"):
            name, eq, value = pair.partition("=")
            if eq and name.strip() == self.source.name:
                value = value.strip()
                if len(value) >= 2 and value[0] == value[-1] == '"':
                    value = value[1:-1]
                return value if value else _NO_TOKEN
        return _NO_TOKEN

    def decide(self, extracted: _Extracted) -> Mapping[str, Any] | _Rejection | None:
        """Claims to pass on, None (AllowMissing, no token), or the response to send."""
        if isinstance(extracted, str):
            try:
                claims: Mapping[str, Any] = self.verifier.verify(extracted)
                return claims
            except TokenVerifyError as e:
                name = getattr(e, "name", None) or type(e).__name__
                if not isinstance(e, KeysUnavailableError):
                    # Only the name and code: the message may quote the token's claims.
                    _log.info("token refused: %s (%s)", name, getattr(e, "code", None))
                    return self.invalid
                _log.info("token not verified, no usable keys: %s", name)
                rejection = self.unavailable.get(name)
                if rejection is None:
                    rejection = self._rejection(503, "Service Unavailable", self.realm_param,
                                                "temporarily_unavailable", name)
                    if len(self.unavailable) < 16:  # bounded: names come from the status table
                        self.unavailable[name] = rejection
                return rejection
        if isinstance(extracted, _RepeatedToken):
            return self.repeated
        return None if self.allow_missing else self.missing

    def claim_headers(self, claims: Mapping[str, Any]) -> list[tuple[str, str]]:
        if not self.managed_headers:
            return []
        # Claims.provider is None when the package cannot tell which provider accepted
        # the token; then no provider's mapping applies (the spoofed copies are gone anyway).
        pairs = self.headers_for_all or self.headers_by_provider.get(getattr(claims, "provider", None) or "", [])
        out = []
        for claim, header in pairs:
            value = _claim(claims, claim)
            if value is not None:
                text = _header_value(value)
                if text is not None:
                    out.append((header, text))
        return out


# ---------------------------------------------------------------- ASGI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TokenVerifyASGIMiddleware:
    """ASGI 3 middleware. ``http`` and ``websocket`` scopes are checked; ``lifespan`` and
    any other scope type pass through untouched.

    A refused WebSocket handshake gets the same 401/400 response as HTTP when the server
    offers the ``websocket.http.response`` extension, else a ``websocket.close`` with
    code 1008 (policy violation), which servers turn into a 403.

    The claims go into a copy of ``scope["state"]`` (Starlette's ``request.state`` reads
    it) under ``claims_key``; use ``claims_of(request)`` to read them back.
    """

    def __init__(
        self,
        app: ASGIApp,
        verifier_or_config: _VerifierLike | ConfigSource,
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
        source = self._gate.source
        self._token_header = (source.name.lower() if source.kind == "header" else "cookie").encode("latin-1")
        self._managed = frozenset(h.encode("latin-1") for h in self._gate.managed_headers)

    def _extract(self, scope: Scope, headers: Iterable[tuple[bytes, bytes]]) -> _Extracted:
        gate = self._gate
        if gate.source.kind == "query":
            return gate.token_from_query(scope.get("query_string", b"").decode("latin-1"))
        wanted = self._token_header
        # Servers send lower-case names (the ASGI spec asks them to); .lower() covers the rest.
        values = [v.decode("latin-1") for k, v in headers if k == wanted or k.lower() == wanted]
        if gate.source.kind == "header":
            return gate.token_from_header_values(values)
        # HTTP/2 may split cookies over several headers (RFC 9113 §8.2.3).
        return gate.token_from_cookies("; ".join(values)) if values else _NO_TOKEN

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        gate = self._gate
        headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()
        if self._managed:
            headers = [(k, v) for k, v in headers if k.lower() not in self._managed]
            scope = {**scope, "headers": headers}
        if scope.get("path") in gate.exempt:
            await self.app(scope, receive, send)
            return

        extracted = self._extract(scope, headers)
        outcome = await self._decide_off_loop(extracted) if gate.may_wait else gate.decide(extracted)
        if isinstance(outcome, _Rejection):
            await self._refuse(scope, send, outcome)
            return
        state = dict(scope.get("state") or {})
        state[gate.claims_key] = outcome
        scope = {**scope, "state": state}
        if outcome is not None:
            added = gate.claim_headers(outcome)
            if added:
                scope["headers"] = [*headers, *((k.encode("latin-1"), v.encode("utf-8")) for k, v in added)]
        await self.app(scope, receive, send)

    async def _decide_off_loop(self, extracted: _Extracted) -> Mapping[str, Any] | _Rejection | None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # another event loop (trio, ...): inline, as without the wait
            return self._gate.decide(extracted)
        return await loop.run_in_executor(None, self._gate.decide, extracted)

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
        verifier_or_config: _VerifierLike | ConfigSource,
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

    def _extract(self, environ: dict[str, Any]) -> _Extracted:
        gate = self._gate
        kind = gate.source.kind
        if kind == "query":
            return gate.token_from_query(environ.get("QUERY_STRING", ""))
        if kind == "cookie":
            return gate.token_from_cookies(environ.get("HTTP_COOKIE", ""))
        value = environ.get(_environ_key(gate.source.name))
        return gate.token_from_header_values([] if value is None else [value])

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        gate = self._gate
        for key in self._managed_keys:
            environ.pop(key, None)
        if environ.get("PATH_INFO", "") in gate.exempt:
            return self.app(environ, start_response)

        outcome = gate.decide(self._extract(environ))
        if isinstance(outcome, _Rejection):
            start_response(f"{outcome.status} {outcome.reason}", [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(outcome.body))),
                *outcome.headers,
            ])
            return [outcome.body]
        if outcome is not None:
            for header, value in gate.claim_headers(outcome):
                environ[_environ_key(header)] = value.encode("utf-8").decode("latin-1")
        environ[gate.claims_key] = outcome
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
