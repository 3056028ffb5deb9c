"""The YAML files a build reads many times (checks, row rules), parsed once per file version."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml


def read_yaml(path: Path) -> Any:
    """The parsed document of ``path`` (``{}`` when empty); callers must not modify it."""
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _parsed(path: Path, mtime_ns: int, size: int) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
