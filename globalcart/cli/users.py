"""``globalcart users …``: create users (no default passwords) and manage API keys."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer

from globalcart.cli.app import DatabaseOption, console, fail, open_warehouse
from globalcart.engines import WarehouseError
from globalcart.store import Store, StoreError, migrate_app

users_app = typer.Typer(help="Manage users and API keys of the API service.", no_args_is_help=True)


class Role(StrEnum):
    customer = "customer"
    analyst = "analyst"
    admin = "admin"


@contextmanager
def _store(database: str | None) -> Iterator[Store]:
    with open_warehouse(database) as warehouse:
        try:
            migrate_app(warehouse)
        except WarehouseError as exc:
            raise fail(str(exc)) from None
        yield Store(warehouse)


def _generated_password() -> str:
    return secrets.token_urlsafe(18)


@users_app.command("create")
def create_command(
    email: Annotated[str, typer.Option("--email", help="E-mail address (the sign-in name).")],
    role: Annotated[
        Role, typer.Option("--role", help="customer, analyst or admin.")
    ] = Role.customer,
    generate: Annotated[
        bool,
        typer.Option("--generate-password", help="Generate a random password and print it once."),
    ] = False,
    exists_ok: Annotated[
        bool,
        typer.Option("--exists-ok", help="Succeed without changes if the user already exists."),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Create a user; the password is prompted for (hidden) or generated — never a default."""
    from globalcart.api import security
    from globalcart.store.users import audit, create_user, get_user_by_email

    if exists_ok:
        with _store(database) as store:
            existing = get_user_by_email(store, email)
        if existing is not None:
            console.print(
                f"{existing.role} [bold]{existing.email}[/] already exists; its password was "
                "shown when it was created."
            )
            return
    if generate:
        password = _generated_password()
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        security.check_password_policy(password, email)
    except security.PasswordPolicyError as exc:
        raise fail(str(exc)) from None
    with _store(database) as store:
        try:
            user = create_user(store, email, security.hash_password(password), role.value)
        except StoreError as exc:
            raise fail(exc.message) from None
        audit(store, "user_create", actor_email="cli", target=user.email, detail={"role": role})
    console.print(f"Created {role.value} [bold]{user.email}[/] ({user.user_id}).")
    if generate:
        console.print(f"Password (shown once): [bold]{password}[/]", highlight=False)


@users_app.command("api-key")
def api_key_command(
    email: Annotated[str, typer.Option("--email", help="Owner of the key.")],
    scope: Annotated[
        list[str], typer.Option("--scope", help="Scope to grant (repeatable), e.g. events:write.")
    ],
    name: Annotated[str, typer.Option("--name", help="What the key is for.")] = "integration",
    database: DatabaseOption = None,
) -> None:
    """Create a scoped API key for a user; the key is printed once and stored hashed."""
    from globalcart.api.security import new_api_key, token_hash
    from globalcart.store.auth import create_api_key
    from globalcart.store.users import audit, get_user_by_email

    with _store(database) as store:
        user = get_user_by_email(store, email)
        if user is None:
            raise fail(f"no user with e-mail {email}")
        key, prefix = new_api_key()
        key_id = create_api_key(store, user.user_id, name, scope, token_hash(key), prefix)
        audit(store, "api_key_create", actor_email="cli", target=key_id, detail={"scopes": scope})
    console.print(f"API key {key_id} for {user.email} ({' '.join(sorted(scope))}):")
    console.print(key, highlight=False, markup=False)


@users_app.command("revoke-key")
def revoke_key_command(
    key_id: Annotated[str, typer.Argument(help="Id of the key (printed when it was created).")],
    database: DatabaseOption = None,
) -> None:
    """Revoke an API key."""
    from globalcart.store.auth import revoke_api_key
    from globalcart.store.users import audit

    with _store(database) as store:
        revoke_api_key(store, key_id)
        audit(store, "api_key_revoke", actor_email="cli", target=key_id)
    console.print(f"Revoked API key {key_id}.")
