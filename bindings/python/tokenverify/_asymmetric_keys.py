"""Which str/bytes keys given to ``tokenverify.jwt.decode`` are asymmetric keys,
and the clean PEM the engine reads for them.

An asymmetric key is public: anyone can "sign" an HS256 token with its bytes as
the HMAC secret. So a key that looks asymmetric in any way -- a PEM block
anywhere in the text (after a UTF-8 BOM, comment lines, the "Bag Attributes"
that ``openssl pkcs12`` writes), a DER public key, certificate or private key,
an OpenSSH public key -- is never an HMAC secret, and the same forms verify
their genuine tokens.
"""

from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from .errors import InvalidKeyError

_BOM = b"\xef\xbb\xbf"
# Any PEM-style BEGIN marker refuses the key as a secret, even one without its
# END line or with PyJWT's tolerated variants ("---- BEGIN X ----").
_PEM_BEGIN = re.compile(rb"----[- ]BEGIN [A-Z0-9 ]+[- ]----")
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)
_BASE64_BODY = re.compile(rb"[A-Za-z0-9+/=\s]+")
# The blocks the engine reads itself; private keys go through cryptography.
_ENGINE_LABELS = (b"PUBLIC KEY", b"RSA PUBLIC KEY", b"CERTIFICATE")
# OpenSSH public key types (cryptography's list, with the FIDO "sk-" forms).
_SSH_TYPES = (
    b"ssh-ed25519",
    b"ssh-ed448",
    b"ssh-rsa",
    b"ssh-dss",
    b"ecdsa-sha2-nistp256",
    b"ecdsa-sha2-nistp384",
    b"ecdsa-sha2-nistp521",
    b"sk-ecdsa-sha2-nistp256@openssh.com",
    b"sk-ssh-ed25519@openssh.com",
)
_ASYMMETRIC_MESSAGE = (
    "The specified key is an asymmetric key or x509 certificate and should not be used as an HMAC secret."
)


def is_asymmetric(key: bytes) -> bool:
    """True when |key| must never serve as an HMAC secret."""
    return bool(_PEM_BEGIN.search(key)) or _ssh_line(key) is not None or _is_der_key(key)


def refuse_as_secret() -> InvalidKeyError:
    """PyJWT's exception (and message) for an asymmetric key given for an HMAC algorithm."""
    return InvalidKeyError(_ASYMMETRIC_MESSAGE)


def engine_pem(key: bytes) -> str:
    """PEM text the engine reads for the asymmetric |key| (is_asymmetric(key) is true):
    its public-key and certificate blocks as they are, without what surrounds them;
    a private key, DER or OpenSSH key as its SubjectPublicKeyInfo (through cryptography)."""
    blocks = _pem_blocks(key)
    readable = [pem for label, pem in blocks if label in _ENGINE_LABELS]
    if readable:
        return "".join(readable)
    serialization = _cryptography_serialization()
    for _, pem in blocks:
        try:
            return spki_pem(serialization.load_pem_private_key(pem.encode("ascii"), password=None))
        except Exception:  # noqa: BLE001 - cryptography raises several kinds for keys it cannot read
            continue
    ssh = _ssh_line(key)
    if ssh is not None:
        try:
            return spki_pem(serialization.load_ssh_public_key(ssh))
        except Exception as e:  # noqa: BLE001
            raise InvalidKeyError("could not parse the OpenSSH public key: %s" % e) from None
    der = _load_der(key)
    if der is not None:
        return der
    raise InvalidKeyError("could not parse the key as a PEM, DER or OpenSSH public key")


def spki_pem(key: Any) -> str:
    """SubjectPublicKeyInfo PEM of a cryptography key object (a private key gives its public half)."""
    from cryptography.hazmat.primitives import serialization

    if hasattr(key, "public_key"):
        key = key.public_key()
    if not hasattr(key, "public_bytes"):
        raise InvalidKeyError("unsupported key type %s" % type(key).__name__)
    try:
        pem: bytes = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, TypeError) as e:
        raise InvalidKeyError("cannot export the key: %s" % e) from e
    return pem.decode("ascii")


# ---------------------------------------------------------------- the forms


def _pem_blocks(key: bytes) -> List[Tuple[bytes, str]]:
    """(label, block) for each complete PEM block, rebuilt from its base64 alone:
    whatever precedes, follows or sits between blocks (BOM, comments, Bag
    Attributes, CRLF) is left out. Blocks with RFC 1421 headers are kept verbatim."""
    out = []
    for match in _PEM_BLOCK.finditer(key):
        label, body = match.group(1), match.group(2)
        if _BASE64_BODY.fullmatch(body):
            text = b"".join(body.split())
            lines = [text[i:i + 64] for i in range(0, len(text), 64)]
            block = b"-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, b"\n".join(lines), label)
        else:
            block = match.group(0) + b"\n"
        out.append((label, block.decode("ascii")))
    return out


