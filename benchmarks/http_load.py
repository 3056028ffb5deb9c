"""HTTP load helpers of the API benchmark: a server subprocess, an asyncio httpx client, a
bounded request loop with latency percentiles, and the server's CPU time from /proc."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import IO, Any

import httpx

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            pids += _tree(int(child))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (Linux /proc): what the server
    spent, whatever else the machine was busy with."""
    total = 0
    for each in _tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    base: str
    pid: int


@contextmanager
def server(database: str, workers: int) -> Iterator[Server]:
    """``globalcart serve`` (one worker), or uvicorn with the same app and ``workers``."""
    port = free_port()
    env = {**os.environ, "GLOBALCART_DATABASE_URL": database, "GLOBALCART_LOG_LEVEL": "warning"}
    if workers == 1:
        command = [str(BIN / "globalcart"), "serve", "--port", str(port), "--database", database]
    else:  # `globalcart serve` runs one worker; the same app factory under uvicorn's workers
        command = [
            sys.executable, "-m", "uvicorn", "globalcart.api.app:create_app", "--factory",
            "--port", str(port), "--workers", str(workers), "--proxy-headers",
            "--forwarded-allow-ips", "127.0.0.1", "--no-server-header", "--log-level", "warning",
        ]  # fmt: skip
    # the server's output goes to a file: a pipe nobody reads would fill up and stall it
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=log)
        try:
            yield Server(_wait_ready(process, log, f"http://127.0.0.1:{port}"), process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_ready(process: subprocess.Popen[bytes], log: IO[bytes], base: str) -> str:
    deadline = time.monotonic() + 600
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the server exited:\n{log.read().decode()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the server did not become ready in 10 minutes")
        time.sleep(0.5)


def client(base: str, concurrency: int) -> httpx.AsyncClient:
    """No cookie jar: every request carries its own customer's cookie."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=60, cookies=jar)


def stats(latencies: Sequence[float], seconds: float, errors: int) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {
        "requests": len(ordered), "errors": errors, "p50_ms": pct(0.50), "p95_ms": pct(0.95),
        "p99_ms": pct(0.99), "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "rps": round(len(ordered) / seconds, 1),
    }  # fmt: skip


async def hammer(
    client: httpx.AsyncClient, paths: Sequence[str], total: int, concurrency: int,
    headers: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    """``total`` GETs over ``paths`` (round robin), ``concurrency`` in flight."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal errors
        for index in counter:
            started = time.perf_counter()
            response = await client.get(paths[index % len(paths)], headers=headers)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return stats(latencies, time.perf_counter() - started, errors)


async def measured(
    server: Server, client: httpx.AsyncClient, paths: Sequence[str], total: int,
    concurrency: int, headers: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    """``hammer`` plus the server's CPU time per request (and the requests/s that makes on
    one dedicated core): the figures that do not depend on what else shares the machine."""
    cpu = cpu_seconds(server.pid)
    result = await hammer(client, paths, total, concurrency, headers)
    per_request = (cpu_seconds(server.pid) - cpu) / total
    result["server_cpu_ms"] = round(per_request * 1000, 3)
    result["rps_per_core"] = round(1 / per_request, 0) if per_request else None
    return result
