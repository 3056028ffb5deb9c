"""Settings: the only place that reads the environment (prefix ``GLOBALCART_``, ``.env`` too)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "duckdb:///./data/globalcart.duckdb"


class Settings(BaseSettings):
    """Runtime configuration of GlobalCart."""

    model_config = SettingsConfigDict(
        env_prefix="GLOBALCART_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="Warehouse location: duckdb:///path.duckdb or postgresql://user@host/db.",
    )
    data_dir: Path = Field(
        default=Path("data"), description="Where generated and landing files go."
    )
    log_level: str = Field(default="INFO", description="Logging level of the CLI and the server.")
    demo_mode: bool = Field(
        default=False,
        description="Demo conveniences: one-time codes are also logged to the console.",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, description="A browser session ends after this long without requests."
    )
    session_absolute_hours: int = Field(
        default=12, ge=1, description="A browser session ends this long after sign-in, whatever."
    )
    shop_initial_stock: int = Field(
        default=100, ge=0, description="Units on hand given to each product when seeding the shop."
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description="PostgreSQL connections each server process keeps for its request threads.",
    )
    public_dashboard: bool = Field(
        default=False,
        description="Serve the public KPI dashboard at / to anyone (otherwise an API key or an "
        "analyst sign-in is needed).",
    )
    refresh_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Seconds between background refreshes (storefront + watched folder -> "
        "warehouse -> KPIs); 0 disables them.",
    )
    refresh_max_backoff_seconds: float = Field(
        default=300.0, gt=0, description="Longest wait before retrying a failed refresh."
    )
    serve_refresh: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Whether `globalcart serve` refreshes in the background: auto = on DuckDB "
        "only (on PostgreSQL run `globalcart refresh --watch` as a separate worker).",
    )
    watch_dir: Path = Field(
        default=Path("data/incoming"),
        description="Folder watched by the refresh for landing batches (folders with a "
        "manifest.json, e.g. from `globalcart generate --incremental`).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
