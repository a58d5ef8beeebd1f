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
from typing import Any, Dict, Mapping, Union

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

    @property
    def config(self) -> Dict[str, Any]:
        """The configuration document as a dict (a copy)."""
        return copy.deepcopy(self._config)

    # verify(token) -> Claims, verify_many(tokens, *, threads=None) and
    # stats(*, keys=False) -> dict are the extension's methods, inherited as
    # they are: no Python frame per call.


__all__ = [
    "Verifier",
    "Claims",
    "inspect_unverified",
    "base64url_implementation",
    "__version__",
] + list(_error_names)

# Imported last: tokenverify.jwt builds on Verifier above.
from . import jwt  # noqa: E402
