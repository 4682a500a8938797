"""The one encryption helper: personal data at rest (AES-256-GCM) and keyed hashes.

Both keys are derived with HKDF from one master secret, ``PERSONAL_DATA_KEY``
(:func:`encryption_key`, :func:`hash_key`); the other functions take the key, so they can
be tested without settings. Text tokens (:func:`encrypt_text`) hold ID numbers in the
database; byte blobs (:func:`encrypt_bytes`) hold uploaded files on disk.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "DecryptionError",
    "decrypt_bytes",
    "decrypt_text",
    "derive_keys",
    "encrypt_bytes",
    "encrypt_text",
    "encryption_key",
    "hash_key",
    "keyed_hash",
]

# --------------------------------------------------------------------------------------
# Keyed hash, encryption, key derivation
# --------------------------------------------------------------------------------------

_HKDF_INFO_ENCRYPTION = b"huanjie/personal/id-encryption/aes-256-gcm/v1"
_HKDF_INFO_HASH = b"huanjie/personal/id-lookup/hmac-sha256/v1"
#: A fixed, public salt (RFC 5869 §3.1: a non-secret salt still strengthens HKDF).
_HKDF_SALT = b"huanjie personal-data key derivation"
_MIN_MASTER_LENGTH = 16

_CIPHER_VERSION = "v1"
_CIPHER_PREFIX = _CIPHER_VERSION + ":"
_CIPHER_AAD = _CIPHER_VERSION.encode("ascii")
_NONCE_BYTES = 12  # 96-bit nonce, the size AES-GCM is designed for


class DecryptionError(ValueError):
    """A token cannot be decrypted: wrong key, altered data or an unknown format."""


@functools.lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    """One AESGCM object per key (its key schedule is set up once, not for every voter).

    AESGCM is stateless between calls, so sharing it is safe; it raises ValueError for
    a key of the wrong length, as before."""
    return AESGCM(key)


def derive_keys(master: str) -> tuple[bytes, bytes]:
    """Derive ``(encryption_key, hash_key)`` (32 bytes each) from one master secret.

    HKDF-SHA256 with a fixed salt and two distinct ``info`` labels, so that the two keys
    are independent: knowing the lookup (HMAC) key reveals nothing about the encryption
    key and vice versa. ``master`` must be a high-entropy secret (e.g. 32 random bytes,
    base64-encoded, from the environment) — HKDF is not a password hash. Raises
    ``ValueError`` if it is shorter than 16 characters.
    """
    if len(master) < _MIN_MASTER_LENGTH:
        raise ValueError(
            f"personal-data master key must be at least {_MIN_MASTER_LENGTH} characters"
        )
    secret = master.encode("utf-8")

    def _derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=info).derive(secret)

    return _derive(_HKDF_INFO_ENCRYPTION), _derive(_HKDF_INFO_HASH)


def keyed_hash(text: str, key: bytes) -> str:
    """HMAC-SHA256 of ``text`` under ``key``, hex (64 chars)."""
    if not key:
        raise ValueError("hash key must not be empty")
    # hmac.digest: the one-shot C implementation (same result as hmac.new().hexdigest()).
    return hmac.digest(key, text.encode("utf-8"), "sha256").hex()


def encrypt_text(plain: str, key: bytes) -> str:
    """Encrypt ``plain`` with AES-GCM under ``key`` (16, 24 or 32 bytes).

    Returns ``"v1:" + urlsafe-base64(nonce || ciphertext || tag)`` with a random 96-bit
    nonce, so the same text encrypts differently each time (use :func:`id_hash` for
    look-ups). The version prefix is authenticated as associated data, so it allows a
    later key or algorithm rotation.
    """
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(bytes(key)).encrypt(nonce, plain.encode("utf-8"), _CIPHER_AAD)
    return _CIPHER_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_text(token: str, key: bytes) -> str:
    """Decrypt a token made by :func:`encrypt_text`.

    Raises :class:`DecryptionError` if the version prefix is unknown, the token is not
    valid base64, or the authentication tag does not verify (wrong key or altered data).
    """
    if not token.startswith(_CIPHER_PREFIX):
        raise DecryptionError("unknown token version")
    try:
        blob = base64.urlsafe_b64decode(token[len(_CIPHER_PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise DecryptionError("token is not valid base64") from None
    if len(blob) < _NONCE_BYTES + 16:
        raise DecryptionError("token is too short")
    nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    try:
        plain = _aead(bytes(key)).decrypt(nonce, sealed, _CIPHER_AAD)
    except InvalidTag:
        raise DecryptionError("token failed authentication (wrong key or altered)") from None
    return plain.decode("utf-8")


def encrypt_bytes(data: bytes, key: bytes, *, aad: bytes) -> bytes:
    """AES-GCM for a stored file: ``nonce || ciphertext || tag``, ``aad`` authenticated."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + _aead(bytes(key)).encrypt(nonce, data, aad)


def decrypt_bytes(blob: bytes, key: bytes, *, aad: bytes) -> bytes:
    """Reverse :func:`encrypt_bytes`; raises :class:`DecryptionError` on any mismatch."""
    if len(blob) < _NONCE_BYTES + 16:
        raise DecryptionError("blob is too short")
    try:
        return _aead(bytes(key)).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError("blob failed authentication (wrong key or altered)") from None


# -- the deployment's keys (from PERSONAL_DATA_KEY) -------------------------------------


@functools.lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes]:
    return derive_keys(master)


def encryption_key() -> bytes:
    """The AES key for personal data at rest, derived from settings.PERSONAL_DATA_KEY."""
    from django.conf import settings

    return _keys(settings.PERSONAL_DATA_KEY)[0]


def hash_key() -> bytes:
    """The HMAC key for look-ups by ID number, derived from settings.PERSONAL_DATA_KEY."""
    from django.conf import settings

    return _keys(settings.PERSONAL_DATA_KEY)[1]
