"""A drop-in for PyJWT's ``jwt.decode`` on the tokenverify engine.

    from tokenverify import jwt          # instead of: import jwt
    payload = jwt.decode(token, key, algorithms=["RS256"], audience="my-api")

Each distinct set of arguments (key, algorithms, audience, issuer, subject,
leeway, options) becomes a configuration document and a Verifier, kept in a
bounded LRU cache, so repeated calls cost one engine verification.

Where the engine's rules differ from PyJWT's (docs/python.md lists them):
HMAC secrets must be at least as long as the hash (unless PyJWT's own
``options={"enforce_minimum_key_length": False}`` is given), RSA keys at least
2048 bits, and ``alg: none`` is never accepted. As in PyJWT, the signature is
checked before the claims (a tampered and expired token is a bad signature).
"""

from __future__ import annotations

import base64
import collections
import json
import http.client
import math
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from datetime import timedelta
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import Verifier, _asymmetric_keys
from ._tokenverify import inspect_unverified
from .errors import (
    ConfigurationError,
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidJWKError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    KeyNotFoundError,
    KeySetError,
    KeysUnavailableError,
    MissingRequiredClaimError,
    TokenVerifyError,
)

# PyJWT's names for the same classes, so `except jwt.PyJWTError` keeps working.
PyJWTError = TokenVerifyError
PyJWKError = InvalidJWKError
PyJWKSetError = KeySetError
PyJWKClientError = KeySetError
PyJWKClientConnectionError = KeysUnavailableError


class InsecureKeyLengthWarning(UserWarning):
    """PyJWT's warning class for an HMAC secret shorter than the hash (RFC 7518 §3.2)."""


class MissingCryptographyError(PyJWKError):
    """PyJWT's error for a key type that needs the `cryptography` package, which is not installed."""


HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K",
     "EdDSA", "Ed25519", "Ed448"}
)
# The shortest HMAC secret each algorithm accepts: the hash's output size (RFC 7518 §3.2),
# as the engine and PyJWT's enforce_minimum_key_length count it.
_HMAC_MIN_SECRET = {"HS256": 32, "HS384": 48, "HS512": 64}
_TIME_OPTIONS = ("verify_exp", "verify_nbf", "verify_iat")
# The engine's largest leeway (just under 100 years): with it the engine's time
# checks always pass and Python applies the ones PyJWT's options ask for.
_NO_ENGINE_TIME_CHECKS = 99 * 365 * 24 * 3600

_DEFAULT_OPTIONS: Dict[str, Any] = {
    "verify_signature": True,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_aud": True,
    "verify_iss": True,
    "verify_sub": True,
    "verify_jti": True,
    "require": [],
}

KeyInput = Any  # str | bytes | JWK dict | PyJWK | cryptography public/private key


def _inspect(token: Union[str, bytes]) -> Any:
    """inspect_unverified, reading segments with base64 padding as PyJWT does (AWS ALB
    pads its tokens; every verifier here allows padded segments): for the unverified
    reads, the header's kid and alg, a payload read with the signature off."""
    try:
        return inspect_unverified(token)
    except TokenVerifyError as error:
        if error.name != "TV_ERR_BAD_BASE64URL":
            raise
        text = token.decode("ascii", "replace") if isinstance(token, (bytes, bytearray)) else token
        if not isinstance(text, str) or "=" not in text:
            raise
        try:
            return inspect_unverified(".".join(segment.rstrip("=") for segment in text.split(".")))
        except TokenVerifyError:
            raise error from None


# ---------------------------------------------------------------- keys → configuration


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _secret_length(material: Mapping[str, Any]) -> Optional[int]:
    """The length of the HMAC secret in |material| (a secret, or one "oct" JWK), else None."""
    if "secret" in material:
        encoded = material["secret"]["base64url"]
    else:
        jwk = material.get("jwks", {}).get("local", {}).get("inline")
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "oct" or not isinstance(jwk.get("k"), str):
            return None
        encoded = jwk["k"]
    try:
        return len(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except ValueError:
        return None


def _short_secret_message(length: int, alg: str) -> str:
    """PyJWT's words for an HMAC secret of |length| bytes, shorter than |alg| needs."""
    return ("The HMAC key is %d bytes long, which is below the minimum recommended length of %d bytes for "
            "SHA%s. See RFC 7518 Section 3.2." % (length, _HMAC_MIN_SECRET[alg], alg[2:]))


def _accepts_short_secrets(options: Mapping[str, Any]) -> bool:
    """PyJWT's own switch, given explicitly, is the only way to a short HMAC secret."""
    return options.get("enforce_minimum_key_length") is False


def _short_secret_error(length: int, alg: str, options: Mapping[str, Any]) -> TokenVerifyError:
    """The error for an HMAC secret of |length| bytes, shorter than |alg| needs.

    PyJWT's option enforce_minimum_key_length chooses between refusing such a
    secret (True: InvalidKeyError) and accepting it with an
    InsecureKeyLengthWarning (False). Without the option PyJWT warns; tokenverify
    refuses (RFC 7518 §3.2), and says how to accept it."""
    what = _short_secret_message(length, alg)
    if options.get("enforce_minimum_key_length"):
        return InvalidKeyError(what, name="TV_ERR_JWK_WEAK")
    return InvalidJWKError(
        "tokenverify refuses short HMAC secrets by default: %s Pass "
        'options={"enforce_minimum_key_length": False} to accept it with an InsecureKeyLengthWarning, '
        "as PyJWT does, or use a secret of at least %d bytes" % (what, _HMAC_MIN_SECRET[alg]),
        name="TV_ERR_JWK_WEAK")


def _jwk_json(key: bytes) -> Optional[Dict[str, Any]]:
    """|key| as a JWK or JWK set when it is the JSON text of one (a "kty" or a
    "keys" member), else None."""
    text = key[3:] if key.startswith(b"\xef\xbb\xbf") else key
    if not text.strip().startswith(b"{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) and ("kty" in value or "keys" in value) else None


def _key_material(key: KeyInput, algorithms: Sequence[str]) -> Tuple[Dict[str, Any], List[str]]:
    """The provider members for |key| ("secret" or "jwks") and the algorithms it may serve."""
    wanted = [a for a in algorithms if a in HMAC_ALGORITHMS or a in ASYMMETRIC_ALGORITHMS]
    hmac_algs = [a for a in wanted if a in HMAC_ALGORITHMS]
    asym_algs = [a for a in wanted if a in ASYMMETRIC_ALGORITHMS]

    if isinstance(key, PyJWKSet):
        remote = [k.key for k in key.keys if isinstance(k, PyJWKClientSigningKey)]
        if remote:
            key = remote[0]
        else:
            # The engine keeps HMAC secrets and public keys in separate sets: the
            # secrets serve HMAC-only algorithms, the public keys anything else.
            jwks = [k._engine_jwk() for k in key.keys]
            secrets = [j for j in jwks if j.get("kty") == "oct"]
            public = [j for j in jwks if j.get("kty") != "oct"]
            key = {"keys": secrets if secrets and (not public or (hmac_algs and not asym_algs)) else public}
    if isinstance(key, PyJWKClientSigningKey):
        key = key.key
    if isinstance(key, RemoteKeySet):
        # Fetched and kept fresh by the engine; kids select the key.
        return {"jwks": {"remote": dict(key.remote)}}, hmac_algs + asym_algs
    # PyJWK (ours or PyJWT's): its JWK, cryptography key, or secret bytes.
    if hasattr(key, "key") and hasattr(key, "algorithm_name"):
        key = key.key
    if isinstance(key, Mapping):
        jwk = dict(key)
        listed = jwk.get("keys")
        members: List[Any] = listed if isinstance(listed, list) else [jwk]
        secret_keys = all(isinstance(m, Mapping) and m.get("kty") == "oct" for m in members)
        return {"jwks": {"local": {"inline": jwk}}}, hmac_algs if secret_keys and members else asym_algs
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(key, (bytes, bytearray, memoryview)):
        key = bytes(key)
        jwk_text = _jwk_json(key)
        if jwk_text is not None:
            # A JWK or JWK set pasted as text is a key, never an HMAC secret:
            # a public JWK's text is known to everyone.
            return _key_material(jwk_text, algorithms)
        if _asymmetric_keys.is_asymmetric(key):
            if not asym_algs:
                raise _asymmetric_keys.refuse_as_secret()
            return {"jwks": {"local": {"pem": _asymmetric_keys.engine_pem(key)}}}, asym_algs
        if not hmac_algs:
            raise InvalidKeyError("a secret (str/bytes) key needs an HMAC algorithm (HS256, HS384, HS512)")
        return {"secret": {"base64url": _b64url(key)}}, hmac_algs
    return {"jwks": {"local": {"pem": _asymmetric_keys.spki_pem(key)}}}, asym_algs


# ---------------------------------------------------------------- remote key sets (PyJWKClient)


class RemoteKeySet:
    """A remote JWK set as a decode() key: the engine fetches it in the
    background, refreshes it before it expires, and picks keys by kid.

    One verifier (with one refresher thread) serves each distinct set of
    decode() arguments with this key. Two RemoteKeySets with the same settings
    are equal, so they share that verifier: a PyJWKClient made per request
    does not add fetchers. The settings are fixed when it is made."""

    def __init__(self, remote: Mapping[str, Any]) -> None:
        self.remote: Dict[str, Any] = dict(remote)
        self._identity = json.dumps(self.remote, sort_keys=True, default=repr)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RemoteKeySet) and other._identity == self._identity

    def __hash__(self) -> int:
        return hash(self._identity)

    def __repr__(self) -> str:
        return "RemoteKeySet(%r)" % (self.remote.get("url"),)


class _ClientArgumentError(KeySetError, ValueError):
    """PyJWKClient's arguments refused: PyJWT's PyJWKClientError, and a ValueError."""


# The algorithm a key serves when its JWK names none (as PyJWT's PyJWK picks it).
_DEFAULT_ALG_BY_CURVE = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K",
                         "Ed25519": "EdDSA", "Ed448": "EdDSA"}
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})


