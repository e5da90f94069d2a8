"""WeCom (企业微信) callback crypto: message signatures and the AES envelope of callback bodies.

The scheme, as WeCom documents it ("加解密方案说明"):

* AESKey = base64decode(EncodingAESKey + "="), 32 bytes; the IV is its first 16 bytes; AES-256-CBC.
* Plaintext = 16 random bytes + the message length (4 bytes, big-endian) + message + receive id
  (the corp id for a self-built application), PKCS#7-padded to a multiple of 32 bytes (not 16).
* The ciphertext travels base64-encoded; msg_signature = sha1 of the sorted concatenation of
  [token, timestamp, nonce, ciphertext], as lowercase hex.

Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32
"""WeCom pads to 32 bytes, although AES blocks are 16."""
RANDOM_BYTES = 16


class CryptoError(Exception):
    """A callback that does not decrypt to a well-formed message for us."""


def decode_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key behind the 43-character EncodingAESKey."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as error:
        raise CryptoError("EncodingAESKey is not base64") from error
    if len(key) != 32:
        raise CryptoError("EncodingAESKey must decode to 32 bytes")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def signature_matches(given: str, token: str, timestamp: str, nonce: str, encrypted: str) -> bool:
    return hmac.compare_digest(given.lower().encode(), signature(token, timestamp, nonce, encrypted).encode())


def _cipher(key: bytes | str) -> Cipher:
    """AES-256-CBC with the key's first 16 bytes as IV; `key` is the AES key or the EncodingAESKey."""
    raw = decode_key(key) if isinstance(key, str) else key
    if len(raw) != 32:
        raise CryptoError("the AES key must be 32 bytes")
    return Cipher(algorithms.AES(raw), modes.CBC(raw[:16]))


def encrypt(aes_key: bytes | str, message: bytes, receive_id: str, random16: bytes | None = None) -> str:
    """The base64 ciphertext of `message` for `receive_id` (random16 fixed only for test vectors)."""
    prefix = os.urandom(RANDOM_BYTES) if random16 is None else random16
    if len(prefix) != RANDOM_BYTES:
        raise ValueError("random16 must be 16 bytes")
    plain = prefix + struct.pack(">I", len(message)) + message + receive_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = _cipher(aes_key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def decrypt(aes_key: bytes | str, encrypted: str, receive_id: str) -> bytes:
    """The message inside a base64 ciphertext; CryptoError unless it is well formed and for `receive_id`."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError) as error:
        raise CryptoError("ciphertext is not base64") from error
    if not raw or len(raw) % 16:
        raise CryptoError("ciphertext is not a whole number of AES blocks")
    decryptor = _cipher(aes_key).decryptor()
    plain = decryptor.update(raw) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or pad > len(plain) or plain[-pad:] != bytes([pad]) * pad:
        raise CryptoError("bad padding")
    plain = plain[:-pad]
    if len(plain) < RANDOM_BYTES + 4:
        raise CryptoError("plaintext too short")
    (length,) = struct.unpack(">I", plain[RANDOM_BYTES:RANDOM_BYTES + 4])
    body = plain[RANDOM_BYTES + 4:]
    if length > len(body):
        raise CryptoError("message length exceeds the plaintext")
    message, found_id = body[:length], body[length:]
    if not hmac.compare_digest(found_id, receive_id.encode()):
        raise CryptoError("receive id does not match")
    return message
