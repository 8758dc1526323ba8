"""A realistic catalog of N songs, loaded fast with COPY.

Shape: ~N/20 artists, ~N/10 albums (about 80 % of songs are album tracks numbered 1..k, the
rest singles), 40 genres, years (some unknown), durations, valid unique ISRCs on 60 % of the
songs. Names are drawn from a vocabulary with Zipf-like word frequencies (a few words are very
common, most are rare), so searches match as many rows as they would in a real catalog, and some
well-known real artists and songs are planted ("Mogwai" - "Midnight Fit", "Radiohead", "Sigur
Rós", ...) for the typical queries to find.

Loading: one transaction, with ``session_replication_role = replica`` (no triggers, no foreign
key checks) and the secondary indexes dropped and rebuilt at the end. What the search triggers
would have done (``artist_key``, ``album_key``, ``search_vector``, the ``search_terms``
vocabulary) is computed with the triggers' own expressions (see the migration
``3c9d2f7e8a41_search_columns``) in set-based SQL, and the keys the app sets (``name_key``,
``title_key``) come from ``app.core.text.match_key``. The number of songs is kept in
``bench_meta``: a database already holding the same dataset is not loaded again, only cleaned
of the rows that earlier benchmark runs created.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from app.artists.service import default_sort_name
from app.core.text import match_key

DATASET_VERSION = 2
SEED = 20261123
CHUNK = 100_000
Log = Callable[[str], None] | None

# Common title words first (they get the highest Zipf ranks), then invented words.
COMMON_WORDS = """
the you my me love of in to your night heart time day life world way dream light baby girl home man
night blue fire rain song dance sun eyes mind soul away tonight rock gold summer run back sky star
moon black wild red sweet kiss hold river road city lost young fall free shadow ghost blood alone
forever ocean storm silver winter paradise angel devil heaven hell stone glass paper window morning
midnight sunday friday highway memory echo silence thunder lightning honey sugar candy magic crazy
lonely broken happy golden electric velvet neon crystal diamond shine burn fly cry smile walk talk
call fade rise wake sleep feel stay leave come home street world party radio satellite machine
system signal ritual tide wave island desert forest mountain valley garden flower rose lily spring
autumn october july december north south east west mirror circle secret promise letter story chance
reason truth lies war peace hope faith grace glory kingdom empire crown king queen prince princess
hero stranger friend lover sister brother mother father child children people nation revolution
freedom future past yesterday tomorrow today minute hour second forever never always again nothing
everything something someone nobody body bones skin hands lips tears breath voice words name number
zero one two three four five seven ten hundred thousand million first last little big long slow fast
high low deep cold warm hot dark bright white green yellow purple grey orange pink wonder fit nice
somewhere take give make break keep turn open close start stop remember forget believe
""".split()  # noqa: SIM905 - a word list reads best as text
ONSETS = """
b br c ch cl d dr f fl fr g gl gr h j k l m n p pl pr r s sh sl st t th tr v w y z
""".split()  # noqa: SIM905 - a word list reads best as text
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ee", "oo", "ou", "io", "ia"]
CODAS = ["", "", "", "n", "r", "s", "l", "m", "nd", "st", "ck", "ng", "x", "th", "rt", "sh"]
GENRES = (
    "Rock", "Pop", "Post-Rock", "Indie", "Electronic", "Ambient", "Jazz", "Blues", "Soul", "Funk",
    "Hip-Hop", "R&B", "Country", "Folk", "Classical", "Metal", "Punk", "Reggae", "Disco", "House",
    "Techno", "Drum and Bass", "Dubstep", "Trip-Hop", "Shoegaze", "Grunge", "Alternative",
    "Singer-Songwriter", "Latin", "K-Pop", "J-Pop", "Afrobeat", "Gospel", "Opera", "Soundtrack",
    "Experimental", "Noise", "Lo-Fi", "Synthwave", "World",
)  # fmt: skip
COUNTRIES = ("US", "GB", "DE", "FR", "SE", "IS", "JP", "CA", "AU", "NL", "NO", "IE", "BR", "KR", "ES")
# Real artists and some of their songs (name, year), so that typical searches find them.
PLANTED: dict[str, list[tuple[str, int]]] = {
    "Mogwai": [("Midnight Fit", 2021), ("Take Me Somewhere Nice", 2001), ("Mogwai Fear Satan", 1997),
               ("Auto Rock", 2006), ("Friend of the Night", 2006), ("Ritchie Sacramento", 2017),
               ("Dry Fantasy", 2021), ("Hunted by a Freak", 2003)],
    "Radiohead": [("Creep", 1992), ("Karma Police", 1997), ("Paranoid Android", 1997),
                  ("No Surprises", 1997), ("High and Dry", 1995), ("Fake Plastic Trees", 1995),
                  ("Street Spirit", 1995), ("Everything in Its Right Place", 2000),
                  ("Idioteque", 2000), ("Reckoner", 2007)],
    "Ed Sheeran": [("Shape of You", 2017), ("Perfect", 2017), ("Thinking Out Loud", 2014),
                   ("Photograph", 2014), ("Castle on the Hill", 2017), ("Bad Habits", 2021)],
    "Sigur Rós": [("Hoppípolla", 2005), ("Svefn-g-englar", 1999), ("Glósóli", 2005),
                  ("Sæglópur", 2005), ("Starálfur", 1999), ("Untitled 3", 2002)],
    "Björk": [("Jóga", 1997), ("Hyperballad", 1995), ("Army of Me", 1995), ("Bachelorette", 1997)],
    "The Beatles": [("Let It Be", 1970), ("Yesterday", 1965), ("Hey Jude", 1968),
                    ("Come Together", 1969), ("Here Comes the Sun", 1969)],
    "Slint": [("Good Morning, Captain", 1991), ("Breadcrumb Trail", 1991), ("Washer", 1991)],
    "Boards of Canada": [("Roygbiv", 1998), ("Dayvan Cowboy", 2005), ("Olson", 1998)],
    "Explosions in the Sky": [("Your Hand in Mine", 2003), ("First Breath After Coma", 2003)],
}  # fmt: skip


@dataclass(frozen=True)
class Loaded:
    songs: int
    max_song_id: int
    max_artist_id: int
    max_album_id: int
    max_genre_id: int


def vocabulary(rng: random.Random, size: int = 6_000) -> list[str]:
    """Real common words first, then pronounceable invented words, most frequent first."""
    words = list(dict.fromkeys(COMMON_WORDS))
    seen = set(words)
    while len(words) < size:
        syllables = rng.choice((1, 2, 2, 2, 3, 3))
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables)) + rng.choice(CODAS)
        if 3 <= len(word) <= 12 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Names:
    """Title-cased names of 1-4 words, word frequencies Zipf-Mandelbrot: 1 / (rank + 10) ** 1.05.

    The offset flattens the head as in real titles: "love" is in about 4 % of them, not 30 %.
    """

    def __init__(self, rng: random.Random, words: Sequence[str]) -> None:
        self.rng = rng
        self.words = list(words)
        self.cum_weights = list(
            itertools.accumulate(1.0 / ((rank + 10) ** 1.05) for rank in range(1, len(words) + 1))
        )
        self._pool: list[str] = []

    def _word(self) -> str:
        if not self._pool:
            self._pool = self.rng.choices(self.words, cum_weights=self.cum_weights, k=200_000)
        return self._pool.pop()

    def name(self, lengths: Sequence[int], weights: Sequence[int]) -> str:
        count = self.rng.choices(lengths, weights)[0]
        return " ".join(self._word().capitalize() for _ in range(count))


def _isrc(ordinal: int, country: str, year: int | None) -> str:
    registrant = ""
    value = ordinal // 100_000
    for _ in range(3):
        value, digit = divmod(value, 36)
        registrant = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + registrant
    return f"{country}{registrant}{(year or 2000) % 100:02d}{ordinal % 100_000:05d}"


def _ean13(ordinal: int) -> str:
    body = f"50{ordinal:010d}"
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _year(rng: random.Random) -> int:
    # More recent music than old music: 1955..2025, skewed towards now.
    return 2025 - int(70 * rng.random() ** 1.6)


@dataclass
class Catalog:
    """The generated rows, as COPY records."""

    artists: list[tuple[Any, ...]]
    albums: list[tuple[Any, ...]]
    genres: list[tuple[Any, ...]]
    song_chunks: Iterator[tuple[list[tuple[Any, ...]], list[tuple[int, int]]]]


def generate(song_count: int, seed: int = SEED) -> Catalog:
    rng = random.Random(seed)
    # A bigger catalog has a bigger vocabulary (about one new word per 20 songs).
    names = Names(rng, vocabulary(rng, size=min(50_000, max(6_000, song_count // 20))))
    artist_count = max(len(PLANTED), song_count // 20)
    album_count = max(len(PLANTED), song_count // 10)

    artists: list[tuple[Any, ...]] = []
    used: set[str] = set()
    for name in PLANTED:
        used.add(match_key(name))
        artists.append((len(artists) + 1, name, match_key(name), default_sort_name(name), None))
    while len(artists) < artist_count:
        name = names.name((1, 2, 3), (35, 45, 20))
        if rng.random() < 0.12:
            name = "The " + name
        key = match_key(name)
        if key in used and rng.random() < 0.9:  # a few namesakes, as in real catalogs
            continue
        used.add(key)
        country = rng.choice(COUNTRIES) if rng.random() < 0.6 else None
        artists.append((len(artists) + 1, name, key, default_sort_name(name), country))

    # Albums and singles go to popular artists more often than to obscure ones. The planted
    # artists are fairly popular (ranks 50, 90, 130, ...): some hundred songs each at 1M songs.
    artist_weights = list(itertools.accumulate(1.0 / (rank**0.6) for rank in range(1, artist_count + 1)))
    by_popularity = list(range(len(PLANTED) + 1, artist_count + 1))
    rng.shuffle(by_popularity)
    for index in range(len(PLANTED)):
        by_popularity.insert(min(len(by_popularity), 49 + 40 * index), index + 1)
    albums: list[tuple[Any, ...]] = []
    album_year: list[int | None] = [None]
    for index in range(album_count):
        planted = index < len(PLANTED)
        artist_id = index + 1 if planted else rng.choices(by_popularity, cum_weights=artist_weights)[0]
        title = names.name((1, 2, 3), (40, 40, 20))
        year = _year(rng) if rng.random() > 0.04 else None
        barcode = _ean13(index) if rng.random() < 0.5 else None
        albums.append((index + 1, title, match_key(title), artist_id, year, barcode))
        album_year.append(year)
    genres = [(index + 1, name, match_key(name)) for index, name in enumerate(GENRES)]
    album_genres = [
        rng.sample(range(1, len(GENRES) + 1), rng.choice((1, 1, 2))) for _ in range(album_count + 1)
    ]

    def song_chunks() -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[int, int]]]]:
        songs: list[tuple[Any, ...]] = []
        links: list[tuple[int, int]] = []
        song_id = 0
        isrc_ordinal = 0

        def add(name: str, artist_id: int, album_id: int | None, track: int | None, year: int | None) -> None:
            nonlocal song_id, isrc_ordinal
            song_id += 1
            duration = int(rng.lognormvariate(12.25, 0.35)) if rng.random() > 0.03 else None
            if duration is not None:
                duration = min(max(duration, 30_000), 1_200_000)
            isrc = None
            if rng.random() < 0.6:
                isrc_ordinal += 1
                isrc = _isrc(isrc_ordinal, rng.choice(COUNTRIES), year)
            disc = 1 if track is not None else None
            songs.append(
                (song_id, name, match_key(name), artist_id, album_id, track, disc, duration, year, isrc)
            )
            song_genres = album_genres[album_id or 0] if album_id else []
            roll = rng.random()
            if not album_id:
                song_genres = rng.sample(
                    range(1, len(GENRES) + 1), 1 if roll < 0.7 else (0 if roll < 0.9 else 2)
                )
            elif roll < 0.15:
                song_genres = []
            links.extend((song_id, genre_id) for genre_id in song_genres)

        # The planted songs first, each on its artist's planted album.
        for artist_index, titles in enumerate(PLANTED.values()):
            for track, (title, released) in enumerate(titles, start=1):
                add(title, artist_index + 1, artist_index + 1, track, released)
        album_id = len(PLANTED)
        while song_id < song_count:
            if album_id < album_count and rng.random() < 0.9:
                album_id += 1
                _, _, _, artist_id, year, _ = albums[album_id - 1]
                for track in range(1, rng.randint(1, 15) + 1):
                    if song_id >= song_count:
                        break
                    add(names.name((1, 2, 3, 4), (25, 40, 25, 10)), artist_id, album_id, track, year)
            else:
                artist_id = rng.choices(by_popularity, cum_weights=artist_weights)[0]
                year = _year(rng) if rng.random() > 0.08 else None
                add(names.name((1, 2, 3, 4), (25, 40, 25, 10)), artist_id, None, None, year)
            if len(songs) >= CHUNK:
                yield songs, links
                songs, links = [], []
        if songs:
            yield songs, links

    return Catalog(artists=artists, albums=albums, genres=genres, song_chunks=song_chunks())


SONG_COLUMNS = (
    "id", "name", "name_key", "artist_id", "album_id", "track_number", "disc_number",
    "duration_ms", "year", "isrc",
)  # fmt: skip
# The search triggers' expressions (migration 3c9d2f7e8a41), applied to whole tables.
FILL_ARTISTS = "UPDATE artists SET search_vector = setweight(search_words(name_key), 'A')"
FILL_ALBUMS = """
UPDATE albums SET artist_key = artists.name_key,
    search_vector = setweight(search_words(albums.title_key), 'A')
        || setweight(search_words(artists.name_key), 'B')
