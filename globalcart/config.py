"""Settings: the only place that reads the environment (prefix ``GLOBALCART_``, ``.env`` too)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
