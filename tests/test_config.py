from __future__ import annotations

from pathlib import Path

import pytest

from globalcart.config import DEFAULT_DATABASE_URL, Settings


def test_defaults_use_the_embedded_duckdb(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GLOBALCART_DATABASE_URL", raising=False)
    assert Settings().database_url == DEFAULT_DATABASE_URL == "duckdb:///./data/globalcart.duckdb"


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GLOBALCART_DATABASE_URL", raising=False)
    (tmp_path / ".env").write_text("GLOBALCART_DATABASE_URL=postgresql://u@h/db\n")
    assert Settings().database_url == "postgresql://u@h/db"
    monkeypatch.setenv("GLOBALCART_DATABASE_URL", "duckdb:///x.duckdb")
    assert Settings().database_url == "duckdb:///x.duckdb"
