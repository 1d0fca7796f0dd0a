"""Passwords as argon2 hashes: the CLI (`govwatch users`) and the pages hash and check the same way."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def weak_reason(password: str) -> str | None:
    """Why a new password is refused, in the users' words; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if password.isdigit() or password.isalpha():
        return "密码须同时包含字母和数字（或符号）"
    return None