FROM artists WHERE artists.id = albums.artist_id
"""
INSERT_SONGS = f"""
INSERT INTO songs ({", ".join(SONG_COLUMNS)}, artist_key, album_key, search_vector)
SELECT {", ".join("s." + column for column in SONG_COLUMNS)}, artists.name_key, albums.title_key,
    setweight(search_words(s.name_key), 'A')
        || setweight(search_words(artists.name_key), 'B')
        || setweight(search_words(albums.title_key), 'C')
FROM bench_stage_songs s
JOIN artists ON artists.id = s.artist_id
LEFT JOIN albums ON albums.id = s.album_id
"""  # noqa: S608 - constant column names
FILL_TERMS = """
INSERT INTO search_terms (term)
SELECT DISTINCT word FROM (
    SELECT unnest(tsvector_to_array(search_vector)) AS word FROM artists
    UNION ALL SELECT unnest(tsvector_to_array(search_vector)) FROM albums
    UNION ALL SELECT unnest(tsvector_to_array(search_vector)) FROM songs
) AS words
WHERE length(word) BETWEEN 3 AND 100
ON CONFLICT DO NOTHING
"""
META = """
CREATE TABLE IF NOT EXISTS bench_meta (
    songs integer NOT NULL, dataset_version integer NOT NULL, max_song_id integer NOT NULL,
    max_artist_id integer NOT NULL, max_album_id integer NOT NULL, max_genre_id integer NOT NULL,
    load_seconds double precision NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now()
)
"""
TABLES = ("song_genres", "songs", "albums", "artists", "genres", "search_terms", "idempotency_keys")


async def _secondary_indexes(connection: asyncpg.Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
    """Indexes of ``tables`` that back no constraint: dropped during the load, rebuilt after."""
    rows = await connection.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename = ANY($1::text[]) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        list(tables),
    )
    return [(row["indexname"], row["indexdef"]) for row in rows]


async def _reset_sequences(connection: asyncpg.Connection) -> None:
    for table in ("artists", "albums", "genres", "songs"):
        await connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )


async def loaded_state(connection: asyncpg.Connection) -> Loaded | None:
    await connection.execute(META)
    row = await connection.fetchrow("SELECT * FROM bench_meta WHERE dataset_version = $1", DATASET_VERSION)
    if row is None:
        return None
    return Loaded(
        row["songs"], row["max_song_id"], row["max_artist_id"], row["max_album_id"], row["max_genre_id"]
    )


async def remove_benchmark_writes(connection: asyncpg.Connection, state: Loaded) -> int:
    """Delete what earlier runs created (POST /songs) so every run starts from the same data."""
    async with connection.transaction():
        removed = int(
            (await connection.execute("DELETE FROM songs WHERE id > $1", state.max_song_id)).split()[-1]
        )
        await connection.execute(
            "DELETE FROM albums WHERE id > $1 AND NOT EXISTS "
            "(SELECT 1 FROM songs WHERE songs.album_id = albums.id)",
            state.max_album_id,
        )
        await connection.execute(
            "DELETE FROM artists WHERE id > $1 AND NOT EXISTS "
            "(SELECT 1 FROM songs WHERE songs.artist_id = artists.id) AND NOT EXISTS "
            "(SELECT 1 FROM albums WHERE albums.artist_id = artists.id)",
            state.max_artist_id,
        )
        await connection.execute(
            "DELETE FROM genres WHERE id > $1 AND NOT EXISTS "
            "(SELECT 1 FROM song_genres WHERE song_genres.genre_id = genres.id)",
            state.max_genre_id,
        )
        await connection.execute("DELETE FROM idempotency_keys")
        await _reset_sequences(connection)
    return removed


async def load(connection: asyncpg.Connection, song_count: int, log: Log = None) -> Loaded:
    """Replace the catalog with a generated one of ``song_count`` songs (one transaction)."""
    say = log or (lambda _message: None)
    started = time.perf_counter()
    catalog = generate(song_count)
    async with connection.transaction():
        await connection.execute("SET LOCAL session_replication_role = replica")
        await connection.execute("SET LOCAL maintenance_work_mem = '256MB'")
        await connection.execute(f"TRUNCATE {', '.join(TABLES)}, bench_meta RESTART IDENTITY")
        indexes = await _secondary_indexes(connection, ("songs", "song_genres", "albums", "artists"))
        for name, _definition in indexes:
            await connection.execute(f'DROP INDEX "{name}"')
        await connection.copy_records_to_table(
            "artists", records=catalog.artists, columns=["id", "name", "name_key", "sort_name", "country"]
        )
        await connection.copy_records_to_table(
            "albums",
            records=catalog.albums,
            columns=["id", "title", "title_key", "artist_id", "year", "barcode"],
        )
        await connection.copy_records_to_table(
            "genres", records=catalog.genres, columns=["id", "name", "name_key"]
        )
        await connection.execute(FILL_ARTISTS)
        await connection.execute(FILL_ALBUMS)
        await connection.execute(
            "CREATE TEMPORARY TABLE bench_stage_songs (id integer, name text, name_key text, "
            "artist_id integer, album_id integer, track_number integer, disc_number integer, "
            "duration_ms integer, year integer, isrc text) ON COMMIT DROP"
        )
        copied = 0
        for songs, links in catalog.song_chunks:
            await connection.copy_records_to_table("bench_stage_songs", records=songs, columns=SONG_COLUMNS)
            await connection.copy_records_to_table(
                "song_genres", records=links, columns=["song_id", "genre_id"]
            )
            copied += len(songs)
            say(f"dataset: generated and copied {copied:,} songs ({time.perf_counter() - started:.1f} s)")
        await connection.execute(INSERT_SONGS)
        say(f"dataset: songs inserted with their search vectors ({time.perf_counter() - started:.1f} s)")
        await connection.execute(FILL_TERMS)
        for _name, definition in indexes:
            await connection.execute(definition)
        say(f"dataset: indexes rebuilt ({time.perf_counter() - started:.1f} s)")
        await _reset_sequences(connection)
        state = Loaded(song_count, copied, len(catalog.artists), len(catalog.albums), len(catalog.genres))
        await connection.execute(
            "INSERT INTO bench_meta (songs, dataset_version, max_song_id, max_artist_id, max_album_id, "
            "max_genre_id, load_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            song_count, DATASET_VERSION, state.max_song_id, state.max_artist_id, state.max_album_id,
            state.max_genre_id, time.perf_counter() - started,
        )  # fmt: skip
    for table in (*TABLES, "bench_meta"):
        await connection.execute(f"VACUUM ANALYZE {table}")
    say(f"dataset: committed, vacuumed and analysed ({time.perf_counter() - started:.1f} s)")
    return state


async def ensure_loaded(dsn: str, song_count: int, log: Log = None) -> bool:
    """Load the dataset unless the database already holds it; returns whether it loaded."""
    connection = await asyncpg.connect(dsn)
    try:
        state = await loaded_state(connection)
        if state is not None and state.songs == song_count:
            removed = await remove_benchmark_writes(connection, state)
            if removed and log:
                log(f"dataset: removed {removed:,} songs created by earlier benchmark runs")
            return False
        await load(connection, song_count, log)
        return True
    finally:
        await connection.close()
