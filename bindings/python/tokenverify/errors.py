"""Exceptions of tokenverify, one class per kind of failure a caller acts on.

Every status in the library's table (core/include/tokenverify/status.def) maps
to a class through ``_CLASS_BY_NAME`` below; a status missing from it (a newer
library) falls back to a class chosen by its range. Each instance carries the
numeric ``code`` and the ``name`` ("TV_ERR_EXPIRED"); configuration errors also
carry ``field`` (e.g. "providers[0].issuer") and ``detail``.

The hierarchy mirrors PyJWT's, and the classes reuse PyJWT's names where the
meaning matches, so ``except jwt.ExpiredSignatureError`` style code keeps
working after ``from tokenverify import jwt``. Like PyJWT's, they are plain
``Exception`` subclasses.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple, Type

from . import _tokenverify

# code -> (name, message), from the loaded library itself.
_STATUS_BY_CODE: Dict[int, Tuple[str, str]] = {code: (name, message) for code, name, message in _tokenverify.status_table()}
_CODE_BY_NAME: Dict[str, int] = {name: code for code, (name, _) in _STATUS_BY_CODE.items()}


class TokenVerifyError(Exception):
    """Base of every tokenverify error (PyJWT: PyJWTError)."""

    #: status used when the class is raised by Python code without a code
    default_status = "TV_ERR_INTERNAL"

    code: int
    name: str
    # Class-level defaults: the extension creates instances without running
    # __init__ and sets only what a status gives.
    field: Optional[str] = None
    detail: Optional[str] = None

    def __init__(
        self,
        message: Optional[str] = None,
        code: Optional[int] = None,
        name: Optional[str] = None,
        field: Optional[str] = None,
        detail: Optional[str] = None,
    ) -> None:
        if code is None:
            code = _CODE_BY_NAME.get(name or self.default_status, _CODE_BY_NAME["TV_ERR_INTERNAL"])
        if name is None:
            name = _STATUS_BY_CODE.get(code, ("TV_UNKNOWN_STATUS", ""))[0]
        if message is None:
            message = _STATUS_BY_CODE.get(code, ("", "unknown status %d" % code))[1]
        super().__init__(message)
        self.code = code
        self.name = name
        self.field = field
        self.detail = detail

    def __str__(self) -> str:
        text = super().__str__()
        if self.field and self.detail:
            return "%s: %s: %s" % (text, self.field, self.detail)
        if self.detail:
            return "%s: %s" % (text, self.detail)
        return text


class InvalidTokenError(TokenVerifyError):
    """The token is not acceptable: every failure of verify() that is about the token."""

    default_status = "TV_ERR_MALFORMED_TOKEN"


class DecodeError(InvalidTokenError):
    """The token is malformed: structure, base64url, JSON, header members (1xx, some 2xx)."""

    default_status = "TV_ERR_MALFORMED_TOKEN"


class InvalidSignatureError(DecodeError):
    """The signature does not verify, or has the wrong length (3xx)."""

    default_status = "TV_ERR_SIGNATURE_INVALID"


class ExpiredSignatureError(InvalidTokenError):
    """exp is in the past (beyond the leeway)."""

    default_status = "TV_ERR_EXPIRED"


class TokenTooOldError(ExpiredSignatureError):
    """iat is older than the provider's maxTokenAge."""

    default_status = "TV_ERR_TOKEN_TOO_OLD"


class ImmatureSignatureError(InvalidTokenError):
    """nbf, or iat, is in the future (beyond the leeway)."""

    default_status = "TV_ERR_NOT_YET_VALID"


class InvalidIssuedAtError(InvalidTokenError):
    """iat is not a valid NumericDate (raised by tokenverify.jwt for PyJWT parity)."""

    default_status = "TV_ERR_MALFORMED_CLAIM"


class InvalidAudienceError(InvalidTokenError):
    """aud is missing or names none of the accepted audiences."""

    default_status = "TV_ERR_AUDIENCE_MISMATCH"


class InvalidIssuerError(InvalidTokenError):
    """iss is missing or is not an accepted issuer."""

    default_status = "TV_ERR_ISSUER_MISMATCH"


