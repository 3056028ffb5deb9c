"""Payment methods, providers, attempts and failures (rates differ by method, provider, country)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from globalcart.generator.frames import choice_codes
from globalcart.generator.pools import (
    COUNTRIES,
    COUNTRY_FAILURE_FACTOR,
    FAILURE_REASON_WEIGHTS,
    PAYMENT_METHOD_WEIGHTS,
    PAYMENT_METHODS,
    PROVIDERS,
)

I64 = npt.NDArray[np.int64]
PROVIDER_NAMES = tuple(sorted({p for options in PROVIDERS.values() for p, _ in options}))
ATTEMPT_GAP_US = 75 * 1_000_000
MAX_FAILED_ATTEMPTS = 3


@dataclass
class PaymentChoice:
    method: I64
    provider: I64
    fail_p: npt.NDArray[np.float64]


def choose_payment(rng: np.random.Generator, country_index: I64) -> PaymentChoice:
    n = len(country_index)
    method = choice_codes(rng, PAYMENT_METHOD_WEIGHTS, n)
    provider = np.empty(n, dtype=np.int64)
    base_p = np.empty(n)
    for m, name in enumerate(PAYMENT_METHODS):
        mask = method == m
        options = PROVIDERS[name]
        pick = rng.integers(0, len(options), int(mask.sum()))
        provider[mask] = np.array([PROVIDER_NAMES.index(p) for p, _ in options])[pick]
        base_p[mask] = np.array([p for _, p in options])[pick]
    factor = np.array([COUNTRY_FAILURE_FACTOR.get(c.code, 1.0) for c in COUNTRIES])
    return PaymentChoice(method, provider, np.minimum(base_p * factor[country_index], 0.6))


def failed_attempts(
    rng: np.random.Generator, fail_p: npt.NDArray[np.float64], is_paid: npt.NDArray[np.bool_]
) -> I64:
    """Failed attempts per order: before the success for paid orders, 1–3 for abandoned ones."""
    before_success = np.minimum(rng.geometric(1 - fail_p) - 1, MAX_FAILED_ATTEMPTS)
    abandoned = 1 + rng.binomial(2, 0.35, len(fail_p))
    return np.where(is_paid, before_success, abandoned).astype(np.int64)


def failure_reasons(rng: np.random.Generator, n: int) -> I64:
    return choice_codes(rng, FAILURE_REASON_WEIGHTS, n)


def gateway_fee_cents(amount_cents: I64) -> I64:
    """2.9 % + 30 cents, the common card-processing price."""
    return np.round(amount_cents * 0.029 + 30).astype(np.int64)