def _default_algorithm(kty: Any, crv: Any) -> Optional[str]:
    if kty == "RSA":
        return "RS256"
    if kty == "oct":
        return "HS256"
    if kty in ("EC", "OKP"):
        return _DEFAULT_ALG_BY_CURVE.get(crv) if isinstance(crv, str) else None
    return None


class PyJWK:
    """One JWK, as PyJWT's PyJWK: ``key_id``, ``key_type``, ``public_key_use``,
    ``algorithm_name`` (the JWK's ``alg``, else the one its type and curve imply) and
    ``key``, what decode() takes: the secret's bytes for an ``oct`` key, else the
    public JWK (with its ``alg``) as a dict, which the engine reads. Passing the
    PyJWK itself to decode() works the same. Raises InvalidKeyError for a JWK
    without a usable ``kty``, PyJWKError for one whose algorithm is unknown."""

    def __init__(self, jwk_data: Mapping[str, Any], algorithm: Optional[str] = None) -> None:
        if not isinstance(jwk_data, Mapping):
            raise InvalidKeyError("a JWK is a JSON object, not %s" % type(jwk_data).__name__)
        data = dict(jwk_data)
        kty = data.get("kty")
        if not kty:
            raise InvalidKeyError('the JWK has no "kty" (members: %s)' % ", ".join(sorted(map(str, data))))
        if kty not in ("RSA", "EC", "OKP", "oct"):
            raise InvalidKeyError("the JWK's kty %r is not one tokenverify reads (RSA, EC, OKP, oct)" % (kty,))
        alg = algorithm or data.get("alg") or _default_algorithm(kty, data.get("crv"))
        if not alg:
            raise InvalidKeyError("the JWK's curve %r is not one tokenverify reads" % (data.get("crv"),))
        if not isinstance(alg, str) or alg not in HMAC_ALGORITHMS | ASYMMETRIC_ALGORITHMS:
            raise PyJWKError("no algorithm of tokenverify's for the JWK (alg %r, kty %r)" % (alg, kty))
        self._jwk_data = data
        self.algorithm_name: str = alg
        self.key_type: str = kty
        self.key_id: Optional[str] = data.get("kid")
        self.public_key_use: Optional[str] = data.get("use")
        if kty == "oct":
            k = data.get("k")
            if not isinstance(k, str):
                raise InvalidKeyError('the "oct" JWK has no "k"')
            try:
                self.key: Any = base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))
            except ValueError:
                raise InvalidKeyError('the "oct" JWK\'s "k" is not base64url') from None
        else:
            self.key = {m: v for m, v in data.items() if m not in _PRIVATE_JWK_MEMBERS}
            self.key["alg"] = alg

    @staticmethod
    def from_dict(obj: Mapping[str, Any], algorithm: Optional[str] = None) -> "PyJWK":
        return PyJWK(obj, algorithm)

    @staticmethod
    def from_json(data: str, algorithm: Optional[str] = None) -> "PyJWK":
        return PyJWK(json.loads(data), algorithm)

    def _engine_jwk(self) -> Dict[str, Any]:
        """The JWK the engine verifies with (public members, alg fixed)."""
        if isinstance(self.key, dict):
            return dict(self.key)
        return {m: v for m, v in self._jwk_data.items() if m in ("kty", "k", "kid", "use", "key_ops")} | {
            "alg": self.algorithm_name}

    def __repr__(self) -> str:
        return "PyJWK(kid=%r, kty=%r, alg=%r)" % (self.key_id, self.key_type, self.algorithm_name)