class InvalidSubjectError(InvalidTokenError):
    """sub is missing or is not the required subject."""

    default_status = "TV_ERR_SUBJECT_MISMATCH"


class InvalidJTIError(InvalidTokenError):
    """jti is present but not a string (raised by tokenverify.jwt for PyJWT parity)."""

    default_status = "TV_ERR_MALFORMED_CLAIM"


class RevokedTokenError(InvalidTokenError):
    """The token was revoked: its jti, or its subject before its iat (Verifier.revoke*, revocation.redis)."""

    default_status = "TV_ERR_REVOKED"


class InvalidClaimError(InvalidTokenError):
    """A claim matcher found the claim missing or with none of its accepted values."""

    default_status = "TV_ERR_CLAIM_MISMATCH"


class InvalidTypeError(InvalidTokenError):
    """The typ header is not the required type."""

    default_status = "TV_ERR_TYP_MISMATCH"


class InvalidAlgorithmError(InvalidTokenError):
    """alg is missing, none, unsupported, or not allowed."""

    default_status = "TV_ERR_ALG_NOT_ALLOWED"


class MissingRequiredClaimError(InvalidTokenError):
    """A required claim is absent. ``claim`` names it when known.

    As in PyJWT, ``MissingRequiredClaimError("exp")`` (the claim alone) names the
    claim: ``.claim == "exp"`` and ``str(e) == 'Token is missing the "exp" claim'``."""

    default_status = "TV_ERR_MISSING_CLAIM"

    claim: Optional[str] = None

    def __init__(
        self,
        message: Optional[str] = None,
        code: Optional[int] = None,
        name: Optional[str] = None,
        field: Optional[str] = None,
        detail: Optional[str] = None,
        claim: Optional[str] = None,
    ) -> None:
        pyjwt_form = claim is None and message is not None and code is None and name is None \
            and field is None and detail is None
        if pyjwt_form:
            claim = message  # PyJWT's signature: the only argument is the claim
        if claim is not None and (message is None or pyjwt_form):
            message = 'Token is missing the "%s" claim' % claim
        super().__init__(message, code, name, field, detail)
        self.claim = claim
        if pyjwt_form:
            self.args = (claim,)  # as PyJWT's: repr() shows the claim, and pickling rebuilds it

    def __str__(self) -> str:
        if self.args == (self.claim,) and self.claim is not None:
            return 'Token is missing the "%s" claim' % self.claim
        return super().__str__()


class KeyNotFoundError(InvalidTokenError):
    """No key can verify the token: unknown kid, or no key compatible with its alg."""

    default_status = "TV_ERR_KID_NOT_FOUND"


class InvalidKeyError(InvalidTokenError):
    """The token's key cannot be used for its alg, or its use/key_ops forbid verifying."""

    default_status = "TV_ERR_KEY_ALG_MISMATCH"


class KeySetError(TokenVerifyError):
    """A key set is unusable: malformed, duplicate kids, mixed kinds (PyJWT: PyJWKSetError)."""

    default_status = "TV_ERR_JWKS_MALFORMED"


class InvalidJWKError(KeySetError):
    """One key's parameters are invalid or too weak (PyJWT: PyJWKError)."""

    default_status = "TV_ERR_JWK_INVALID"


class KeysUnavailableError(KeySetError):
    """The provider has no usable keys yet (e.g. a remote key set not fetched)."""

    default_status = "TV_ERR_KEYS_UNAVAILABLE"


class CredentialError(TokenVerifyError):
    """A request's credential was refused (``Verifier.authenticate``): the 6xx statuses."""

    default_status = "TV_ERR_BAD_CREDENTIALS"


class MissingCredentialError(CredentialError):
    """The request carries no credential where its rule looks for one."""

    default_status = "TV_ERR_CREDENTIAL_MISSING"


class MalformedCredentialError(CredentialError):
    """The credential is malformed, or present more than once."""

    default_status = "TV_ERR_MALFORMED_CREDENTIAL"


class InvalidCredentialError(CredentialError):
    """Unknown user or wrong password; an API key or bearer token that is not configured."""

    default_status = "TV_ERR_BAD_CREDENTIALS"


class RequestSignatureError(CredentialError):
    """A request signature that does not verify, is outside its window, or was replayed."""

    default_status = "TV_ERR_REQUEST_SIGNATURE_INVALID"


