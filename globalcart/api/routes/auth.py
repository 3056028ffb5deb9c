"""Sign-up, password and one-time-code sign-in, sign-out, and who am I."""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import APIRouter, Request, Response, status

from globalcart.api import security
from globalcart.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AuthPrincipal,
    LimitersDep,
    SettingsDep,
    StoreDep,
    client_ip,
)
from globalcart.api.problems import ProblemError
from globalcart.api.schemas import (
    Accepted,
    LoginIn,
    OtpRequestIn,
    OtpVerifyIn,
    SessionOut,
    SignupIn,
    UserPublic,
)
from globalcart.api.security import Limiter
from globalcart.config import Settings
from globalcart.store import Store, StoreError, users
from globalcart.store import auth as sessions
from globalcart.store.users import User

router = APIRouter(prefix="/api/auth", tags=["auth"])
demo_log = logging.getLogger("globalcart.demo")

OTP_LIFETIME = dt.timedelta(minutes=10)
OTP_MAX_ATTEMPTS = 5


def _limit(limiter: Limiter, key: str, what: str) -> None:
    wait = limiter.hit(key)
    if wait is not None:
        raise ProblemError(
            429,
            f"too many {what}; try again in {int(wait) + 1} seconds",
            kind="rate-limited",
            headers={"Retry-After": str(int(wait) + 1)},
        )


def _public(user: User) -> UserPublic:
    return UserPublic(
        user_id=user.user_id, email=user.email, role=user.role, full_name=user.full_name
    )


def _audit(store: Store, request: Request, action: str, **kwargs: object) -> None:
    users.audit(
        store,
        action,
        ip=client_ip(request),
        request_id=getattr(request.state, "request_id", None),
        **kwargs,  # type: ignore[arg-type]
    )


def _start_session(
    store: Store, settings: Settings, request: Request, response: Response, user: User
) -> SessionOut:
    """A new session (any session the browser still had is revoked: rotation at sign-in)."""
    previous = request.cookies.get(SESSION_COOKIE)
    if previous and len(previous) <= 200:
        sessions.revoke_session(store, security.token_hash(previous))
    token, csrf = security.new_token(), security.new_token()
    lifetime = dt.timedelta(hours=settings.session_absolute_hours)
    sessions.create_session(
        store,
        user.user_id,
        security.token_hash(token),
        csrf,
        lifetime,
        client_ip(request),
        request.headers.get("user-agent"),
    )
    secure = request.url.scheme == "https"
    max_age = int(lifetime.total_seconds())
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="lax", secure=secure
    )
    return SessionOut(user=_public(user), csrf_token=csrf)


@router.post("/signup", status_code=status.HTTP_201_CREATED)
def signup(
    body: SignupIn,
    request: Request,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
    limiters: LimitersDep,
) -> SessionOut:
    """Create a customer account and sign in."""
    _limit(limiters.signup, client_ip(request), "sign-ups from this address")
    try:
        security.check_password_policy(body.password, body.email)
    except security.PasswordPolicyError as exc:
        raise ProblemError(422, str(exc), kind="weak-password") from None
    try:
        user = users.create_user(
            store, body.email, security.hash_password(body.password), "customer", body.full_name
        )
    except StoreError as exc:
        raise ProblemError(409, exc.message, kind="email-taken") from None
    _audit(store, request, "signup", actor=user)
    return _start_session(store, settings, request, response, user)


@router.post("/login")
def login(
    body: LoginIn,
    request: Request,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
    limiters: LimitersDep,
) -> SessionOut:
    """Sign in with e-mail and password (rate-limited per account and per address)."""
    email = users.normalize_email(body.email)
    try:
        _limit(limiters.login_ip, client_ip(request), "sign-in attempts from this address")
        _limit(limiters.login_account, email, "sign-in attempts for this account")
    except ProblemError:
        _audit(store, request, "login", outcome="rate_limited", actor_email=email)
        raise
    user = users.get_user_by_email(store, email)
    valid = security.verify_password(user.password_hash if user else None, body.password)
    if user is None or not valid or not user.is_active:
        _audit(store, request, "login", outcome="failure", actor_email=email)
        raise ProblemError(401, "wrong e-mail or password", kind="invalid-credentials")
    if user.password_hash and security.needs_rehash(user.password_hash):
        users.set_password_hash(store, user.user_id, security.hash_password(body.password))
    limiters.login_account.reset(email)
    _audit(store, request, "login", actor=user)
    return _start_session(store, settings, request, response, user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(principal: AuthPrincipal, request: Request, store: StoreDep) -> Response:
    """End the browser session (revoked on the server, cookies cleared)."""
    if principal.via != "session":
        raise ProblemError(400, "API keys are revoked, not logged out", kind="not-a-session")
    sessions.revoke_session(store, principal.credential_hash)
    _audit(store, request, "logout", actor=principal.user)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax")
    response.delete_cookie(CSRF_COOKIE, samesite="lax")
    return response


@router.post("/otp/request", status_code=status.HTTP_202_ACCEPTED)
def request_code(
    body: OtpRequestIn,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limiters: LimitersDep,
) -> Accepted:
    """E-mail a one-time sign-in code (the answer is the same whether the account exists)."""
    email = users.normalize_email(body.email)
    _limit(limiters.otp_request, email, "code requests for this account")
    user = users.get_user_by_email(store, email)
    if user is not None and user.is_active:
        code = security.new_otp_code()
        sessions.create_otp(store, user.user_id, security.hash_password(code), OTP_LIFETIME)
        users.enqueue_email(
            store,
            email,
            "Your GlobalCart sign-in code",
            f"Your sign-in code is {code}. It expires in 10 minutes.",
        )
        if settings.demo_mode:
            demo_log.warning("demo mode: sign-in code for %s is %s", email, code)
    _audit(store, request, "otp_request", actor_email=email)
    return Accepted(detail="if an account uses this address, a code is on its way")


@router.post("/otp/verify")
def verify_code(
    body: OtpVerifyIn,
    request: Request,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
    limiters: LimitersDep,
) -> SessionOut:
    """Sign in with the e-mailed code (10 minutes, at most 5 attempts per code)."""
    email = users.normalize_email(body.email)
    _limit(limiters.otp_verify, email, "code attempts for this account")
    user = users.get_user_by_email(store, email)
    pending = sessions.open_otp(store, user.user_id) if user else None
    valid = security.verify_password(pending[1] if pending else None, body.code)
    if pending is not None:
        sessions.record_otp_attempt(store, pending[0], success=valid, max_attempts=OTP_MAX_ATTEMPTS)
    if user is None or pending is None or not valid or not user.is_active:
        _audit(store, request, "otp_verify", outcome="failure", actor_email=email)
        raise ProblemError(401, "the code is wrong or expired", kind="invalid-credentials")
    _audit(store, request, "otp_verify", actor=user)
    return _start_session(store, settings, request, response, user)


@router.get("/me")
def me(principal: AuthPrincipal) -> SessionOut:
    """The signed-in user (and the CSRF token of the browser session)."""
    return SessionOut(user=_public(principal.user), csrf_token=principal.csrf_token)
