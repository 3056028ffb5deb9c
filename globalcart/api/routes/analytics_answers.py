"""Answers of the analytics routes, computed once per warehouse build and kept with their
serialised (and gzipped) bodies. A cached answer is served on the event loop, without a worker
thread; computing one, or checking whether a new build finished, runs on a worker thread. The
route functions stay plain functions of ``(caller, store, query…)`` that other modules call
directly (the public dashboard's panels)."""

from __future__ import annotations

import gzip
import inspect
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from globalcart.api.routes.kpi_tables import CSV_MEDIA_TYPE, Format, Table, to_csv
from globalcart.store import Store

F = TypeVar("F", bound=Callable[..., Any])
# Bodies from this size on are gzipped for clients that accept it, as the app's GZipMiddleware
# does (it passes a body that already has a Content-Encoding through untouched).
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 6
JSON_MEDIA_TYPE = "application/json"
# Set by the route wrapper while a route function runs on the event loop: whether it may not
# compute (only answer from the cache), and whether the client accepts gzip.
_ON_LOOP: ContextVar[bool] = ContextVar("analytics_on_loop", default=False)
_GZIP: ContextVar[bool] = ContextVar("analytics_gzip", default=False)


class Answer:
    """A table computed once per warehouse build, with its response bodies: JSON (and its gzip)
    serialised when computed, CSV on the first request for it. Served from the cache, an answer
    costs no validation, serialisation or compression."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.json = table.model_dump_json().encode()
        self.json_gzip = _gzipped(self.json)
        self._csv: bytes | None = None
        self._lock = threading.Lock()

    def csv(self) -> bytes:
        with self._lock:
            if self._csv is None:
                self._csv = to_csv(self.table.columns, self.table.rows).encode()
            return self._csv

    def response(self, fmt: Format, filename: str, accepts_gzip: bool) -> Response:
        if fmt == "csv":
            disposition = f'attachment; filename="{filename}.csv"'
            return Response(self.csv(), media_type=CSV_MEDIA_TYPE,
                            headers={"Content-Disposition": disposition})  # fmt: skip
        if accepts_gzip and self.json_gzip is not None:
            headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return Response(self.json_gzip, media_type=JSON_MEDIA_TYPE, headers=headers)
        return Response(self.json, media_type=JSON_MEDIA_TYPE)


def _gzipped(body: bytes) -> bytes | None:
    if len(body) < GZIP_MIN_BYTES:
        return None
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


class _NotCachedError(Exception):
    """Raised on the event loop for an answer that must be computed (on a worker thread)."""


def cached(
    store: Store, fmt: Format, filename: str, build: Callable[..., Table], *args: Any,
    **options: Any,
) -> Response:  # fmt: skip
    """``build(warehouse, *args, **options)`` as JSON or CSV, computed once per warehouse build
    for the same arguments (the caller has been authorised by then)."""
    key = (build.__name__, args, tuple(sorted(options.items())))
    found = store.results.peek(key)
    if not isinstance(found, Answer):
        if _ON_LOOP.get():
            raise _NotCachedError
        found = store.results.get(key, lambda: Answer(build(store.warehouse, *args, **options)))
    return found.response(fmt, filename, _GZIP.get())


def cached_route(router: APIRouter, path: str, **options: Any) -> Callable[[F], F]:
    """Register ``function(_: Analyst, store: StoreDep, **query)`` for ``GET path`` through an
    async endpoint (the same parameters, ``store`` replaced by the request): it answers from the
    cache on the event loop and only hands the request to a worker thread when the answer must
    be computed. The function itself is returned unchanged."""

    def register(function: F) -> F:
        signature = inspect.signature(function, eval_str=True)
        parameters = [
            inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)
            if p.name == "store" else p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for p in signature.parameters.values()
        ]  # fmt: skip

        async def endpoint(**values: Any) -> Any:
            request: Request = values.pop("request")
            values["store"] = request.app.state.store
            accepts = _GZIP.set("gzip" in request.headers.get("accept-encoding", ""))
            try:
                on_loop = _ON_LOOP.set(True)
                try:
                    return function(**values)
                except _NotCachedError:
                    pass
                finally:
                    _ON_LOOP.reset(on_loop)
                return await run_in_threadpool(function, **values)
            finally:
                _GZIP.reset(accepts)

        endpoint.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        endpoint.__name__ = endpoint.__qualname__ = function.__name__
        endpoint.__doc__ = function.__doc__
        router.get(path, **options)(endpoint)
        return function

    return register