class PyJWKSet:
    """A JWK set, as PyJWT's PyJWKSet: ``keys`` holds a PyJWK for each key
    tokenverify can use (the others are skipped, as PyJWT skips them);
    ``set[kid]`` finds one (KeyError if none). Raises PyJWKSetError when no key
    is usable. decode() takes the set itself: keys are then matched by kid."""

    def __init__(self, keys: List[Mapping[str, Any]]) -> None:
        self.keys: List[Any] = []
        if not isinstance(keys, list):
            raise PyJWKSetError("a JWK set's keys are a list, not %s" % type(keys).__name__)
        if not keys:
            raise PyJWKSetError("the JWK set has no keys")
        for key in keys:
            try:
                self.keys.append(PyJWK(key))
            except (InvalidKeyError, PyJWKError):
                continue
        if not self.keys:
            raise PyJWKSetError("the JWK set has no key tokenverify can use")

    @classmethod
    def _of(cls, keys: List[Any]) -> "PyJWKSet":
        made = cls.__new__(cls)
        made.keys = list(keys)
        return made

    @staticmethod
    def from_dict(obj: Mapping[str, Any]) -> "PyJWKSet":
        return PyJWKSet(obj.get("keys", []))

    @staticmethod
    def from_json(data: str) -> "PyJWKSet":
        return PyJWKSet.from_dict(json.loads(data))

    def __getitem__(self, kid: str) -> Any:
        for key in self.keys:
            if key.key_id == kid:
                return key
        raise KeyError("keyset has no key for kid: %s" % kid)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)


class PyJWKClientSigningKey:
    """A key of a PyJWKClient's set, like PyJWT's PyJWK: ``key_id``, ``key_type``,
    ``algorithm_name``, ``public_key_use`` ("sig": the engine keeps only keys that
    may verify) and ``key``, the client's RemoteKeySet, for decode(). The object
    itself works as decode()'s key too, and shares the verifier of its ``key``."""

    def __init__(self, key: RemoteKeySet, key_id: Optional[str], key_type: Optional[str] = None,
                 algorithm_name: Optional[str] = None) -> None:
        self.key = key
        self.key_id = key_id
        self.key_type = key_type
        self.algorithm_name = algorithm_name
        self.public_key_use = "sig"

    def __repr__(self) -> str:
        return "PyJWKClientSigningKey(kid=%r, %r)" % (self.key_id, self.key)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError for the 3xx answer


_CLIENT_VERIFIERS: "collections.OrderedDict[RemoteKeySet, Verifier]" = collections.OrderedDict()
_CLIENT_VERIFIERS_MAX = 32
_client_verifiers_lock = threading.Lock()
# The keys each of those verifiers listed last (kid, kty, alg, curve): a kid the engine
# still knows is answered from here.
_CLIENT_KEYS: Dict[RemoteKeySet, List[Dict[str, Any]]] = {}


class PyJWKClient:
    """PyJWT's PyJWKClient over the engine's remote key sets::

        client = jwt.PyJWKClient("https://idp.example/certs")
        key = client.get_signing_key_from_jwt(token)
        payload = jwt.decode(token, key.key, algorithms=["RS256"], audience="my-api")

    The engine fetches the set and keeps it fresh in the background (honouring
    Cache-Control, with conditional requests), serves the last good set through
    outages, and refreshes early, at most once per ``cooldown_duration``, for an
    unknown kid. ``get_signing_key*`` ask the engine's set and raise at that call:
    PyJWKClientError for a kid the set does not hold (after that early refresh),
    PyJWKClientConnectionError when no set could be fetched. decode() with the
    returned key verifies in the engine.

    lifespan: seconds a set stays fresh when the response has no caching headers.
    timeout: seconds for one fetch. cooldown_duration: the least time between two
    early refreshes for unknown kids. initial_fetch_wait: how long the first call
    waits for the first set. unknown_kid_wait: how long a call with an unknown kid
    waits for the early refresh. headers: sent with every fetch (the engine's and
    fetch_data's). remote: further ``jwks.remote`` members (README, "Remote key
    sets"). Only http and https URIs; redirects are not followed, as in PyJWT
    2.15 (remote={"followRedirects": True} follows up to 3). PyJWT's cache_keys,
    max_cached_keys and cache_jwk_set are accepted and have no effect: the engine
    always caches the set. An ssl_context is not supported (use
    remote={"tls": {"caFile": ...}})."""

    def __init__(self, uri: str, cache_keys: bool = False, max_cached_keys: int = 16, cache_jwk_set: bool = True,
                 lifespan: float = 300, headers: Optional[Mapping[str, str]] = None, timeout: float = 30,
                 ssl_context: Any = None, cooldown_duration: float = 30, *, initial_fetch_wait: float = 5,
                 unknown_kid_wait: float = 1, remote: Optional[Mapping[str, Any]] = None) -> None:
        scheme = urllib.parse.urlparse(uri).scheme.lower() if isinstance(uri, str) else ""
        if scheme not in ("http", "https"):
            raise _ClientArgumentError("Invalid JWKS URI scheme %r: the key set's URI must be http or https" % scheme)
        if headers is not None and not isinstance(headers, Mapping):
            raise _ClientArgumentError("headers must be a mapping of header names to values")
        if ssl_context is not None:
            raise ValueError('ssl_context is not supported; use remote={"tls": {"caFile": "ca.pem"}}')
        if not (cooldown_duration >= 0 and math.isfinite(cooldown_duration)):
            raise _ClientArgumentError("Cooldown duration must be a finite number of seconds, at least 0, not %r"
                                       % (cooldown_duration,))
        if cache_jwk_set and not lifespan > 0:
            raise _ClientArgumentError("Lifespan must be greater than 0, not %r" % (lifespan,))
        self.uri = uri
        self.timeout = timeout
        self.lifespan = lifespan
        self.cooldown_duration = cooldown_duration
        settings: Dict[str, Any] = {
            "url": uri,
            "cacheDuration": float(lifespan) if lifespan > 0 else 300.0,
            "timeout": float(timeout),
            # PyJWT's 0 (no cooldown) is the engine's shortest one.
            "unknownKidCooldown": max(float(cooldown_duration), 0.001),
            "initialFetchWait": float(initial_fetch_wait),
            "unknownKidWait": float(unknown_kid_wait),
            "followRedirects": False,
        }
        if headers:
            settings["headers"] = {str(name): str(value) for name, value in headers.items()}
        settings.update(remote or {})
        self.headers: Dict[str, str] = dict(settings.get("headers", {}))
        self.key_set = RemoteKeySet(settings)

    # -- the engine's view of the set

    def _verifier(self) -> Verifier:
        """The verifier that holds this client's set for the get_* calls, shared by
        clients with the same settings (a client made per request adds no fetcher)."""
        verifier = _CLIENT_VERIFIERS.get(self.key_set)
        if verifier is not None:
            return verifier
        config = {"providers": [{"name": "jwks", "jwks": {"remote": dict(self.key_set.remote)}}]}
        try:
            verifier = Verifier(config)
        except ConfigurationError as e:
            raise PyJWKClientError(str(e), e.code, e.name, e.field, e.detail) from None
        with _client_verifiers_lock:
            verifier = _CLIENT_VERIFIERS.setdefault(self.key_set, verifier)
            while len(_CLIENT_VERIFIERS) > _CLIENT_VERIFIERS_MAX:
                _CLIENT_KEYS.pop(_CLIENT_VERIFIERS.popitem(last=False)[0], None)
        return verifier

    def _engine_keys(self, kid: Optional[str] = None) -> List[Dict[str, Any]]:
        """The keys of the engine's set (as its stats list them), after waiting for the
        first set and, for a |kid| not in it, for the engine's early refresh. Raises
        PyJWKClientConnectionError when no set could be fetched."""
        verifier = self._verifier()
        # A token that names |kid|: verifying it waits for the first set and, for an
        # unknown kid, for one early refresh (rate-limited by the cooldown). Its
        # outcome says whether keys are available and whether the kid is known.
        header = {"alg": "RS256"} if kid is None else {"alg": "RS256", "kid": kid}
        probe = _b64url(json.dumps(header).encode()) + ".e30.AAAA"
        known = kid is not None
        try:
            verifier.verify(probe)
        except KeysUnavailableError as e:
            provider = verifier.stats()["providers"][0]
            reason = provider.get("lastError") or provider.get("lastOutcome") or e.name
            raise PyJWKClientConnectionError('Fail to fetch data from the url %s, err: "%s"' % (self.uri, reason),
                                             e.code, e.name) from None
        except KeyNotFoundError as e:
            known = known and e.name != "TV_ERR_KID_NOT_FOUND"
        except TokenVerifyError:
            pass
        cached = _CLIENT_KEYS.get(self.key_set)
        if known and cached is not None and any(entry.get("kid") == kid for entry in cached):
            return cached  # the per-request path: no stats document to build
        keys: List[Dict[str, Any]] = verifier.stats(keys=True)["providers"][0].get("keys", [])
        _CLIENT_KEYS[self.key_set] = keys
        return keys

    def _signing_key(self, entry: Mapping[str, Any]) -> PyJWKClientSigningKey:
        alg = entry.get("alg") or _default_algorithm(entry.get("kty"), entry.get("crv"))
        return PyJWKClientSigningKey(self.key_set, entry.get("kid"), entry.get("kty"), alg)

    # -- PyJWT's API

    def fetch_data(self) -> Any:
        """The key set's JSON document, fetched now, once, as PyJWT's fetch_data does
        (no redirects followed). For inspection: decode() and the get_* calls use the
        engine's copy, which this does not change."""
        opener = urllib.request.build_opener(_NoRedirects())
        request = urllib.request.Request(self.uri, headers=dict({"Accept": "application/json"}, **self.headers))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                data = json.load(response)
        except (urllib.error.URLError, TimeoutError, http.client.HTTPException, OSError) as e:
            if isinstance(e, urllib.error.HTTPError):
                e.close()
            raise PyJWKClientConnectionError('Fail to fetch data from the url, err: "%s"' % (e,)) from e
        except ValueError as e:
            raise PyJWKClientError("The JWKS endpoint did not return JSON: %s" % (e,)) from e
        if not isinstance(data, dict):
            raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
        return data

    def get_signing_keys(self, refresh: bool = False) -> List[PyJWKClientSigningKey]:
        """The set's signing keys with a kid (the engine keeps only keys that may
        verify). Raises PyJWKClientError when there is none. |refresh| has no effect:
        the engine refreshes the set itself."""
        keys = [self._signing_key(entry) for entry in self._engine_keys() if entry.get("kid")]
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The engine's set as a PyJWKSet of the signing keys (see get_signing_keys)."""
        return PyJWKSet._of(self.get_signing_keys(refresh))

    @staticmethod
    def match_kid(signing_keys: Iterable[Any], kid: Optional[str]) -> Optional[Any]:
        """The key in |signing_keys| whose key_id is |kid|, or None."""
        for key in signing_keys:
            if key.key_id == kid:
                return key
        return None

    def get_signing_key(self, kid: Optional[str]) -> PyJWKClientSigningKey:
        """The key with this kid, for decode(). Asks the engine's set, which is
        refreshed early once (per cooldown) for a kid it does not hold; raises
        PyJWKClientError when the kid is still not there, PyJWKClientConnectionError
        when no set could be fetched."""
        entries = self._engine_keys(kid)
        for entry in entries:
            if entry.get("kid") and entry.get("kid") == kid:
                return self._signing_key(entry)
        raise PyJWKClientError('Unable to find a signing key that matches: "%s"' % (kid,))

    def get_signing_key_from_jwt(self, token: Union[str, bytes]) -> PyJWKClientSigningKey:
        """get_signing_key() for the kid in |token|'s header (the token is not verified here)."""
        kid = get_unverified_header(token).get("kid")
        return self.get_signing_key(kid)


