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
import functools
import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

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


def _resolve_provider(by_issuer: Dict[str, str], without_issuer: List[str], header: Dict[str, Any],
                      payload: Dict[str, Any]) -> Optional[str]:
    """Which provider accepted a token, as the engine chooses one: by iss when a
    provider names that issuer, else one of the providers without an issuer."""
    iss = payload.get("iss")
    if isinstance(iss, str) and iss in by_issuer:
        return by_issuer[iss]
    if len(without_issuer) == 1:
        return without_issuer[0]
    return None  # several providers without an issuer could have accepted it


class Verifier(_tokenverify._Verifier):
    """A verifier built from one configuration document (see the README).

    ``config`` is a dict, a JSON string, or the path of a JSON file. Building
    fails with ConfigurationError (or KeySetError) naming the field at fault.
    A Verifier is immutable and thread-safe; the GIL is released while the
    engine works.
    """

    def __init__(self, config: ConfigInput) -> None:
        text = _config_text(config)
        super().__init__(text)
        self._config: Dict[str, Any] = json.loads(text)
        by_issuer: Dict[str, str] = {}
        without_issuer: List[str] = []
        for i, provider in enumerate(self._config.get("providers", [])):
            name = provider.get("name") or "provider%d" % i
            if provider.get("issuer") is not None:
                by_issuer[provider["issuer"]] = name
            else:
                without_issuer.append(name)
        # A partial, not a bound method: the extension holds it, and a bound
        # method would make a reference cycle the garbage collector cannot see.
        self._set_provider_resolver(functools.partial(_resolve_provider, by_issuer, without_issuer))

    @property
    def config(self) -> Dict[str, Any]:
        """The configuration document as a dict (a copy)."""
        return copy.deepcopy(self._config)

    # verify(token) -> Claims and verify_many(tokens, *, threads=None) are the
    # extension's methods, inherited as they are: no Python frame per call.

    # stats() lands here once the C ABI has tv_verifier_stats: a plain dict of
    # the engine's counters and per-provider key-set health.


__all__ = [
    "Verifier",
    "Claims",
    "inspect_unverified",
    "base64url_implementation",
    "__version__",
] + list(_error_names)

# Imported last: tokenverify.jwt builds on Verifier above.
from . import jwt  # noqa: E402