class RequestRejectedError(CredentialError):
    """The request itself is refused: no rule matches, a malformed target, a body over the cap."""

    default_status = "TV_ERR_MALFORMED_REQUEST"


class ConfigurationError(TokenVerifyError):
    """The configuration document is invalid; ``field`` names the place."""

    default_status = "TV_ERR_CONFIG"


class ConfigurationIOError(ConfigurationError):
    """A file named in the configuration could not be read."""

    default_status = "TV_ERR_IO"


class InvalidArgumentError(TokenVerifyError):
    """The library was called with an invalid argument."""

    default_status = "TV_ERR_INVALID_ARGUMENT"


class RevocationsFullError(TokenVerifyError):
    """The revocation list holds revocation.maxEntries live entries: the revocation was not recorded."""

    default_status = "TV_ERR_REVOCATIONS_FULL"


class ClaimAccessError(TokenVerifyError):
    """A claim accessor found the claim absent or of another JSON type."""

    default_status = "TV_ERR_NOT_FOUND"


class InternalError(TokenVerifyError):
    """The library failed internally (a bug, or out of memory)."""

    default_status = "TV_ERR_INTERNAL"


# Hand-kept: every status name in status.def → its class. A test checks that
# every status the library reports is listed here.
_CLASS_BY_NAME: Dict[str, Type[TokenVerifyError]] = {
    "TV_ERR_TOKEN_TOO_LARGE": DecodeError,
    "TV_ERR_MALFORMED_TOKEN": DecodeError,
    "TV_ERR_BAD_BASE64URL": DecodeError,
    "TV_ERR_MALFORMED_JSON": DecodeError,
    "TV_ERR_JSON_NOT_OBJECT": DecodeError,
    "TV_ERR_DUPLICATE_MEMBER": DecodeError,
    "TV_ERR_JSON_TOO_DEEP": DecodeError,
    "TV_ERR_INVALID_UTF8": DecodeError,
    "TV_ERR_MALFORMED_CLAIM": DecodeError,
    "TV_ERR_JSON_BOM": DecodeError,
    "TV_ERR_EMPTY_SIGNATURE": InvalidSignatureError,
    "TV_ERR_MISSING_ALG": InvalidAlgorithmError,
    "TV_ERR_ALG_NONE": InvalidAlgorithmError,
    "TV_ERR_ALG_UNSUPPORTED": InvalidAlgorithmError,
    "TV_ERR_ALG_NOT_ALLOWED": InvalidAlgorithmError,
    "TV_ERR_CRIT_UNSUPPORTED": DecodeError,
    "TV_ERR_B64_UNSUPPORTED": DecodeError,
    "TV_ERR_MALFORMED_HEADER": DecodeError,
    "TV_ERR_TYP_MISMATCH": InvalidTypeError,
    "TV_ERR_SIGNATURE_INVALID": InvalidSignatureError,
    "TV_ERR_SIGNATURE_LENGTH": InvalidSignatureError,
    "TV_ERR_EXPIRED": ExpiredSignatureError,
    "TV_ERR_NOT_YET_VALID": ImmatureSignatureError,
    "TV_ERR_ISSUED_IN_FUTURE": ImmatureSignatureError,
    "TV_ERR_TOKEN_TOO_OLD": TokenTooOldError,
    "TV_ERR_ISSUER_MISMATCH": InvalidIssuerError,
    "TV_ERR_AUDIENCE_MISMATCH": InvalidAudienceError,
    "TV_ERR_SUBJECT_MISMATCH": InvalidSubjectError,
    "TV_ERR_MISSING_CLAIM": MissingRequiredClaimError,
    "TV_ERR_CLAIM_MISMATCH": InvalidClaimError,
    "TV_ERR_REVOKED": RevokedTokenError,
    "TV_ERR_KID_NOT_FOUND": KeyNotFoundError,
    "TV_ERR_KEY_ALG_MISMATCH": InvalidKeyError,
    "TV_ERR_KEY_USE_MISMATCH": InvalidKeyError,
    "TV_ERR_NO_MATCHING_KEY": KeyNotFoundError,
    "TV_ERR_JWKS_MALFORMED": KeySetError,
    "TV_ERR_JWK_INVALID": InvalidJWKError,
    "TV_ERR_JWK_WEAK": InvalidJWKError,
    "TV_ERR_JWKS_DUPLICATE_KID": KeySetError,
    "TV_ERR_JWKS_MIXED": KeySetError,
    "TV_ERR_KEYS_UNAVAILABLE": KeysUnavailableError,
    "TV_ERR_KEYS_STALE": KeysUnavailableError,  # the last good set outlived maxStale: no keys either
    # No kid, and the key may be among the compatible keys the bound left untried.
    "TV_ERR_TOO_MANY_CANDIDATE_KEYS": KeyNotFoundError,
    "TV_ERR_CREDENTIAL_MISSING": MissingCredentialError,
    "TV_ERR_MALFORMED_CREDENTIAL": MalformedCredentialError,
    "TV_ERR_BAD_CREDENTIALS": InvalidCredentialError,
    "TV_ERR_UNKNOWN_KEY": InvalidCredentialError,
    "TV_ERR_REQUEST_SIGNATURE_INVALID": RequestSignatureError,
    "TV_ERR_TIMESTAMP_OUT_OF_WINDOW": RequestSignatureError,
    "TV_ERR_REPLAYED_REQUEST": RequestSignatureError,
    "TV_ERR_DUPLICATE_CREDENTIAL": MalformedCredentialError,
    "TV_ERR_NO_MATCHING_RULE": RequestRejectedError,
    "TV_ERR_MALFORMED_REQUEST": RequestRejectedError,
    "TV_ERR_BODY_TOO_LARGE": RequestRejectedError,
    "TV_ERR_REPLAY_CACHE_FULL": RequestSignatureError,
    "TV_ERR_PROVIDER_NOT_ALLOWED": InvalidCredentialError,
    "TV_ERR_INVALID_ARGUMENT": InvalidArgumentError,
    "TV_ERR_CONFIG": ConfigurationError,
    "TV_ERR_IO": ConfigurationIOError,
    "TV_ERR_NOT_FOUND": ClaimAccessError,
    "TV_ERR_WRONG_TYPE": ClaimAccessError,
    "TV_ERR_REVOCATIONS_FULL": RevocationsFullError,
    "TV_ERR_OUT_OF_MEMORY": InternalError,
    "TV_ERR_INTERNAL": InternalError,
}

