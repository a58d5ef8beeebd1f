"""tokenverify: fast JWT verification, a C++20 engine behind a stable C ABI.

    import tokenverify
    verifier = tokenverify.Verifier({"providers": [{"issuer": "me", "secret": "..."}]})
    claims = verifier.verify(token)        # raises tokenverify.InvalidTokenError subclasses
    claims["sub"], claims.header["alg"], dict(claims)

``tokenverify.jwt.decode`` is a drop-in for PyJWT's ``jwt.decode``.
"""

from __future__ import annotations

import collections.abc
import copy
import json
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _tokenverify
from ._tokenverify import Claims, base64url_implementation, inspect_unverified
from .errors import *  # noqa: F401,F403  (the exception classes are part of the top-level API)
from .errors import TokenVerifyError, __all__ as _error_names

__version__: str = _tokenverify.__version__

# Claims implements the Mapping protocol in C++; registering makes
# isinstance(claims, Mapping) true for code that checks.
collections.abc.Mapping.register(Claims)

ConfigInput = Union[Mapping[str, Any], str, "os.PathLike[str]"]


def _config_text(config: ConfigInput) -> str:
    """The configuration document as JSON text: a mapping is serialised, a str
    is JSON when it starts with "{" and a file path otherwise, a path-like is a file."""
    if isinstance(config, collections.abc.Mapping):
        return json.dumps(config)
    if isinstance(config, str):
        if config.lstrip().startswith("{"):
            return config
        with open(config, encoding="utf-8") as f:
            return f.read()
    if isinstance(config, os.PathLike):
        with open(os.fspath(config), encoding="utf-8") as f:
            return f.read()
    raise TypeError("config must be a dict, a JSON string, or a path, not %s" % type(config).__name__)


# validator(method, user, password, rule) -> bool: the application's check for
# "basic" and "apiKey" auths marked "validator": true. For "apiKey", `user` is
# the key and `password` is "". It runs on the authenticating thread with the
# GIL held; an exception refuses the credential.
Validator = Callable[[str, str, str, str], bool]

_METHODS = ("none", "jwt", "basic", "bearer", "apiKey", "hmac")


class Decision:
    """What the engine decided about one request (``Verifier.authenticate``).

    ``allowed``, ``http_status`` (200, 400, 401, 403 or 503), ``status`` (the
    status name, "TV_OK" when allowed), ``method`` ("jwt", "basic", "bearer",
    "apiKey", "hmac" or "none"), ``principal``, ``claims`` (a Claims for a JWT,
    else None), ``set_headers`` (lower-case names), ``remove_headers``,
    ``www_authenticate``; ``json`` is the decision document (the README's
    "Request authentication"), and ``document`` the same as a dict, which also
    holds ``rule``, ``provider``, ``removeQueryParameters``, ``removeCookies``
    and ``omittedHeaders``.
    """

    __slots__ = ("code", "http_status", "method", "json", "claims", "set_headers", "remove_headers", "principal",
                 "www_authenticate", "_document")

    def __init__(self, raw: Tuple[Any, ...]) -> None:
        code, self.http_status, method, self.json, self.claims, set_headers, remove, self.principal, challenge = raw
        self.code: int = code
        self.method: str = _METHODS[method] if 0 <= method < len(_METHODS) else "none"
        self.set_headers: List[Tuple[str, str]] = set_headers
        self.remove_headers: List[str] = remove
        self.www_authenticate: Optional[str] = challenge
        self._document: Optional[Dict[str, Any]] = None

    @property
    def allowed(self) -> bool:
        return self.code == 0

    @property
    def status(self) -> str:
        return _tokenverify.status_name(self.code)

    @property
    def document(self) -> Dict[str, Any]:
        if self._document is None:
            self._document = json.loads(self.json)
        return self._document

    def __repr__(self) -> str:
        return "Decision(%s)" % self.json


class Verifier(_tokenverify._Verifier):
    """A verifier built from one configuration document (see the README).

    ``config`` is a dict, a JSON string, or the path of a JSON file. Building
    fails with ConfigurationError (or KeySetError) naming the field at fault.
    A Verifier is immutable and thread-safe; the GIL is released while the
    engine works.
    """

    def __init__(self, config: ConfigInput, *, validator: Optional[Validator] = None) -> None:
        text = _config_text(config)
        super().__init__(text, validator=validator)
        self._config: Dict[str, Any] = json.loads(text)
        # Kept so that a verifier built from an edited copy of this configuration
        # (tokenverify.middleware's overrides) can use the same callback.
        self._validator: Optional[Validator] = validator

    def authenticate(
        self,
        method: Union[str, bytes],
        target: Union[str, bytes],
        headers: Union[Mapping[Any, Any], Iterable[Tuple[Any, Any]]] = (),
        body: Union[bytes, str, None] = b"",
        host: Union[str, bytes, None] = "",
    ) -> "Decision":
        """Decides whether a whole request may pass, by the configuration's ``rules``
        (or, without rules, its providers' tokens): the engine's ``tv_authenticate``.
        ``headers`` are (name, value) pairs as received (repeated names kept) or a
        mapping; names and values are str (latin-1, as WSGI carries them) or bytes.
        Returns a Decision; raises only for misuse (wrong types)."""
        return Decision(self._authenticate(method, target, headers, body, host))

    @property
    def config(self) -> Dict[str, Any]:
        """The configuration document as a dict (a copy)."""
        return copy.deepcopy(self._config)

    # verify(token) -> Claims, verify_many(tokens, *, threads=None) and
    # stats(*, keys=False) -> dict are the extension's methods, inherited as
    # they are: no Python frame per call.


def publish_revocation(
    config: ConfigInput,
    *,
    jti: Optional[str] = None,
    exp: Optional[int] = None,
    sub: Optional[str] = None,
    before: Optional[int] = None,
    issuer: Optional[str] = None,
) -> str:
    """Adds one revocation to the Redis stream that ``config``'s ``revocation.redis``
    names, for every verifier reading it: ``jti`` with the token's ``exp``, or ``sub``
    with ``before`` (tokens of that subject issued earlier are refused). ``issuer``
    limits it to tokens of that iss. Returns the stream entry's ID. Raises
    ConfigurationError without revocation.redis, ConfigurationIOError when Redis
    cannot be reached."""
    by_jti = jti is not None or exp is not None
    by_sub = sub is not None or before is not None
    if by_jti == by_sub:
        raise TypeError("publish_revocation wants either jti= and exp=, or sub= and before=")
    if by_jti and (jti is None or exp is None):
        raise TypeError("jti= and exp= go together")
    if by_sub and (sub is None or before is None):
        raise TypeError("sub= and before= go together")
    text = _config_text(config)
    if by_jti:
        return _tokenverify._publish_revocation(text, "jti", jti, int(exp), issuer)  # type: ignore[arg-type]
    return _tokenverify._publish_revocation(text, "sub", sub, int(before), issuer)  # type: ignore[arg-type]


__all__ = [
    "Verifier",
    "publish_revocation",
    "Decision",
    "Validator",
    "Claims",
    "inspect_unverified",
    "base64url_implementation",
    "__version__",
] + list(_error_names)

# Imported last: tokenverify.jwt builds on Verifier above.
from . import jwt  # noqa: E402
