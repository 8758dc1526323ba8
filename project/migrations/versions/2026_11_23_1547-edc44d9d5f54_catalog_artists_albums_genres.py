"""catalog: artists, albums and genres as resources; songs link to them

Every existing song's artist string becomes an ``artists`` row (one per name, ignoring case,
accents and extra spaces) and the song is linked to it; the downgrade writes the names back.
Albums and genres have no earlier shape, so a downgrade drops them.

Revision ID: edc44d9d5f54
Revises: 5a9efb75dc7d
Create Date: 2026-11-23 15:47:23.593254+00:00

"""

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "edc44d9d5f54"
down_revision: str | Sequence[str] | None = "5a9efb75dc7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = ("artists", "albums", "genres", "songs")
SONG_CHECKS = {
    "track_number_positive": "track_number >= 1",
    "disc_number_positive": "disc_number >= 1",
    "duration_positive": "duration_ms > 0",
    "isrc_format": "isrc ~ '^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$'",
}
# updated_at moves with the version: every change a client can see bumps the version, while
# maintenance (say, filling a derived column) leaves both alone.
SET_UPDATED_AT = """
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version IS DISTINCT FROM OLD.version THEN
        NEW.updated_at = now();
    END IF;
    RETURN NEW;
END
$$
"""


# Frozen copies of app.core.text.match_key and the default sort name at the time of this
# revision: a migration must not change meaning when the app's code does.
def _match_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _sort_name(name: str) -> str:
    for article in ("the ", "a ", "an "):
        if name.lower().startswith(article) and len(name) > len(article):
            return f"{name[len(article) :]}, {name[: len(article) - 1]}"
    return name


def _link_songs_to_artists() -> None:
    """One artist per distinct name key, named by its most common spelling among the songs."""
    bind = op.get_bind()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for artist, count in bind.execute(sa.text("SELECT artist, count(*) FROM songs GROUP BY artist")):
        spellings[_match_key(artist)][artist] = count
    bind.execute(sa.text("CREATE TEMPORARY TABLE artist_map (artist varchar(200), name_key varchar(200))"))
    insert_artist = sa.text(
        "INSERT INTO artists (name, name_key, sort_name) VALUES (:name, :name_key, :sort_name)"
    )
    for key, counts in sorted(spellings.items()):
        name = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0].strip()
        bind.execute(insert_artist, {"name": name, "name_key": key, "sort_name": _sort_name(name)})
        bind.execute(
            sa.text("INSERT INTO artist_map (artist, name_key) VALUES (:artist, :name_key)"),
            [{"artist": spelling, "name_key": key} for spelling in counts],
        )
    bind.execute(
        sa.text(
            "UPDATE songs SET artist_id = artists.id FROM artist_map JOIN artists USING (name_key) "
            "WHERE songs.artist = artist_map.artist"
        )
    )
    bind.execute(sa.text("DROP TABLE artist_map"))


