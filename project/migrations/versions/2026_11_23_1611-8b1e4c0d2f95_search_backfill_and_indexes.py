"""search: fill the folded keys in batches, then build the search indexes CONCURRENTLY

Runs outside a transaction (autocommit): each batch of 5,000 rows commits on its own and the
indexes are built without blocking writes. Every step can run again after an interruption:
only rows without a key are filled, and indexes are created IF NOT EXISTS. Where the server
has pg_trgm, it is enabled and a trigram index on ``search_terms`` makes typo correction fast.

Revision ID: 8b1e4c0d2f95
Revises: 3c9d2f7e8a41
Create Date: 2026-11-23 16:11:00+00:00

"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b1e4c0d2f95"
down_revision: str | Sequence[str] | None = "3c9d2f7e8a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
INDEXES = {
    "ix_artists_search_vector": "artists USING gin (search_vector)",
    "ix_albums_search_vector": "albums USING gin (search_vector)",
    "ix_songs_search_vector": "songs USING gin (search_vector)",
    "ix_songs_name_key": "songs (name_key)",
    "ix_albums_title_key": "albums (title_key)",
}
TRIGRAM_INDEX = "ix_search_terms_term_trgm"


# Frozen copy of app.core.text.match_key at the time of this revision.
def _match_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _fill_keys(table: str, source: str, key: str) -> None:
    """Fold ``source`` into ``key`` where it is missing, a committed batch at a time.

    Setting the key fires the triggers that build the row's search vector and vocabulary.
    """
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.text(
                f"SELECT id, {source} FROM {table} WHERE id > :last AND {key} IS NULL "
                "ORDER BY id LIMIT :batch"
            ),
            {"last": last_id, "batch": BATCH},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text(
                f"UPDATE {table} SET {key} = v.key FROM "
                "(SELECT unnest(CAST(:ids AS integer[])) AS id, unnest(CAST(:keys AS text[])) AS key) v "
                f"WHERE {table}.id = v.id"
            ),
            {"ids": [row[0] for row in rows], "keys": [_match_key(row[1]) for row in rows]},
        )
        last_id = rows[-1][0]


def upgrade() -> None:
    with op.get_context().autocommit_block():
        # Artists have had name_key since the catalog revision: touching it builds their vectors.
        op.execute("UPDATE artists SET name_key = name_key WHERE search_vector IS NULL")
        _fill_keys("albums", "title", "title_key")
        _fill_keys("songs", "name", "name_key")
        for name, target in INDEXES.items():
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")
        has_trigram = op.get_bind().scalar(
            sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")
        )
        if has_trigram:
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            op.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TRIGRAM_INDEX} "
                "ON search_terms USING gin (term gin_trgm_ops)"
            )


def downgrade() -> None:
    # Keys stay filled (the previous revision drops the columns); pg_trgm stays installed.
    with op.get_context().autocommit_block():
        for name in (*INDEXES, TRIGRAM_INDEX):
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
