"""Password hashing (Argon2id), password policy, opaque tokens and in-process rate limits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from globalcart.store import Store
from globalcart.store.ratelimits import SharedCounter

# OWASP Password Storage Cheat Sheet: Argon2id, m = 19 MiB, t = 2, p = 1 (the minimum).
ARGON2_MEMORY_KIB = 19456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128

hasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)

COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "password1234",
        "password12345",
        "passwordpassword",
        "qwertyuiop12",
        "qwertyuiopas",
        "111111111111",
        "000000000000",
        "123123123123",
        "iloveyou1234",
        "letmein12345",
        "administrator",
        "admin1234567",
        "welcome12345",
        "changeme1234",
        "football1234",
        "baseball1234",
        "monkey123456",
        "dragon123456",
        "sunshine1234",
        "princess1234",
        "trustno11234",
        "superman1234",
        "abc123456789",
        "abcdefghijkl",
        "1q2w3e4r5t6y",
        "zaq12wsxcde3",
        "qazwsxedcrfv",
        "passw0rd1234",
        "p@ssw0rd1234",
        "globalcart123",
        "globalcart2024",
        "globalcart2025",
        "correcthorsebatterystaple",
    }
)

_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


class PasswordPolicyError(ValueError):
    """The password does not meet the policy; the message says why."""


def check_password_policy(password: str, email: str | None = None) -> None:
    """Minimum/maximum length, not a common password, not the e-mail address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"the password must have at most {MAX_PASSWORD_LENGTH} characters"
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise PasswordPolicyError("this password is too common; choose another one")
    if email and lowered in {email.lower(), email.lower().split("@")[0]}:
        raise PasswordPolicyError("the password must not be the e-mail address")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check: an unknown user costs the same as a wrong password."""
    try:
        return hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)


def new_token(nbytes: int = 32) -> str:
    """An opaque random token (URL-safe)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """SHA-256 of a high-entropy token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_otp_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


API_KEY_PREFIX = "gck_"


def new_api_key() -> tuple[str, str]:
    """(full key shown once, short public prefix used to recognise it)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[: len(API_KEY_PREFIX) + 6]


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``seconds`` for one key."""

    count: int
    seconds: float


class Limiter(Protocol):
    def hit(self, key: str, cost: int = 1) -> float | None: ...

    def reset(self, key: str) -> None: ...


@dataclass
class RateLimiter:
    """Sliding-window limits kept in memory: enough for DuckDB, whose one process serves all.

    On PostgreSQL, where several worker processes may serve, ``Limiters.use_store`` swaps these
    for counters in the database that every worker shares.
    """

    limit: Limit
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str, cost: int = 1) -> float | None:
        """Count a hit; returns seconds to wait when the limit is exceeded (hit not counted)."""
        now = time.monotonic()
        with self._lock:
            window = self._hits.setdefault(key, deque())
            while window and window[0] <= now - self.limit.seconds:
                window.popleft()
            if len(window) + cost > self.limit.count:
                return max(1.0, window[0] + self.limit.seconds - now) if window else 1.0
            window.extend([now] * cost)
            if len(self._hits) > 100_000:
                self._hits = {k: v for k, v in self._hits.items() if v}
            return None

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


@dataclass(frozen=True)
class Limits:
    """The rate limits of the service (tests may pass tighter or looser ones)."""

    login_per_account: Limit = Limit(5, 300)
    login_per_ip: Limit = Limit(30, 300)
    otp_request_per_account: Limit = Limit(3, 600)
    otp_verify_per_account: Limit = Limit(10, 600)
    signup_per_ip: Limit = Limit(20, 3600)
    events_per_client: Limit = Limit(600, 60)


@dataclass
class Limiters:
    limits: Limits
    login_account: Limiter = field(init=False)
    login_ip: Limiter = field(init=False)
    otp_request: Limiter = field(init=False)
    otp_verify: Limiter = field(init=False)
    signup: Limiter = field(init=False)
    events: Limiter = field(init=False)

    def __post_init__(self) -> None:
        for name, limit in self._each():
            setattr(self, name, RateLimiter(limit))

    def _each(self) -> list[tuple[str, Limit]]:
        own = {"login_account": "login_per_account", "login_ip": "login_per_ip",
               "otp_request": "otp_request_per_account", "otp_verify": "otp_verify_per_account",
               "signup": "signup_per_ip", "events": "events_per_client"}  # fmt: skip
        return [(name, getattr(self.limits, limit)) for name, limit in own.items()]

    def use_store(self, store: Store) -> None:
        """On PostgreSQL, count in ``app.rate_limits`` so that every worker shares the limits."""
        if store.dialect != "postgres":
            return
        for name, limit in self._each():
            setattr(self, name, SharedCounter(store, name, limit.count, limit.seconds))
