"""Settings: database URLs are normalised for asyncpg; default secrets are refused in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import Settings, normalise_database_url


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:p@db:5432/songs",
        "postgresql://u:p@db:5432/songs",
        "postgresql+asyncpg://u:p@db:5432/songs",
    ],
)
def test_database_urls_are_normalised_to_asyncpg(url: str) -> None:
    assert normalise_database_url(url) == "postgresql+asyncpg://u:p@db:5432/songs"
    assert Settings(database_url=url).database_url == "postgresql+asyncpg://u:p@db:5432/songs"


def test_default_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="s3cr3t").secret_key == "s3cr3t"
    assert Settings(environment="development").secret_key == "change-me"


def test_missing_database_url_explains_how_to_run() -> None:
    with pytest.raises(RuntimeError, match=r"manage\.py serve"):
        Settings(database_url=None).require_database_url()
