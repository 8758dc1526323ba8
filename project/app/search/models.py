"""Search columns shared by the searchable tables, and the vocabulary used for typo correction."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Field, SQLModel

# Built only where the server has pg_trgm; Alembic's comparison leaves it out (see env.py).
OPTIONAL_INDEXES = frozenset({"ix_search_terms_term_trgm"})


class Searchable(SQLModel):
    """A weighted ``tsvector`` that database triggers keep up to date (see the search migration)."""

    search_vector: str | None = Field(default=None, sa_type=TSVECTOR, exclude=True)


def search_index(table: str) -> Index:
    return Index(f"ix_{table}_search_vector", "search_vector", postgresql_using="gin")


class SearchTerm(SQLModel, table=True):
    """Every word in any search vector (3+ letters), filled by triggers; typo corrections are
    the terms most similar to a misspelt word (pg_trgm)."""

    __tablename__ = "search_terms"

    # Byte order ("C"), so that the primary key index also answers "terms starting with ...".
    term: str = Field(primary_key=True, sa_type=String(length=100, collation="C"))