def upgrade() -> None:
    op.create_table(
        "artists",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sort_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("mbid", sa.Uuid(), nullable=True),
        sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name=op.f("ck_artists_country_alpha2")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artists")),
        sa.UniqueConstraint("mbid", name=op.f("uq_artists_mbid")),
    )
    op.create_index(op.f("ix_artists_name_key"), "artists", ["name_key"], unique=False)
    op.create_table(
        "genres",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_genres")),
        sa.UniqueConstraint("name_key", name=op.f("uq_genres_name_key")),
    )
    op.create_table(
        "albums",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("barcode", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True),
        sa.CheckConstraint("barcode ~ '^[0-9]{12,13}$'", name=op.f("ck_albums_barcode_digits")),
        sa.ForeignKeyConstraint(
            ["artist_id"], ["artists.id"], name=op.f("fk_albums_artist_id_artists"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_albums")),
        sa.UniqueConstraint("barcode", name=op.f("uq_albums_barcode")),
    )
    op.create_index(op.f("ix_albums_artist_id"), "albums", ["artist_id"], unique=False)
    op.create_table(
        "song_genres",
        sa.Column("song_id", sa.Integer(), nullable=False),
        sa.Column("genre_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["genre_id"], ["genres.id"], name=op.f("fk_song_genres_genre_id_genres"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["song_id"], ["songs.id"], name=op.f("fk_song_genres_song_id_songs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("song_id", "genre_id", name=op.f("pk_song_genres")),
    )
    op.create_index(op.f("ix_song_genres_genre_id"), "song_genres", ["genre_id"], unique=False)
    op.add_column(
        "songs",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.add_column(
        "songs",
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.add_column("songs", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    op.add_column("songs", sa.Column("artist_id", sa.Integer(), nullable=True))  # filled below
    op.add_column("songs", sa.Column("album_id", sa.Integer(), nullable=True))
    op.add_column("songs", sa.Column("track_number", sa.Integer(), nullable=True))
    op.add_column("songs", sa.Column("disc_number", sa.Integer(), nullable=True))
    op.add_column("songs", sa.Column("duration_ms", sa.Integer(), nullable=True))
    op.add_column("songs", sa.Column("isrc", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))
    _link_songs_to_artists()
    op.alter_column("songs", "artist_id", nullable=False)
    op.drop_column("songs", "artist")
    op.create_index(op.f("ix_songs_artist_id"), "songs", ["artist_id"], unique=False)
    op.create_index(op.f("ix_songs_year"), "songs", ["year"], unique=False)
    op.create_unique_constraint(
        op.f("uq_songs_album_position"), "songs", ["album_id", "disc_number", "track_number"]
    )
    op.create_unique_constraint(op.f("uq_songs_isrc"), "songs", ["isrc"])
    op.create_foreign_key(
        op.f("fk_songs_artist_id_artists"), "songs", "artists", ["artist_id"], ["id"], ondelete="RESTRICT"
    )
    op.create_foreign_key(
        op.f("fk_songs_album_id_albums"), "songs", "albums", ["album_id"], ["id"], ondelete="RESTRICT"
    )
    for name, condition in SONG_CHECKS.items():
        op.create_check_constraint(op.f(f"ck_songs_{name}"), "songs", condition)
    op.execute(SET_UPDATED_AT)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE OF version ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_set_updated_at ON {table}")
    op.execute("DROP FUNCTION set_updated_at()")
    for name in SONG_CHECKS:
        op.drop_constraint(op.f(f"ck_songs_{name}"), "songs", type_="check")
    op.add_column("songs", sa.Column("artist", sa.VARCHAR(length=200), autoincrement=False, nullable=True))
    op.execute("UPDATE songs SET artist = artists.name FROM artists WHERE artists.id = songs.artist_id")
    op.alter_column("songs", "artist", nullable=False)
    op.drop_constraint(op.f("fk_songs_album_id_albums"), "songs", type_="foreignkey")
    op.drop_constraint(op.f("fk_songs_artist_id_artists"), "songs", type_="foreignkey")
    op.drop_constraint(op.f("uq_songs_isrc"), "songs", type_="unique")
    op.drop_constraint(op.f("uq_songs_album_position"), "songs", type_="unique")
    op.drop_index(op.f("ix_songs_year"), table_name="songs")
    op.drop_index(op.f("ix_songs_artist_id"), table_name="songs")
    op.drop_column("songs", "isrc")
    op.drop_column("songs", "duration_ms")
    op.drop_column("songs", "disc_number")
    op.drop_column("songs", "track_number")
    op.drop_column("songs", "album_id")
    op.drop_column("songs", "artist_id")
    op.drop_column("songs", "version")
    op.drop_column("songs", "updated_at")
    op.drop_column("songs", "created_at")
    op.drop_index(op.f("ix_song_genres_genre_id"), table_name="song_genres")
    op.drop_table("song_genres")
    op.drop_index(op.f("ix_albums_artist_id"), table_name="albums")
    op.drop_table("albums")
    op.drop_table("genres")
    op.drop_index(op.f("ix_artists_name_key"), table_name="artists")
    op.drop_table("artists")