# ---------------------------------------------------------------- the cached verifiers


class _Plan:
    """One cached decode configuration: the verifier plus what Python checks after it."""

    __slots__ = ("verifier", "python_time_checks", "leeway", "options", "audience", "issuer", "subject",
                 "algorithms", "key_error", "single_key_config", "kid_verifiers", "refused_hmac",
                 "engine_checks_audience", "curve_mismatch", "secret_length")

    def __init__(self, verifier: Optional[Verifier], python_time_checks: bool, leeway: float,
                 options: Dict[str, Any], audience: Any, issuer: Any, subject: Optional[str],
                 algorithms: Sequence[str] = (), key_error: Optional[TokenVerifyError] = None) -> None:
        self.verifier = verifier
        # When the key cannot serve the algorithms: raised for tokens whose alg
        # is allowed (PyJWT checks the alg before preparing the key).
        self.algorithms = algorithms
        self.key_error = key_error
        # PyJWT verifies with the one key it is given whatever kid the token
        # names; the engine matches kids. For a single key the configuration is
        # kept, to build a verifier whose key carries the token's kid.
        self.single_key_config: Optional[Dict[str, Any]] = None
        self.kid_verifiers: Dict[str, Verifier] = {}
        # HMAC algorithms the caller allowed but the key (an asymmetric one) must
        # not serve: a token naming one gets PyJWT's InvalidKeyError.
        self.refused_hmac: FrozenSet[str] = frozenset()
        # Whether the engine's configuration holds the accepted audiences.
        self.engine_checks_audience = False
        # ES algorithms the caller allowed whose curve is not the key's: a token
        # naming one gets PyJWT's InvalidKeyError (alg -> the key's curve).
        self.curve_mismatch: Dict[str, str] = {}
        # The HMAC secret's length in bytes when it may be too short for one of the
        # allowed algorithms (checked per token, by its alg), else None.
        self.secret_length: Optional[int] = None
        self.python_time_checks = python_time_checks
        self.leeway = leeway
        self.options = options
        self.audience = audience
        self.issuer = issuer
        self.subject = subject


_CACHE_SIZE = 128
_cache: "collections.OrderedDict[Any, _Plan]" = collections.OrderedDict()
_cache_lock = threading.Lock()


def _freeze(value: Any) -> Any:
    """A hashable stand-in for an argument, equal exactly when the arguments are."""
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        return (type(value).__name__, value)
    if isinstance(value, Mapping):
        return ("map", json.dumps(value, sort_keys=True, default=repr))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(_freeze(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(v) for v in value)))
    if isinstance(value, timedelta):
        return ("td", value.total_seconds())
    try:
        hash(value)
        return ("obj", type(value), value)
    except TypeError:
        return ("repr", type(value), repr(value))


_CLAIM_OPTIONS = ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss", "verify_sub", "verify_jti")


