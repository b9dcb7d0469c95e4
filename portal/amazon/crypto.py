"""Refresh tokens at rest: Fernet encryption with several keys, so a key can be rotated."""

import base64
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["InvalidToken", "TokenVault", "derived_key", "parse_keys"]


def derived_key(secret_key: str) -> str:
    """A Fernet key derived from the secret key, for the embedded default only."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal refresh tokens")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode())).decode()


def parse_keys(value: str | Iterable[str] | None) -> list[str]:
    """PORTAL_TOKEN_KEYS: a JSON list or a comma-separated string; the first key encrypts."""
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


class TokenVault:
    """Encrypts with the first key and decrypts with any of them."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one token encryption key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, token: str) -> bytes:
        return self._fernet.encrypt(token.encode())

    def decrypt(self, data: bytes) -> str:
        return self._fernet.decrypt(data).decode()

    def rotate(self, data: bytes) -> bytes:
        """Re-encrypt with the first key (after a new key was put first)."""
        return self._fernet.rotate(data)
