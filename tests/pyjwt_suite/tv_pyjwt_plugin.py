"""A pytest plugin that runs PyJWT's own test suite with JWT decoding routed to
tokenverify.jwt (issue 17). Loaded by tests/pyjwt_suite/run.py as
`-p tv_pyjwt_plugin`; it is configured through environment variables:

  TV_PYJWT_MODE    "as-written": the tests' calls go to tokenverify unchanged;
                   "no-min-key-length": every routed call also gets PyJWT's own
                   option enforce_minimum_key_length: False (unless the test set it).
                   "padded-secrets": as no-min-key-length, and short HMAC
                   secrets zero-padded to 64 bytes (the same HMAC key): for
                   diagnosis only, never counted as passing.
  TV_PYJWT_CLIENT  "1": PyJWKClient is tokenverify.jwt's (for test_jwks_client.py).
  TV_PYJWT_REPORT  where to write the per-test results (JSON lines).

What is routed: PyJWT.decode / PyJWT.decode_complete (so PyJWT() instances and
subclasses) and the module functions jwt.decode / jwt.decode_complete. Encoding,
PyJWS, PyJWK and the algorithms stay PyJWT's. An exception of tokenverify is
re-raised as the PyJWT class of the same name (the first name along its class
hierarchy that PyJWT has), with the same message, chained to the original; a
warning of tokenverify is re-issued as PyJWT's class of the same name.

Each test records how many calls reached tokenverify: a test with none is not
applicable (it tests something else: encoding, PyJWS, the algorithms). Tests
listed in NOT_APPLICABLE are skipped with the reason: they replace or call PyJWT's
internals, which tokenverify does not have.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from typing import Any, Callable, Dict, List, Optional

import pytest

# test id (file::class::name, without parameters) -> why it does not apply to tokenverify.
NOT_APPLICABLE: Dict[str, str] = {
    "tests/test_api_jwt.py::TestJWT::test_decode_payload_recursion_error_throws_decode_error":
        "mocks jwt.api_jwt.json.loads, PyJWT's own JSON parsing (the engine parses the payload)",
    "tests/test_api_jwt.py::TestJWT::test_validate_iss_with_container_of_str":
        "calls PyJWT's private PyJWT._validate_iss",
    "tests/test_api_jwt.py::TestJWT::test_validate_iss_with_non_str":
        "calls PyJWT's private PyJWT._validate_iss",
    "tests/test_api_jwt.py::TestJWT::test_validate_iss_with_non_str_issuer":
        "calls PyJWT's private PyJWT._validate_iss",
    "tests/test_compressed_jwt.py::test_decodes_complete_valid_jwt_with_compressed_payload":
        "overrides PyJWT._decode_payload to inflate a compressed payload (not a JWT, RFC 7519 §7.2)",
}
# test_jwks_client.py with tokenverify's PyJWKClient: these replace PyJWT's
# transport (urllib.request.build_opener), call its redirect handler, or reach
# into its cache object; tokenverify's client fetches with the engine.
_TRANSPORT = ("replaces urllib.request.build_opener, PyJWT's transport, to serve the key set; tokenverify's "
              "client reads the set the engine fetched (libcurl), which the mock does not reach "
              "(tests/python/test_jwks_client.py tests tokenverify's client against a real server)")
_CACHE = _TRANSPORT + ", and reads PyJWT's jwk_set_cache (a JWKSetCache object)"
_CLOCK = _TRANSPORT + ", and mocks jwt.jwks_client.time.monotonic"
NOT_APPLICABLE_CLIENT: Dict[str, str] = {
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwk_set": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_signing_keys": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_signing_keys_if_no_use_provided": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_signing_keys_raises_if_none_found": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_signing_key": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_signing_key_caches_result": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_signing_key_does_not_cache_opt_out": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_signing_key_from_jwt": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwk_set_returns_pyjwkset_cached_by_the_client": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwk_set_raises_when_endpoint_does_not_return_an_object": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwt_set_cache_expired_result": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_failed_request_should_raise_connection_error": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_incomplete_read_should_raise_connection_error": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwt_set_refresh_cache": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwt_set_no_matching_kid_after_second_attempt": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_unknown_kid_refresh_is_cooled_down": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_unknown_kid_refresh_ignores_cooldown_when_cache_disabled": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwt_set_timeout": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_http_error_is_closed_on_connection_failure": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwk_set_caches_result": _CACHE,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwk_set_accepts_externally_cached_pyjwkset": _CACHE,
    "tests/test_jwks_client.py::TestPyJWKClient::test_client_caches_the_parsed_jwk_set": _CACHE,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwk_set_reuses_the_cached_instance": _CACHE,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwt_set_cache_disabled": _CACHE,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwt_set_failed_refresh_preserves_cached_jwks": _CACHE,
    "tests/test_jwks_client.py::TestPyJWKClient::test_unknown_kid_refresh_runs_again_after_cooldown": _CLOCK,
    "tests/test_jwks_client.py::TestPyJWKClient::test_unknown_kid_refresh_serializes_concurrent_misses": _CLOCK,
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_signing_key_from_jwt_rejects_payload_recursion_error": _TRANSPORT + ", and mocks jwt.api_jwt.json.loads",
    "tests/test_jwks_client.py::TestPyJWKClient::test_fetch_data_override_result_is_cached": "subclasses PyJWKClient to override fetch_data, which PyJWT's get_jwk_set calls; tokenverify's reads the engine's set",
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwt_set_sslcontext_default": _TRANSPORT + ", to see the ssl_context reach urllib's handlers",
    "tests/test_jwks_client.py::TestPyJWKClient::test_get_jwt_set_sslcontext_no_ca": _TRANSPORT,
    "tests/test_jwks_client.py::TestPyJWKClient::test_fetch_data_forwards_headers_to_correct_url":
        _TRANSPORT + ", to see the headers reach urllib's Request (tests/python/test_jwks_client.py sees them "
        "reach a real server, from the engine's fetches and fetch_data)",
}

MODE = os.environ.get("TV_PYJWT_MODE", "as-written")
CLIENT = os.environ.get("TV_PYJWT_CLIENT") == "1"
REPORT = os.environ.get("TV_PYJWT_REPORT")

_calls = 0  # calls that reached tokenverify during the current test
_mapped: Dict[str, int] = {}  # "ours -> PyJWT's" exception names, for the report


def _pyjwt_class(pyjwt_exceptions: Any, error: BaseException) -> Optional[type]:
    from tokenverify import jwt as tv

    aliases = {"TokenVerifyError": "PyJWTError", "KeysUnavailableError": "PyJWKClientConnectionError",
               "KeySetError": "PyJWKClientError", "InvalidJWKError": "PyJWKError"}
    for cls in type(error).__mro__:
        if cls is Exception or not issubclass(cls, tv.TokenVerifyError):
            break
        name = aliases.get(cls.__name__, cls.__name__)
        target = getattr(pyjwt_exceptions, name, None)
        if isinstance(target, type):
            return target
    return None


def _translate(error: BaseException) -> BaseException:
    """tokenverify's exception as PyJWT's class of the same name."""
    import jwt.exceptions as pyjwt_exceptions

    target = _pyjwt_class(pyjwt_exceptions, error)
    if target is None:
        return error
    _mapped["%s -> %s" % (type(error).__name__, target.__name__)] = _mapped.get(
        "%s -> %s" % (type(error).__name__, target.__name__), 0) + 1
    if target is pyjwt_exceptions.MissingRequiredClaimError:
        return target(getattr(error, "claim", None) or str(error))
    return target(str(error))


def _padded_secret(args: tuple, kwargs: Dict[str, Any]) -> tuple:
    """For diagnosis only: a short HMAC secret zero-padded to 64 bytes, the same HMAC
    key (RFC 2104 pads every key shorter than the hash's block with zeros), so the
    tests behind the short-secret refusal show what else fails."""
    from tokenverify import _asymmetric_keys

    if (kwargs.get("options") or {}).get("enforce_minimum_key_length"):
        return args, kwargs
    key = kwargs.get("key", args[1] if len(args) > 1 else None)
    inner = getattr(key, "key", None) if hasattr(key, "algorithm_name") else None
    secret = inner if inner is not None else key
    if isinstance(secret, str):
        secret = secret.encode()
    if not isinstance(secret, bytes) or len(secret) >= 64 or _asymmetric_keys.is_asymmetric(secret):
        return args, kwargs
    if secret.lstrip().startswith(b"{"):
        return args, kwargs  # JWK text
    padded = secret + b"\0" * (64 - len(secret))
    if inner is not None:
        return args, kwargs  # a PyJWK: left as it is
    if "key" in kwargs:
        kwargs = dict(kwargs, key=padded)
    else:
        args = (args[0], padded) + tuple(args[2:])
    return args, kwargs


def _route(function: Callable[..., Any]) -> Callable[..., Any]:
    """Calls |function| (tokenverify.jwt's), counting the call and translating its
    exceptions and warnings to PyJWT's classes."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        global _calls
        import jwt.warnings as pyjwt_warnings

        from tokenverify import TokenVerifyError

        _calls += 1
        if MODE == "padded-secrets":
            args, kwargs = _padded_secret(args, kwargs)
        if MODE in ("no-min-key-length", "padded-secrets"):
            options = dict(kwargs.get("options") or {})
            options.setdefault("enforce_minimum_key_length", False)
            kwargs["options"] = options
        error: Optional[BaseException] = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = function(*args, **kwargs)
            except TokenVerifyError as e:
                error = e
        for w in caught:  # outside catch_warnings: the test's own filters apply
            category = getattr(pyjwt_warnings, w.category.__name__, w.category)
            warnings.warn_explicit(str(w.message), category, w.filename, w.lineno)
        if error is not None:
            raise _translate(error) from error
        return result

    return call


def _install() -> None:
    import jwt
    import jwt.api_jwt

    from tokenverify import jwt as tv

    routed_decode = _route(tv.decode)
    routed_decode_complete = _route(tv.decode_complete)
    original_init = jwt.api_jwt.PyJWT.__init__

    def init(self: Any, options: Any = None) -> None:
        original_init(self, options)
        # The options given to the constructor, which PyJWT merges into every call.
        self._tv_options = dict(options) if options is not None else None

    def with_instance_options(self: Any, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        own = getattr(self, "_tv_options", None)
        if own:
            kwargs["options"] = dict(own, **(kwargs.get("options") or {}))
        return kwargs

    _PARAMS = ("key", "algorithms", "options", "verify", "detached_payload", "audience", "issuer", "subject",
               "leeway")

    def as_keywords(args: tuple, kwargs: Dict[str, Any], order: tuple) -> Dict[str, Any]:
        named = dict(zip(order, args))
        named.update(kwargs)
        if named.get("detached_payload") is None:
            named.pop("detached_payload", None)
        return named

    def method(routed: Callable[..., Any], order: tuple) -> Callable[..., Any]:
        def bound(self: Any, token: Any, *args: Any, **kwargs: Any) -> Any:
            return routed(token, **with_instance_options(self, as_keywords(args, kwargs, order)))
        return bound

    decode_order = ("key", "algorithms", "options", "verify", "detached_payload", "audience", "subject",
                    "issuer", "leeway")
    complete_order = _PARAMS
    jwt.api_jwt.PyJWT.__init__ = init
    jwt.api_jwt.PyJWT.decode = method(routed_decode, decode_order)
    jwt.api_jwt.PyJWT.decode_complete = method(routed_decode_complete, complete_order)

    def module_function(routed: Callable[..., Any], order: tuple) -> Callable[..., Any]:
        def function(token: Any, *args: Any, **kwargs: Any) -> Any:
            return routed(token, **as_keywords(args, kwargs, order))
        return function

    for module in (jwt, jwt.api_jwt):
        module.decode = module_function(routed_decode, decode_order)
        module.decode_complete = module_function(routed_decode_complete, complete_order)
    if CLIENT:
        import jwt.jwks_client

        class Client:
            """tokenverify's client, its exceptions raised as PyJWT's classes."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                global _calls
                _calls += 1
                try:
                    self._client = tv.PyJWKClient(*args, **kwargs)
                except tv.TokenVerifyError as e:
                    raise _translate(e) from e

            def __getattr__(self, name: str) -> Any:
                value = getattr(self._client, name)
                if not callable(value):
                    return value

                @functools.wraps(value)
                def call(*args: Any, **kwargs: Any) -> Any:
                    try:
                        return value(*args, **kwargs)
                    except tv.TokenVerifyError as e:
                        raise _translate(e) from e
                return call

        client = Client

        jwt.PyJWKClient = client
        jwt.jwks_client.PyJWKClient = client


def pytest_configure(config: pytest.Config) -> None:
    # Before collection: the test modules import these names.
    _install()


def _base_id(nodeid: str) -> str:
    return nodeid.split("[", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    reasons = dict(NOT_APPLICABLE, **(NOT_APPLICABLE_CLIENT if CLIENT else {}))
    for item in items:
        reason = reasons.get(_base_id(item.nodeid))
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason="not applicable to tokenverify: " + reason))


def pytest_runtest_setup(item: pytest.Item) -> None:
    global _calls
    _calls = 0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        error = ""
        cause = ""
        if call.excinfo is not None:
            exc = call.excinfo.value
            error = "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
            def inner(e: BaseException) -> Optional[BaseException]:
                return e.__cause__ if e.__cause__ is not None or e.__suppress_context__ else e.__context__

            original: Optional[BaseException] = exc
            while original is not None:  # the innermost exception of tokenverify, when there is one
                if type(original).__module__.startswith("tokenverify"):
                    cause = "%s(%s): %s" % (type(original).__name__, getattr(original, "name", ""),
                                           str(original).splitlines()[0] if str(original) else "")
                original = inner(original)
        skipped_reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            skipped_reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        record = {"test": item.nodeid, "outcome": report.outcome, "calls": _calls, "error": error,
                  "tokenverify_error": cause, "skipped": skipped_reason}
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")


def pytest_unconfigure(config: pytest.Config) -> None:
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as f:
            f.write(json.dumps({"mapped_exceptions": _mapped}) + "\n")
