"""Configuration read from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me"  # noqa: S105 - the placeholder we refuse outside development


def normalise_database_url(url: str) -> str:
    """Point ``postgres://`` and ``postgresql://`` URLs (as hosts hand them out) at asyncpg."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg://",
        "postgresql+psycopg2://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(
        default=None,
        description="postgresql+asyncpg:// URL; unset means the embedded server (manage.py serve).",
    )
    db_pool_size: int = Field(default=10, ge=1)
    # No overflow by default: overflow connections are closed when returned, and reconnecting
    # under load costs more than waiting a moment for a pooled one.
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    db_echo: bool = False
    secret_key: str = DEFAULT_SECRET_KEY
    log_level: str = "info"

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        return normalise_database_url(value) if value else None

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment != "development" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError(f"SECRET_KEY must be set to a real secret when ENVIRONMENT={self.environment}")
        return self

    def require_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError(
                "DATABASE_URL is not set. Set it to your PostgreSQL server, or run "
                "`python3 project/manage.py serve`, which starts an embedded one."
            )
        return self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