def _merge_options(options: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """PyJWT's options over its defaults, as a new dict that shares nothing with the
    caller's: the cached plan keeps it, so a caller who later edits the dict (or its
    "require" list) changes neither this plan nor the calls that hit it."""
    merged = dict(_DEFAULT_OPTIONS)
    if options:
        if not options.get("verify_signature", True):
            # PyJWT: without the signature, every other check is off unless the
            # same options enable it (verify_exp: True still checks exp).
            for name in _CLAIM_OPTIONS:
                merged[name] = False
        merged.update(options)
    require = merged.get("require")
    # A copy of the list. Anything that is not iterable (None) is kept as it is,
    # so the claim checks raise PyJWT's TypeError at the same point PyJWT does.
    merged["require"] = list(require) if isinstance(require, Iterable) else require
    return merged


def _required_claims(opts: Mapping[str, Any]) -> List[Any]:
    """The claims the engine must require; [] when "require" is not a list (the
    Python checks then raise PyJWT's TypeError for it)."""
    require = opts.get("require")
    return list(require) if isinstance(require, list) else []


def _snapshot(value: Any) -> Any:
    """A copy of a list/set argument (audience, issuer) for the cached plan: the
    caller's own list may change after the call."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    return value


def _build_plan(key: KeyInput, algorithms: Optional[Sequence[str]], audience: Any, issuer: Any,
                subject: Optional[str], leeway: Union[float, timedelta],
                options: Optional[Mapping[str, Any]]) -> _Plan:
    opts = _merge_options(options)
    if isinstance(leeway, timedelta):
        leeway = leeway.total_seconds()
    leeway = float(leeway)
    if audience is not None and not isinstance(audience, (str, Iterable)):
        raise TypeError("audience must be a string, iterable or None")
    if audience is not None and not isinstance(audience, (str, list, tuple, set, frozenset)):
        audience = list(audience)  # a one-shot iterable (or bytes, as PyJWT iterates them) is read once, here
    audience = _snapshot(audience)
    issuer = _snapshot(issuer)
    if not opts["verify_signature"]:
        return _Plan(None, True, leeway, opts, audience, issuer, subject)
    if not algorithms:
        raise DecodeError(
            'It is required that you pass in a value for the "algorithms" argument when calling decode().'
        )

    try:
        material, algs = _key_material(key, list(algorithms))
        if not algs:
            raise InvalidAlgorithmError("Algorithm not supported")
    except TokenVerifyError as e:
        return _Plan(None, False, leeway, opts, audience, issuer, subject, tuple(algorithms), e)

    # The engine's time checks cannot be switched off one by one, and its
    # leeway is whole non-negative seconds: anything else is checked in Python.
    python_time_checks = (not all(opts[o] for o in _TIME_OPTIONS)) or leeway < 0 or leeway != math.floor(leeway)
    provider: Dict[str, Any] = dict(material)
    provider["algorithms"] = algs
    # Only strings can match a token's audience: anything else the caller lists
    # (bytes, as PyJWT compares them) never matches, so the engine is not given it.
    audiences = None if audience is None else [audience] if isinstance(audience, str) else [
        a for a in audience if isinstance(a, str)]
    # An empty list accepts no audience at all (as in PyJWT); the engine refuses
    # "audiences": [] as a configuration error, so that case is checked in Python.
    engine_checks_audience = bool(opts["verify_aud"] and audiences)
    if engine_checks_audience:
        provider["audiences"] = audiences
    if opts["verify_sub"] and subject is not None:
        provider["subject"] = subject
    providers: List[Dict[str, Any]]
    if opts["verify_iss"] and issuer is not None:
        issuers = [issuer] if isinstance(issuer, str) else list(issuer)
        # One provider per accepted issuer, all with the same key: the engine
        # picks the provider by the token's iss.
        providers = [dict(provider, name="issuer%d" % i, issuer=iss) for i, iss in enumerate(issuers)]
    else:
        providers = [dict(provider, name="decode")]
    config: Dict[str, Any] = {
        "providers": providers,
        "leeway": _NO_ENGINE_TIME_CHECKS if python_time_checks else int(leeway),
        "requiredClaims": _required_claims(opts),
    }
    secret_length = _secret_length(material)
    if secret_length is not None and secret_length >= max((_HMAC_MIN_SECRET[a] for a in algs if a in _HMAC_MIN_SECRET), default=0):
        secret_length = None  # long enough for every allowed algorithm
    # With PyJWT's switch the engine loads a short secret, and each token using it
    # warns as PyJWT does.
    short_secret_accepted = secret_length is not None and _accepts_short_secrets(opts)
    for p in providers:
        # PyJWT decodes base64 padding (AWS ALB pads its tokens); the engine only where asked.
        p["allowPaddedSegments"] = True
        if short_secret_accepted:
            p["allowShortHmacSecrets"] = True
    try:
        verifier = Verifier(config)
    except ConfigurationError as e:
        raise InvalidKeyError(str(e), e.code, e.name, e.field, e.detail) from e
    except InvalidJWKError as e:
        if secret_length is None:
            raise
        # Too short for the engine whatever the token's alg: refused per token, after
        # PyJWT's checks of the header (alg allowed), with the option's error.
        plan = _Plan(None, False, leeway, opts, audience, issuer, subject, tuple(algorithms), e)
        plan.secret_length = secret_length
        return plan
    plan = _Plan(verifier, python_time_checks, leeway, opts, audience, issuer, subject, tuple(algorithms))
    plan.secret_length = secret_length
    plan.engine_checks_audience = engine_checks_audience
    if "secret" not in material:
        plan.refused_hmac = frozenset(a for a in algorithms if a in HMAC_ALGORITHMS and a not in algs)
    local = material.get("jwks", {}).get("local", {})
    inline = local.get("inline")
    curve = _asymmetric_keys.ec_curve_name(pem=local.get("pem"), jwk=inline if "inline" in local else None)
    if curve is not None:
        plan.curve_mismatch = {a: curve for a in algorithms
                               if _asymmetric_keys.EC_CURVE_BY_ALG.get(a, curve) != curve}
    if isinstance(inline, dict) and "keys" not in inline:
        plan.single_key_config = config
    return plan


_MAX_KIDS_PER_KEY = 16


def _verifier_for_kid(plan: _Plan, token: Union[str, bytes]) -> Optional[Verifier]:
    """For a single-key plan, a verifier whose key has the kid |token| names."""
    if plan.single_key_config is None:
        return None
    kid = _inspect(token).header.get("kid")
    if not isinstance(kid, str):
        return None
    verifier = plan.kid_verifiers.get(kid)
    if verifier is None:
        config = json.loads(json.dumps(plan.single_key_config))
        for provider in config["providers"]:
            provider["jwks"]["local"]["inline"]["kid"] = kid
        verifier = Verifier(config)
        if len(plan.kid_verifiers) >= _MAX_KIDS_PER_KEY:
            plan.kid_verifiers.pop(next(iter(plan.kid_verifiers)), None)
        plan.kid_verifiers[kid] = verifier
    return verifier


_SIMPLE = (str, bytes, type(None))


def _cache_key(key: KeyInput, algorithms: Optional[Sequence[str]], audience: Any, issuer: Any,
               subject: Optional[str], leeway: Union[float, timedelta],
               options: Optional[Mapping[str, Any]]) -> Any:
    # The common call (str/bytes key, list of algorithms, str audience/issuer, no
    # options) gets a cheap tuple; everything else goes through _freeze.
    if (type(key) in _SIMPLE and type(audience) in _SIMPLE and type(issuer) in _SIMPLE and options is None
            and type(algorithms) in (list, tuple)):
        return (type(key), key, tuple(algorithms or ()), audience, issuer, subject, leeway)
    return ("frozen", _freeze(key), _freeze(algorithms), _freeze(audience), _freeze(issuer), _freeze(subject),
            _freeze(leeway), _freeze(options))


def _plan_for(key: KeyInput, algorithms: Optional[Sequence[str]], audience: Any, issuer: Any,
              subject: Optional[str], leeway: Union[float, timedelta],
              options: Optional[Mapping[str, Any]]) -> _Plan:
    if isinstance(key, PyJWKClientSigningKey):
        # A new object per get_signing_key*() call: cached by its key source, or
        # every call would build (and keep) another remote verifier and thread.
        key = key.key
    cache_key = _cache_key(key, algorithms, audience, issuer, subject, leeway, options)
    # Lookups take no lock: OrderedDict.get and move_to_end are single C calls
    # under the GIL; only inserting and evicting are serialised.
    plan = _cache.get(cache_key)
    if plan is not None:
        try:
            _cache.move_to_end(cache_key)
        except KeyError:  # evicted by another thread meanwhile; the plan is still good
            pass
        return plan
    plan = _build_plan(key, algorithms, audience, issuer, subject, leeway, options)
    with _cache_lock:
        _cache[cache_key] = plan
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return plan


def clear_cache() -> None:
    """Drops every cached verifier (e.g. after rotating the keys passed to decode)."""
    with _cache_lock:
        _cache.clear()


# ---------------------------------------------------------------- PyJWT's checks the engine leaves to us


def _numeric(payload: Mapping[str, Any], name: str, error: type) -> int:
    try:
        return int(payload[name])
    except (ValueError, TypeError, OverflowError):
        raise error("%s claim (%s) must be an integer." % ({"iat": "Issued At", "nbf": "Not Before",
                                                             "exp": "Expiration Time"}[name], name)) from None


def _python_checks(payload: Mapping[str, Any], plan: _Plan, engine_checked: bool) -> None:
    """The claim checks PyJWT makes that the engine did not make for this call.

    With |engine_checked| the engine already applied iss, aud, sub, require and
    (unless plan.python_time_checks) the times; otherwise everything is here."""
    opts = plan.options
    # Also after the engine: PyJWT counts a null claim as missing, and raises
    # TypeError for a "require" that is not iterable.
    for claim in opts["require"]:
        if payload.get(claim) is None:
            raise MissingRequiredClaimError(claim=claim)
    if not engine_checked or plan.python_time_checks:
        now = time.time()
        if opts["verify_iat"] and "iat" in payload:
            if _numeric(payload, "iat", InvalidIssuedAtError) > now + plan.leeway:
                raise ImmatureSignatureError("The token is not yet valid (iat)")
        if opts["verify_nbf"] and "nbf" in payload:
            if _numeric(payload, "nbf", DecodeError) > now + plan.leeway:
                raise ImmatureSignatureError("The token is not yet valid (nbf)")
        if opts["verify_exp"] and "exp" in payload:
            if _numeric(payload, "exp", DecodeError) <= now - plan.leeway:
                raise ExpiredSignatureError("Signature has expired")
    if opts["verify_iss"] and plan.issuer is not None and not engine_checked:
        if "iss" not in payload:
            raise MissingRequiredClaimError(claim="iss")
        iss = payload["iss"]
        if not isinstance(iss, str):
            raise InvalidIssuerError("Payload Issuer (iss) must be a string")
        accepted = [plan.issuer] if isinstance(plan.issuer, str) else plan.issuer
        if iss not in accepted:
            raise InvalidIssuerError("Invalid issuer")
    if opts["verify_aud"]:
        _check_audience(payload, plan.audience, engine_checked and plan.engine_checks_audience,
                        opts.get("strict_aud", False))
    if opts["verify_sub"] and "sub" in payload:
        if not isinstance(payload["sub"], str):
            raise InvalidSubjectError("Subject must be a string")
        if plan.subject is not None and not engine_checked and payload["sub"] != plan.subject:
            raise InvalidSubjectError("Invalid subject")
    if opts["verify_jti"] and "jti" in payload and not isinstance(payload["jti"], str):
        raise InvalidJTIError("JWT ID must be a string")


def _check_audience(payload: Mapping[str, Any], audience: Any, engine_checked: bool, strict: bool) -> None:
    aud = payload.get("aud")
    if audience is None:
        # PyJWT: a token meant for some audience is refused by a caller that names none.
        if aud:
            raise InvalidAudienceError("Invalid audience")
        return
    if not aud:
        raise MissingRequiredClaimError(claim="aud")
    if strict:
        # PyJWT's strict mode: one audience, one claim, equal.
        if not isinstance(audience, str):
            raise InvalidAudienceError("Invalid audience (strict)")
        if not isinstance(aud, str):
            raise InvalidAudienceError("Invalid claim format in token (strict)")
        if aud != audience:
            raise InvalidAudienceError("Audience doesn't match (strict)")
        return
    if engine_checked:
        return
    claims = [aud] if isinstance(aud, str) else aud
    if not isinstance(claims, list) or any(not isinstance(c, str) for c in claims):
        raise InvalidAudienceError("Invalid claim format in token")
    wanted = [audience] if isinstance(audience, str) else list(audience)
    if all(a not in claims for a in wanted):
        raise InvalidAudienceError("Audience doesn't match")


_SUPPORTED_CRIT = frozenset({"b64"})  # the extensions PyJWT understands


def _pyjwt_header_error(header: Mapping[str, Any]) -> Optional[InvalidTokenError]:
    """The error PyJWT raises for |header| before looking at the key or the
    signature (kid and crit), or None. Keeps the engine's status code."""
    code = "TV_ERR_MALFORMED_HEADER"
    message = None
    if "kid" in header and not isinstance(header["kid"], str):
        message = "Key ID header parameter must be a string"
    elif "crit" in header:
        code = "TV_ERR_CRIT_UNSUPPORTED"
        crit = header["crit"]
        if not isinstance(crit, list) or not crit:
            message = "Invalid 'crit' header: must be a non-empty list"
        else:
            for ext in crit:
                if not isinstance(ext, str):
                    message = "Invalid 'crit' header: values must be strings"
                elif ext not in _SUPPORTED_CRIT:
                    message = "Unsupported critical extension: %s" % ext
                elif ext not in header:
                    message = "Critical extension '%s' is missing from headers" % ext
                if message is not None:
                    break
    return None if message is None else InvalidTokenError(message, name=code)


def _header_alg(token: Union[str, bytes]) -> Any:
    """The unverified header's alg; None when the token does not parse."""
    try:
        return _inspect(token).header.get("alg")
    except TokenVerifyError:
        return None


def _json_failure(error: TokenVerifyError, token: Union[str, bytes], plan: _Plan) -> TokenVerifyError:
    """PyJWT's DecodeError for a header or payload that is not a JSON object, naming
    the segment; for a payload the engine refused for NaN or Infinity (not JSON, RFC
    8259) that PyJWT reads, the error PyJWT's claim checks give for it (an "exp" of
    Infinity is not an integer), when one does. Keeps the engine's code."""
    text = token.decode("ascii", "replace") if isinstance(token, bytes) else token
    segments = text.split(".")
    if len(segments) != 3:
        return error
    decoded: List[Any] = []
    for segment, what in ((segments[0], "header"), (segments[1], "payload")):
        try:
            value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        except (ValueError, RecursionError) as e:
            return DecodeError("Invalid %s string: %s" % (what, e), error.code, error.name)
        if not isinstance(value, dict):
            return DecodeError("Invalid %s string: must be a json object" % what, error.code, error.name)
        decoded.append(value)
    replay = _Plan(None, True, plan.leeway, plan.options, plan.audience, plan.issuer, plan.subject)
    try:
        _python_checks(decoded[1], replay, engine_checked=False)
    except MissingRequiredClaimError:
        return error
    except TokenVerifyError as e:
        if isinstance(e, (DecodeError, InvalidIssuedAtError)) and "must be an integer" in str(e):
            return type(e)(str(e), error.code, error.name)
    return error


def _signature_only(plan: _Plan, token: Union[str, bytes]) -> None:
    """The engine's check of |token|'s signature alone, with the plan's key."""
    assert plan.verifier is not None
    try:
        plan.verifier.verify_signature(token)
    except KeyNotFoundError:
        by_kid = _verifier_for_kid(plan, token)
        if by_kid is None:
            raise
        by_kid.verify_signature(token)


def _loosely_typed_claims(token: Union[str, bytes], plan: _Plan) -> Tuple[Any, Dict[str, Any]]:
    """For a token the engine refused with TV_ERR_MALFORMED_CLAIM: a registered claim
    of a JSON type RFC 7519 does not allow, which the engine refuses before the
    signature. PyJWT reads some of those ("iat": "1638202770" as a number, "aud":
    null as no audience) and refuses the others with errors of its own, after the
    signature. So the same here: the engine checks the signature alone, then PyJWT's
    claim checks run on the payload."""
    try:
        _signature_only(plan, token)
    except TokenVerifyError as e:
        raise _explain_failure(e, token, plan) from None
    claims = _inspect(token)
    payload = claims.to_dict()
    _python_checks(payload, plan, engine_checked=False)
    return claims, payload


def _explain_failure(error: TokenVerifyError, token: Union[str, bytes], plan: _Plan) -> TokenVerifyError:
    """The exception PyJWT would raise for the engine's |error|, when the engine's
    status is broader than PyJWT's classes (e.g. a missing iss is an issuer mismatch
    to the engine, a missing required claim to PyJWT). Keeps the engine's code."""
    name = error.name
    if name in ("TV_ERR_MALFORMED_JSON", "TV_ERR_JSON_NOT_OBJECT"):
        return _json_failure(error, token, plan)
    try:
        unverified = _inspect(token)
        header, payload = unverified.header, dict(unverified)
    except TokenVerifyError:
        return error

    def recast(cls: type, message: str, **extra: Any) -> TokenVerifyError:
        new: TokenVerifyError = cls(message, error.code, error.name, error.field, error.detail, **extra)
        return new

    if name in ("TV_ERR_ALG_NONE", "TV_ERR_EMPTY_SIGNATURE") and str(header.get("alg", "")).lower() == "none":
        return recast(InvalidAlgorithmError, "The specified alg value is not allowed")
    if name == "TV_ERR_ALG_NOT_ALLOWED" and header.get("alg") not in plan.algorithms:
        return recast(InvalidAlgorithmError, "The specified alg value is not allowed")
    if name == "TV_ERR_SIGNATURE_INVALID":
        return recast(InvalidSignatureError, "Signature verification failed")
    if 400 <= error.code < 500 or name == "TV_ERR_MALFORMED_CLAIM":
        # A claim failed. PyJWT checks the claims in its own order, with its own
        # class per claim: replay its checks to name the same one.
        replay = _Plan(None, True, plan.leeway, plan.options, plan.audience, plan.issuer, plan.subject)
        try:
            _python_checks(payload, replay, engine_checked=False)
        except MissingRequiredClaimError as e:
            return recast(MissingRequiredClaimError, str(e), claim=e.claim)
        except TokenVerifyError as e:
            return recast(type(e), str(e))
    return error


# ---------------------------------------------------------------- the PyJWT-compatible API


def get_unverified_header(jwt: Union[str, bytes]) -> Dict[str, Any]:
    """The token's protected header, decoded WITHOUT verifying anything but its shape
    (three segments, base64url with or without the padding PyJWT accepts, JSON objects),
    like PyJWT's: for choosing a key by `kid` before verifying. A token that is not well
    formed raises DecodeError."""
    header = _inspect(jwt).header
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidTokenError("Key ID header parameter must be a string")
    return dict(header)


def encode(payload: Mapping[str, Any], key: Any, algorithm: Optional[str] = "HS256",
           headers: Optional[Dict[str, Any]] = None, **kwargs: Any) -> str:
    """tokenverify verifies and does not sign: `encode` hands the call to PyJWT when it
    is installed, so a module migrated to `from tokenverify import jwt` keeps issuing
    tokens, and says how to get it otherwise."""
    try:
        import jwt as pyjwt  # PyJWT, the package this module stands in for
    except ImportError:
        raise NotImplementedError(
            "tokenverify.jwt verifies tokens and does not sign them; install PyJWT (pip install pyjwt) "
            "for jwt.encode") from None
    return str(pyjwt.encode(dict(payload), key, algorithm=algorithm, headers=headers, **kwargs))


class RemovedInPyjwt3Warning(DeprecationWarning):
    """Warned, as PyJWT does, for keyword arguments that PyJWT 3 will refuse."""


def _warn_legacy_arguments(function: str, options: Optional[Mapping[str, Any]], verify: Optional[bool],
                           kwargs: Mapping[str, Any]) -> None:
    """PyJWT 2 accepts and ignores unknown keyword arguments and the PyJWT 1 `verify`
    flag, with a warning: code migrating from it keeps running, and is told."""
    if kwargs:
        warnings.warn(f"{function}() ignores the keyword arguments {tuple(kwargs)}; PyJWT 3 will refuse them",
                      RemovedInPyjwt3Warning, stacklevel=3)
    verify_signature = True if options is None else bool(options.get("verify_signature", True))
    if verify is not None and verify != verify_signature:
        warnings.warn(f"{function}(verify={verify}) has no effect since PyJWT 2: set "
                      '"verify_signature" in options instead (it is %s here)' % verify_signature,
                      DeprecationWarning, stacklevel=3)


def decode_complete(
    jwt: Union[str, bytes],
    key: KeyInput = "",
    algorithms: Optional[Sequence[str]] = None,
    options: Optional[Mapping[str, Any]] = None,
    verify: Optional[bool] = None,
    *,
    audience: Optional[Union[str, Iterable[str]]] = None,
    issuer: Optional[Union[str, Sequence[str]]] = None,
    subject: Optional[str] = None,
    leeway: Union[float, timedelta] = 0,
    **kwargs: Any,
) -> Dict[str, Any]:
    """Like decode(), but returns {"header": ..., "payload": ..., "signature": bytes}."""
    _warn_legacy_arguments("decode_complete", options, verify, kwargs)
    claims, payload = _verified_claims(jwt, key, algorithms, options, audience, issuer, subject, leeway)
    token = jwt.encode("ascii") if isinstance(jwt, str) else bytes(jwt)
    signature = token.rsplit(b".", 1)[-1]
    return {
        "header": claims.header,
        "payload": payload,
        "signature": base64.urlsafe_b64decode(signature + b"=" * (-len(signature) % 4)),
    }


def decode(
    jwt: Union[str, bytes],
    key: KeyInput = "",
    algorithms: Optional[Sequence[str]] = None,
    options: Optional[Mapping[str, Any]] = None,
    verify: Optional[bool] = None,
    *,
    audience: Optional[Union[str, Iterable[str]]] = None,
    issuer: Optional[Union[str, Sequence[str]]] = None,
    subject: Optional[str] = None,
    leeway: Union[float, timedelta] = 0,
    **kwargs: Any,
) -> Dict[str, Any]:
    """Verifies |jwt| and returns its payload as a dict, like PyJWT's jwt.decode.

    key: an HMAC secret (str/bytes), PEM text, a DER key or certificate, or an
    OpenSSH public key (private, DER and OpenSSH keys need the cryptography
    package), a JWK dict or JWK set dict, a PyJWK, or a cryptography key
    object. An asymmetric key is never an HMAC secret. Raises the PyJWT-named
    exceptions of tokenverify.

    As in PyJWT 2, the legacy `verify` argument does nothing (`options={"verify_signature": False}`
    is what turns the signature check off) and other keyword arguments are ignored; both warn."""
    _warn_legacy_arguments("decode", options, verify, kwargs)
    return _verified_claims(jwt, key, algorithms, options, audience, issuer, subject, leeway)[1]


def _verified_claims(jwt: Union[str, bytes], key: KeyInput, algorithms: Optional[Sequence[str]],
                     options: Optional[Mapping[str, Any]], audience: Any, issuer: Any, subject: Optional[str],
                     leeway: Union[float, timedelta]) -> Tuple[Any, Dict[str, Any]]:
    """The verified Claims and the payload as a new dict."""
    if not isinstance(jwt, (str, bytes)):
        raise DecodeError("Invalid token type. Token must be a %s" % bytes)
    plan = _plan_for(key, algorithms, audience, issuer, subject, leeway, options)
    if plan.key_error is not None:
        try:
            alg = _inspect(jwt).header.get("alg")
        except TokenVerifyError as e:
            raise _explain_failure(e, jwt, plan) from None
        if alg not in plan.algorithms:
            raise InvalidAlgorithmError("The specified alg value is not allowed")
        if plan.secret_length is not None and alg in _HMAC_MIN_SECRET:
            raise _short_secret_error(plan.secret_length, alg, plan.options) from None
        raise plan.key_error
    if plan.secret_length is not None and plan.verifier is not None:
        # A secret long enough for some allowed algorithms but maybe not this token's.
        alg = _header_alg(jwt)
        if isinstance(alg, str) and alg in plan.algorithms and plan.secret_length < _HMAC_MIN_SECRET.get(alg, 0):
            if not _accepts_short_secrets(plan.options):
                raise _short_secret_error(plan.secret_length, alg, plan.options)
            warnings.warn(_short_secret_message(plan.secret_length, alg), InsecureKeyLengthWarning, stacklevel=3)
    if plan.verifier is None:
        try:
            claims = _inspect(jwt)
        except TokenVerifyError as e:
            raise _explain_failure(e, jwt, plan) from None
        header_error = _pyjwt_header_error(claims.header)
        if header_error is not None:  # PyJWT checks these with the signature off too
            raise header_error
        payload = claims.to_dict()
        _python_checks(payload, plan, engine_checked=False)
        return claims, payload
    try:
        try:
            claims = plan.verifier.verify(jwt)
        except KeyNotFoundError as e:
            by_kid = _verifier_for_kid(plan, jwt)
            if by_kid is None:
                raise
            claims = by_kid.verify(jwt)
    except TokenVerifyError as e:
        try:
            header: Mapping[str, Any] = _inspect(jwt).header
        except TokenVerifyError:
            header = {}
        header_error = _pyjwt_header_error(header)
        if header_error is not None:
            raise header_error from None
        alg = header.get("alg")
        if plan.refused_hmac and alg in plan.refused_hmac:
            # PyJWT's answer: the key is asymmetric, so never this token's HMAC secret.
            raise _asymmetric_keys.refuse_as_secret() from None
        if isinstance(e, KeyNotFoundError) and isinstance(alg, str) and alg in plan.curve_mismatch:
            # PyJWT's answer: the key is on another curve than the (allowed) alg's.
            raise _asymmetric_keys.curve_mismatch(plan.curve_mismatch[alg], alg) from None
        if e.name == "TV_ERR_MALFORMED_CLAIM":
            return _loosely_typed_claims(jwt, plan)
        raise _explain_failure(e, jwt, plan) from None
    # decode() returns the payload anyway: the remaining checks read that dict.
    payload = claims.to_dict()
    opts = plan.options
    if plan.python_time_checks or opts.get("strict_aud", False):
        _python_checks(payload, plan, engine_checked=True)
        return claims, payload
    # The engine checked the signature, iss, aud (when given), sub, require, the
    # times and the types of every registered claim; PyJWT also refuses these.
    for claim in opts["require"]:
        if payload.get(claim) is None:  # PyJWT counts a null claim as missing
            raise MissingRequiredClaimError(claim=claim)
    if opts["verify_aud"] and not plan.engine_checks_audience:
        _check_audience(payload, plan.audience, False, False)
    if opts["verify_jti"] and "jti" in payload and not isinstance(payload["jti"], str):
        raise InvalidJTIError("JWT ID must be a string")
    return claims, payload


__all__ = [
    "decode",
    "decode_complete",
    "encode",
    "get_unverified_header",
    "InsecureKeyLengthWarning",
    "MissingCryptographyError",
    "RemovedInPyjwt3Warning",
    "clear_cache",
    "PyJWTError",
    "InvalidTokenError",
    "DecodeError",
    "InvalidSignatureError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidIssuedAtError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidSubjectError",
    "InvalidJTIError",
    "InvalidAlgorithmError",
    "InvalidKeyError",
    "MissingRequiredClaimError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWK",
    "PyJWKSet",
    "PyJWKClient",
    "PyJWKClientError",
    "PyJWKClientConnectionError",
    "RemoteKeySet",
]
