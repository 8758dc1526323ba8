"""search: folded keys, weighted search vectors kept by triggers, a vocabulary for typos

Songs get ``name_key`` (folded by the app) and the folded names of their artist and album
(``artist_key``, ``album_key``, kept in step by triggers); artists and albums get the same. A
trigger builds each row's ``search_vector`` (``simple`` configuration: the app folds case and
accents itself, so ``unaccent`` is not needed). ``search_terms`` holds every indexed word; with
``pg_trgm`` (where the server has it) a trigram index on it finds corrections for typos.

This revision only changes the schema, in one short transaction: columns are added without
defaults (no table rewrite). The next revision fills the keys in batches and builds the indexes
CONCURRENTLY, so a populated table is never locked for long.

Revision ID: 3c9d2f7e8a41
Revises: a85116b6cf7e
Create Date: 2026-11-23 16:10:00+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3c9d2f7e8a41"
down_revision: str | Sequence[str] | None = "a85116b6cf7e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sqlmodel.sql.sqltypes.AutoString(length=200)

FUNCTIONS = {
    # Words as queries split them: PostgreSQL's parser would keep "ac/dc" or "blink-182" whole.
    "search_words": """
        CREATE FUNCTION search_words(key text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN to_tsvector('simple', regexp_replace(coalesce(key, ''), '[[:punct:]]+', ' ', 'g'))""",
    "artists_search_vector": """
        CREATE FUNCTION artists_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_vector := setweight(search_words(NEW.name_key), 'A');
            RETURN NEW;
        END $$""",
    "albums_search_vector": """
        CREATE FUNCTION albums_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' OR NEW.artist_key IS NULL OR NEW.artist_id IS DISTINCT FROM OLD.artist_id THEN
                NEW.artist_key := (SELECT name_key FROM artists WHERE id = NEW.artist_id);
            END IF;
            NEW.search_vector := setweight(search_words(NEW.title_key), 'A')
                || setweight(search_words(NEW.artist_key), 'B');
            RETURN NEW;
        END $$""",
    "songs_search_vector": """
        CREATE FUNCTION songs_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' OR NEW.artist_key IS NULL OR NEW.artist_id IS DISTINCT FROM OLD.artist_id THEN
                NEW.artist_key := (SELECT name_key FROM artists WHERE id = NEW.artist_id);
            END IF;
            IF TG_OP = 'INSERT' OR NEW.album_key IS NULL OR NEW.album_id IS DISTINCT FROM OLD.album_id THEN
                NEW.album_key := (SELECT title_key FROM albums WHERE id = NEW.album_id);
            END IF;
            NEW.search_vector := setweight(search_words(NEW.name_key), 'A')
                || setweight(search_words(NEW.artist_key), 'B')
                || setweight(search_words(NEW.album_key), 'C');
            RETURN NEW;
        END $$""",
    # A renamed artist or album keeps the keys of the rows that show its name in step, and
    # moves the version of the songs whose representation shows it (their ETags change);
    # maintenance that only fills keys moves no version.
    "artists_propagate_name": """
        CREATE FUNCTION artists_propagate_name() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            renamed integer := (NEW.name IS DISTINCT FROM OLD.name)::integer;
        BEGIN
            UPDATE songs SET artist_key = NEW.name_key, version = version + renamed
                WHERE artist_id = NEW.id AND (renamed = 1 OR artist_key IS DISTINCT FROM NEW.name_key);
            UPDATE albums SET artist_key = NEW.name_key
                WHERE artist_id = NEW.id AND artist_key IS DISTINCT FROM NEW.name_key;
            RETURN NULL;
        END $$""",
    "albums_propagate_title": """
        CREATE FUNCTION albums_propagate_title() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE songs SET album_key = NEW.title_key
                WHERE album_id = NEW.id AND album_key IS DISTINCT FROM NEW.title_key;
            RETURN NULL;
        END $$""",
    "search_terms_collect": """
        CREATE FUNCTION search_terms_collect() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO search_terms (term)
                SELECT DISTINCT word FROM unnest(tsvector_to_array(NEW.search_vector)) AS word
                WHERE length(word) BETWEEN 3 AND 100
                ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",
}
TRIGGERS = [
    ("artists_search_vector", "artists", "BEFORE INSERT OR UPDATE OF name_key", "artists_search_vector"),
    ("albums_search_vector", "albums", "BEFORE INSERT OR UPDATE OF title_key, artist_id, artist_key",
     "albums_search_vector"),
    ("songs_search_vector", "songs",
     "BEFORE INSERT OR UPDATE OF name_key, artist_id, album_id, artist_key, album_key",
     "songs_search_vector"),
    ("artists_propagate_name", "artists", "AFTER UPDATE OF name, name_key", "artists_propagate_name"),
    ("albums_propagate_title", "albums", "AFTER UPDATE OF title_key", "albums_propagate_title"),
    ("artists_search_terms", "artists", "AFTER INSERT OR UPDATE OF search_vector", "search_terms_collect"),
    ("albums_search_terms", "albums", "AFTER INSERT OR UPDATE OF search_vector", "search_terms_collect"),
    ("songs_search_terms", "songs", "AFTER INSERT OR UPDATE OF search_vector", "search_terms_collect"),
]  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(length=100, collation="C"), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
    )
    for table in ("artists", "albums", "songs"):
        op.add_column(table, sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True))
    op.add_column("albums", sa.Column("title_key", KEY, nullable=True))
    op.add_column("albums", sa.Column("artist_key", KEY, nullable=True))
    op.add_column("songs", sa.Column("name_key", KEY, nullable=True))
    op.add_column("songs", sa.Column("artist_key", KEY, nullable=True))
    op.add_column("songs", sa.Column("album_key", KEY, nullable=True))
    for definition in FUNCTIONS.values():
        op.execute(definition)
    for name, table, when, function in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()")


def downgrade() -> None:
    for name, table, _when, _function in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}")
    for column in ("name_key", "artist_key", "album_key", "search_vector"):
        op.drop_column("songs", column)
    for column in ("title_key", "artist_key", "search_vector"):
        op.drop_column("albums", column)
    op.drop_column("artists", "search_vector")
    op.drop_table("search_terms")
