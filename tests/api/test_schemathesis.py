"""Schemathesis over the OpenAPI schema, on both engines: no input makes any route answer 5xx.

Every generated case is sent as a signed-in customer (cookie session and its CSRF header) and
with an admin API key, and state-changing ones also as a signed-in admin (cookie and CSRF) and
anonymously (sign-up, sign-in and events take anonymous callers), so that protected routes run
past their 401 into the validation, store and warehouse code. The warehouse is the built KPI
golden store (tests/semantic), so the analytics and admin routes query real facts and marts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from starlette.types import ASGIApp, Receive, Scope, Send

from globalcart.api.app import create_app
from globalcart.api.security import new_api_key, new_token, token_hash
from globalcart.config import Settings
from globalcart.store.auth import create_api_key, create_session
from globalcart.store.carts import add_item
from globalcart.store.catalog import upsert_product
from globalcart.store.users import User
from tests.api.conftest import PRODUCTS, Env
from tests.api.warehouse_env import built_env, unique

__all__ = ["built_env"]

MAX_EXAMPLES = 6
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    """How one identity authenticates: a user to open a fresh cookie session for, or a key."""

    name: str
    user: User | None = None
    api_key: str | None = None


@dataclass
class Callers:
    env: Env
    callers: list[Caller]

    def credentials(self, method: str) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
        """(name, headers, cookies) per caller; each cookie caller gets a new session, so that
        a generated logout or a revoked key cannot leave later cases anonymous. A read runs
        the same code for an admin's session as for their key, so reads skip the session."""
        for caller in self.callers:
            if method in SAFE_METHODS and caller.name in ("admin", "anonymous"):
                continue
            if caller.name == "anonymous":
                yield caller.name, {}, {}
                continue
            if caller.api_key is not None:
                yield caller.name, {"Authorization": f"Bearer {caller.api_key}"}, {}
                continue
            assert caller.user is not None
            token, csrf = new_token(), new_token()
            create_session(
                self.env.store, caller.user.user_id, token_hash(token), csrf,
                dt.timedelta(hours=1), None, None,
            )  # fmt: skip
            yield caller.name, {"X-CSRF-Token": csrf}, {"gc_session": token}


@pytest.fixture(scope="module")
def callers(built_env: Env) -> Callers:
    for product in PRODUCTS:
        upsert_product(built_env.store, product, on_hand=1000)
    customer = built_env.user(unique("fuzz-customer"))
    add_item(built_env.store, customer.user_id, 101, 1)
    admin = built_env.user(unique("fuzz-admin"), "admin")
    key, prefix = new_api_key()
    create_api_key(built_env.store, admin.user_id, "fuzz", ["admin"], token_hash(key), prefix)
    return Callers(
        built_env,
        [
            Caller("customer", user=customer),
            Caller("admin", user=admin),
            Caller("key", api_key=key),
            Caller("anonymous"),
        ],
    )


class Dispatch:
    """The ASGI app schemathesis calls: forwards to the app of the engine under test.

    (``schemathesis.pytest.from_fixture`` would load the schema per engine, but does not work
    with pytest 9; the schema is the same on both engines anyway.)
    """

    app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "the engine fixture did not set the app"
        await self.app(scope, receive, send)


DISPATCH = Dispatch()
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())
schema.app = DISPATCH


@pytest.fixture(scope="module", autouse=True)
def _serve_engine(built_env: Env) -> Iterator[None]:
    DISPATCH.app = built_env.app
    yield
    DISPATCH.app = None


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, callers: Callers) -> None:
    for _, headers, cookies in callers.credentials(case.method.upper()):
        case.call_and_validate(headers=headers, cookies=cookies, checks=[not_a_server_error])
