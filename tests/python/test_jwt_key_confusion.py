"""Key confusion through tokenverify.jwt: an asymmetric key in any of the forms people
paste (PEM after a BOM, a comment line or openssl's "Bag Attributes", DER, OpenSSH with a
BOM) is never an HMAC secret -- an HS256 token "signed" with the key's own bytes is
refused with PyJWT's InvalidKeyError -- and the same key verifies its genuine tokens."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from typing import Callable, Dict

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from tokenverify import jwt as tvjwt
from conftest import KeyPair, claims, sign

PYJWT_MESSAGE = ("The specified key is an asymmetric key or x509 certificate and should not be used as an"
                 " HMAC secret.")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged_hs256(secret: bytes) -> str:
    """The attack: an HS256 token whose HMAC key is the (public) key's bytes as given."""
    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(
        json.dumps(claims(sub="mallory")).encode())
    return signing_input + "." + b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def certificate(k: KeyPair) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tokenverify test")])
    start = datetime.datetime(2020, 1, 1)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.public)
            .serial_number(1).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=36500))
            .sign(k.private, None if k.alg == "EdDSA" else hashes.SHA256()))


def with_bom(k: KeyPair) -> bytes:
    return b"\xef\xbb\xbf" + k.public_pem


def with_comment(k: KeyPair) -> bytes:
    return b"# signing key of https://issuer.test, rotated 2026-01\n" + k.public_pem


def with_bag_attributes(k: KeyPair) -> bytes:
    # What `openssl pkcs12 -in bundle.p12 -nokeys` writes before each certificate.
    pem = certificate(k).public_bytes(serialization.Encoding.PEM)
    return (b"Bag Attributes\n    localKeyID: 8F 1A 22 09 \n    friendlyName: signing\n"
            b"subject=CN = tokenverify test\nissuer=CN = tokenverify test\n" + pem)


def der_spki(k: KeyPair) -> bytes:
    return k.public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def der_certificate(k: KeyPair) -> bytes:
    return certificate(k).public_bytes(serialization.Encoding.DER)


def der_private_key(k: KeyPair) -> bytes:
    return k.private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())


def openssh_with_bom(k: KeyPair) -> bytes:
    return b"\xef\xbb\xbf  " + k.public.public_bytes(serialization.Encoding.OpenSSH,
                                                     serialization.PublicFormat.OpenSSH) + b" ops@example\n"


FORMS: Dict[str, Callable[[KeyPair], bytes]] = {
    "pem-bom": with_bom,
    "pem-comment-line": with_comment,
    "pem-bag-attributes": with_bag_attributes,
    "der-spki": der_spki,
    "der-certificate": der_certificate,
    "der-private-key": der_private_key,
    "openssh-bom": openssh_with_bom,
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_asymmetric_key_is_never_an_hmac_secret(alg: str, form: str, all_keys: Dict[str, KeyPair]) -> None:
    k = all_keys[alg]
    key = FORMS[form](k)
    forged = forged_hs256(key)
    for allowed in ([alg, "HS256"], ["HS256"]):
        with pytest.raises(tvjwt.InvalidKeyError) as info:
            tvjwt.decode(forged, key, algorithms=allowed, audience="my-api")
        assert str(info.value) == PYJWT_MESSAGE, allowed
    if not form.startswith("der"):
        with pytest.raises(tvjwt.InvalidKeyError):  # the same text as str
            tvjwt.decode(forged, key.decode("utf-8"), algorithms=[alg, "HS256"], audience="my-api")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_asymmetric_key_forms_verify_their_genuine_tokens(alg: str, form: str, all_keys: Dict[str, KeyPair]) -> None:
    k = all_keys[alg]
    key = FORMS[form](k)
    token = sign(k, claims())
    assert tvjwt.decode(token, key, algorithms=[alg, "HS256"], audience="my-api") == claims()
    if not form.startswith("der"):
        assert tvjwt.decode(token, key.decode("utf-8"), algorithms=[alg], audience="my-api") == claims()
    # ... and nothing else: a tampered signature is refused.
    head, payload, signature = token.split(".")
    tampered = ".".join([head, payload, ("A" if signature[0] != "A" else "B") + signature[1:]])
    with pytest.raises(tvjwt.InvalidSignatureError):
        tvjwt.decode(tampered, key, algorithms=[alg, "HS256"], audience="my-api")


def test_pem_marker_anywhere_refuses_the_secret() -> None:
    # PyJWT's rule: a PEM marker anywhere, not only at the start.
    text = b"prefix text, long enough for HS256 ......\n-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    with pytest.raises(tvjwt.InvalidKeyError) as info:
        tvjwt.decode(forged_hs256(text), text, algorithms=["HS256"], audience="my-api")
    assert str(info.value) == PYJWT_MESSAGE


def test_encrypted_der_private_key_is_never_an_hmac_secret(rsa_key: KeyPair) -> None:
    der = rsa_key.private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.BestAvailableEncryption(b"passphrase"))
    with pytest.raises(tvjwt.InvalidKeyError) as info:
        tvjwt.decode(forged_hs256(der), der, algorithms=["HS256"], audience="my-api")
    assert str(info.value) == PYJWT_MESSAGE


def test_ordinary_secrets_stay_secrets() -> None:
    # Secrets that merely look like DER's outline (a base64 text of 88 characters:
    # "0" = SEQUENCE, "V" = 86 bytes, "0" = SEQUENCE, "A" = 65 bytes) or mention a
    # key type keep working.
    der_like = b"0V0A" + b"x" * 84
    for secret in (b"\x30" + bytes(range(1, 40)), b"0" * 40, der_like, b"my ssh-rsa flavoured secret, 32+ bytes long"):
        token = forged_hs256(secret)
        assert tvjwt.decode(token, secret, algorithms=["HS256"], audience="my-api")["sub"] == "mallory"


@pytest.mark.parametrize("as_set", [False, True], ids=["jwk", "jwk-set"])
def test_jwk_json_text_is_never_an_hmac_secret(rsa_key: KeyPair, as_set: bool) -> None:
    # The JSON text of a public JWK is as public as the key: as a str/bytes key
    # it is read as the JWK it is, so the forgery is refused and the genuine
    # token verifies.
    jwk = dict(rsa_key.jwk, kid="k1")
    text = json.dumps({"keys": [jwk]} if as_set else jwk)
    with pytest.raises((tvjwt.InvalidKeyError, tvjwt.InvalidAlgorithmError)):
        tvjwt.decode(forged_hs256(text.encode()), text, algorithms=["HS256"], audience="my-api")
    with pytest.raises(tvjwt.InvalidTokenError):
        tvjwt.decode(forged_hs256(text.encode()), text, algorithms=["RS256", "HS256"], audience="my-api")
    genuine = sign(rsa_key, claims(), headers={"kid": "k1"})
    assert tvjwt.decode(genuine, text, algorithms=["RS256", "HS256"], audience="my-api")["sub"] == "alice"
