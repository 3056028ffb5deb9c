"""HTTP load helpers of the API benchmark: a server subprocess, two load generators (``wrk``
when it is installed, else an asyncio httpx client) with latency percentiles, and the server's
CPU time from /proc."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
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


# wrk runs one Lua state per thread: each rotates over the prepared requests; ``done`` prints
# the summary as one JSON line (wrk's --latency table has no 95th percentile).
_WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local prepared = {}
local index = 0

function init(args)
  for i, path in ipairs(paths) do prepared[i] = wrk.format("GET", path, headers) end
end

function request()
  index = index %% #prepared + 1
  return prepared[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "non_2xx_3xx": %%d, ' ..
    '"socket_errors": %%d, "timeouts": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"mean_us": %%.1f, "max_us": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write, e.timeout, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for these characters


def wrk_version() -> str | None:
    """``wrk``'s version when it is on PATH, else None."""
    path = shutil.which("wrk")
    if path is None:
        return None
    done = subprocess.run([path, "--version"], capture_output=True, text=True)
    found = re.search(r"wrk (\S+)", done.stdout + done.stderr)
    return found.group(1) if found else "unknown"


@dataclass(frozen=True)
class Wrk:
    """How ``wrk`` loads the server: threads, open connections and seconds per run."""

    threads: int
    connections: int
    seconds: float


def wrk_measured(
    server: Server, paths: Sequence[str], headers: dict[str, str], wrk: Wrk
) -> dict[str, Any]:
    """A ``wrk`` run over ``paths`` (round robin on every connection) with the same figures as
    :func:`measured`: latency percentiles, requests/s, errors and the server's CPU per request."""
    if any(not path.isprintable() or '"' in path for path in paths):
        raise ValueError("paths must be printable without quotes")
    script = _WRK_SCRIPT % {
        "paths": ", ".join(_lua(path) for path in paths),
        "headers": ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in headers.items()),
    }
    # the script holds the API key: a temporary file (mode 0600), removed after the run
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        raw, cpu = _run_wrk(server, wrk, lua.name)
    return _wrk_figures(raw, cpu)


# Requests that must each be sent once (a checkout per customer, each with its own cookie and
# idempotency key): built once per thread in ``init`` from a file of header lines, thread ``id``
# taking every ``threads``-th line, so that ``request`` only hands out the next one. A thread
# that runs out stops (wrk still waits for the whole duration: the caller gives enough lines).
_WRK_ONCE_SCRIPT = """
local prepared = {}
local index = 0
exhausted = 0  -- a global: done() reads it with thread:get
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  local count = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    if n %% count == id then
      local headers = {%(headers)s}
      for name, value in line:gmatch("([^\\t:]+): ([^\\t]*)") do headers[name] = value end
      prepared[#prepared + 1] = wrk.format(%(method)s, %(path)s, headers, %(body)s)
    end
    n = n + 1
  end
end

function request()
  index = index + 1
  if index > #prepared then
    exhausted = 1
    wrk.thread:stop()
    index = #prepared
  end
  return prepared[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  local ran_out = 0
  for _, thread in ipairs(threads) do ran_out = ran_out + thread:get("exhausted") end
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "non_2xx_3xx": %%d, ' ..
    '"socket_errors": %%d, "timeouts": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"mean_us": %%.1f, "max_us": %%d, "exhausted_threads": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write, e.timeout, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.mean, latency.max, ran_out))
end
"""


def wrk_once(
    server: Server,
    method: str,
    path: str,
    body: str,
    headers: dict[str, str],
    per_request: Sequence[dict[str, str]],
    wrk: Wrk,
) -> dict[str, Any]:
    """A ``wrk`` run in which request ``i`` carries ``headers`` plus ``per_request[i]`` (each
    sent at most once, for requests that may not repeat), with the figures of
    :func:`wrk_measured`; ``exhausted`` says whether wrk ran out of requests before the end of
    its duration (then requests/s understates the server: give more)."""
    texts = [method, path, body, *headers, *headers.values()]
    texts += [text for each in per_request for item in each.items() for text in item]
    if any(not text.isprintable() or "\t" in text for text in texts):
        raise ValueError("methods, paths, bodies and headers must be printable, without tabs")
    if any(": " in name or ":" in name for each in per_request for name in each):
        raise ValueError("header names cannot hold ':'")
    script = _WRK_ONCE_SCRIPT % {
        "method": _lua(method), "path": _lua(path), "body": _lua(body),
        "headers": ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in headers.items()),
    }  # fmt: skip
    # the files hold session cookies: temporary (mode 0600), removed after the run
    with (
        tempfile.NamedTemporaryFile("w", suffix=".lua") as lua,
        tempfile.NamedTemporaryFile("w", suffix=".txt") as rows,
    ):
        lua.write(script)
        lua.flush()
        rows.write("".join("\t".join(f"{k}: {v}" for k, v in each.items()) + "\n"
                           for each in per_request))  # fmt: skip
        rows.flush()
        raw, cpu = _run_wrk(server, wrk, lua.name, rows.name, str(wrk.threads))
    return _wrk_figures(raw, cpu) | {"exhausted": int(raw["exhausted_threads"]) > 0}


def _run_wrk(server: Server, wrk: Wrk, script: str, *args: str) -> tuple[dict[str, Any], float]:
    """Run wrk with a Lua ``script`` that prints its figures as a ``WRK_JSON`` line; returns
    them and the server's CPU seconds during the run."""
    command = [
        "wrk", f"-t{wrk.threads}", f"-c{wrk.connections}", f"-d{wrk.seconds:g}s",
        "--timeout", "30s", "--latency", "-s", script, server.base,
        *(["--", *args] if args else []),
    ]  # fmt: skip
    cpu = cpu_seconds(server.pid)
    done = subprocess.run(command, capture_output=True, text=True)
    cpu = cpu_seconds(server.pid) - cpu
    found = re.search(r"^WRK_JSON (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return json.loads(found.group(1)), cpu


def _wrk_figures(raw: dict[str, Any], cpu: float) -> dict[str, Any]:
    """The figures of a wrk summary (``WRK_JSON``) and the server's CPU seconds over the run."""
    total = int(raw["requests"])
    per_request = cpu / total if total else 0.0
    return {
        "requests": total,
        "errors": int(raw["non_2xx_3xx"]) + int(raw["socket_errors"]) + int(raw["timeouts"]),
        "p50_ms": round(raw["p50_us"] / 1000, 2), "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2), "mean_ms": round(raw["mean_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "rps": round(total / (raw["duration_us"] / 1e6), 1),
        "server_cpu_ms": round(per_request * 1000, 3),
        "rps_per_core": round(1 / per_request, 0) if per_request else None,
    }  # fmt: skip