def _ssh_line(key: bytes) -> Optional[bytes]:
    """The OpenSSH public key line of |key|, past a BOM, blank lines and '#' comments."""
    text = key[len(_BOM):] if key.startswith(_BOM) else key
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(b"#"):
            continue
        return line if line.startswith(_SSH_TYPES) else None
    return None


def _cryptography_serialization() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:  # pragma: no cover - exercised only without cryptography
        raise InvalidKeyError("private PEM, DER and OpenSSH keys need the 'cryptography' package") from None
    return serialization


def _load_der(key: bytes) -> Optional[str]:
    """PEM for a DER public key (SubjectPublicKeyInfo or PKCS#1), certificate or
    private key; None when cryptography reads none of them from |key|."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        return None
    try:
        return spki_pem(serialization.load_der_public_key(key))
    except Exception:  # noqa: BLE001
        pass
    try:
        cert = x509.load_der_x509_certificate(key)
        return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    except Exception:  # noqa: BLE001
        pass
    try:
        return spki_pem(serialization.load_der_private_key(key, password=None))
    except Exception:  # noqa: BLE001
        return None


def _is_der_key(key: bytes) -> bool:
    """A DER public key, certificate or private key (encrypted ones too), as
    cryptography reads it; without cryptography nothing can be ruled out, so
    anything of DER's shape counts."""
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        return _der_shaped(key)
    if _load_der(key) is not None:
        return True
    try:
        serialization.load_der_private_key(key, password=None)
    except TypeError:
        return True  # "password was not given but private key is encrypted"
    except Exception:  # noqa: BLE001
        pass
    return False


def _der_shaped(key: bytes) -> bool:
    """DER keys and certificates are one ASN.1 SEQUENCE spanning the whole input
    whose first member is a SEQUENCE or an INTEGER. Some text secrets have that
    shape too (about one base64 secret of 88 characters in a million), which is
    why this is only the fallback without cryptography."""
    outer = _der_header(key, 0)
    if outer is None or key[0] != 0x30 or outer[1] != len(key):
        return False
    inner = _der_header(key, outer[0])
    return inner is not None and key[outer[0]] in (0x30, 0x02) and inner[1] <= len(key)


def _der_header(data: bytes, at: int) -> Optional[Tuple[int, int]]:
    """(where the content starts, where it ends) of the DER element at |at|."""
    if at + 2 > len(data):
        return None
    first = data[at + 1]
    if first < 0x80:
        return at + 2, at + 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or at + 2 + count > len(data) or data[at + 2] == 0:
        return None  # indefinite, too long, or not minimal: not DER
    length = int.from_bytes(data[at + 2:at + 2 + count], "big")
    if length < 0x80:
        return None
    return at + 2 + count, at + 2 + count + length


# ---------------------------------------------------------------- elliptic curves

# cryptography's curve names (the ones PyJWT's messages use) for each ES algorithm and JWK crv.
EC_CURVE_BY_ALG = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1", "ES256K": "secp256k1"}
_EC_CURVE_BY_CRV = {"P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1", "secp256k1": "secp256k1"}


def ec_curve_name(pem: Optional[str] = None, jwk: Optional[Any] = None) -> Optional[str]:
    """The curve of an EC key given as the engine's PEM text (one key or
    certificate) or as a single JWK; None for other keys, for several keys, or
    when it cannot be told (a PEM without the cryptography package)."""
    if jwk is not None:
        if isinstance(jwk, dict) and jwk.get("kty") == "EC":
            return _EC_CURVE_BY_CRV.get(jwk.get("crv"))  # type: ignore[arg-type]
        return None
    if pem is None or pem.count("-----BEGIN ") != 1:
        return None
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:  # pragma: no cover - exercised only without cryptography
        return None
    data = pem.encode("ascii")
    try:
        key: Any = (x509.load_pem_x509_certificate(data).public_key() if "CERTIFICATE" in pem
                    else serialization.load_pem_public_key(data))
    except Exception:  # noqa: BLE001 - cryptography raises several kinds for keys it cannot read
        return None
    return str(key.curve.name) if isinstance(key, ec.EllipticCurvePublicKey) else None


def curve_mismatch(curve: str, alg: str) -> InvalidKeyError:
    """PyJWT's error for an ES token whose key is on another curve."""
    return InvalidKeyError("The key's curve '%s' does not match the expected curve '%s' for this algorithm"
                           % (curve, EC_CURVE_BY_ALG[alg]))