# A status this file does not list yet (a newer library): the class of its range.
_CLASS_BY_RANGE: Dict[int, Type[TokenVerifyError]] = {
    1: DecodeError,
    2: DecodeError,
    3: InvalidSignatureError,
    4: InvalidTokenError,
    5: KeySetError,
    6: CredentialError,
}


def error_class(code: int) -> Type[TokenVerifyError]:
    """The exception class for status ``code``."""
    name = _STATUS_BY_CODE.get(code, ("TV_UNKNOWN_STATUS", ""))[0]
    cls = _CLASS_BY_NAME.get(name)
    if cls is not None:
        return cls
    return _CLASS_BY_RANGE.get(code // 100, TokenVerifyError)


# The extension raises from this table without calling into Python.
_tokenverify._set_error_classes([error_class(code) for code in range(1000)])

__all__ = [
    "TokenVerifyError",
    "InvalidTokenError",
    "DecodeError",
    "InvalidSignatureError",
    "ExpiredSignatureError",
    "TokenTooOldError",
    "ImmatureSignatureError",
    "InvalidIssuedAtError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidSubjectError",
    "InvalidJTIError",
    "InvalidClaimError",
    "RevokedTokenError",
    "InvalidTypeError",
    "InvalidAlgorithmError",
    "MissingRequiredClaimError",
    "KeyNotFoundError",
    "InvalidKeyError",
    "KeySetError",
    "InvalidJWKError",
    "KeysUnavailableError",
    "CredentialError",
    "MissingCredentialError",
    "MalformedCredentialError",
    "InvalidCredentialError",
    "RequestSignatureError",
    "RequestRejectedError",
    "ConfigurationError",
    "ConfigurationIOError",
    "InvalidArgumentError",
    "RevocationsFullError",
    "ClaimAccessError",
    "InternalError",
    "error_class",
]
