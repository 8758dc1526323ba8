"""Running searches: typo corrections from the vocabulary, then one ranked, paged query."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Float, Integer, Select, String, cast, literal, null, select, text, union, union_all

from app.core.cache import LruCache
from app.core.pagination import Ordering, Sortable, fetch_page
from app.core.prepared import Prepared
from app.db import ConnectionSource, Db, Queries
from app.errors import BadRequestError
from app.problems import is_database_unavailable
from app.search.kinds import DISPLAY_COLUMNS, KIND_RANK, KINDS
from app.search.plan import Plan, text_array
from app.search.query import QuerySyntaxError, parse_query
from app.songs.queries import albums, artists, songs

logger = logging.getLogger(__name__)

MAX_CORRECTIONS = 3
# Matches ranked per kind (see _scored): any matches, and matches named exactly as asked.
CANDIDATES = 200
EXACT_CANDIDATES = 100
_CORRECTIONS = Prepared.compile(
    text(
        """
    SELECT word, term FROM unnest(CAST(:words AS text[])) AS asked(word)
    CROSS JOIN LATERAL (
        SELECT term FROM search_terms
        WHERE term % asked.word AND term <> asked.word
        ORDER BY similarity(term, asked.word) DESC, term
        LIMIT :limit
    ) AS candidates
    WHERE NOT EXISTS (
        -- a word we know (or, for the word being typed, the start of one) needs no correction
        SELECT 1 FROM search_terms known
        WHERE known.term = asked.word
           OR (asked.word = ANY(CAST(:prefixes AS text[]))
               AND known.term >= asked.word AND known.term < asked.word || chr(1114111))
    )
    """
    )
)
_TRIGRAM_INDEX = Prepared.compile(
    text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_search_terms_term_trgm'")
)


async def detect_fuzzy_search(db: Queries) -> bool:
    """Typo tolerance needs pg_trgm and the trigram index the migration built with it."""
    return bool(await db.fetchval(_TRIGRAM_INDEX))


async def fuzzy_search_available(app: FastAPI, db: Queries) -> bool:
    cached: bool | None = getattr(app.state, "fuzzy_search", None)
    if cached is None:
        cached = await detect_fuzzy_search(db)
        app.state.fuzzy_search = cached
        if not cached:
            logger.warning(
                "search: pg_trgm is not available on this PostgreSQL server; searching without typo tolerance"
            )
    return cached


async def announce_search_capabilities(app: FastAPI) -> None:
    """Say at startup whether search tolerates typos (a database that is down is checked later)."""
    database: ConnectionSource = app.state.database
    try:
        async with database.connection() as connection:
            fuzzy = await fuzzy_search_available(app, Db(connection))
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        logger.warning("search: database unreachable at startup; capabilities checked later")
        return
    if fuzzy:
        logger.info("search: typo tolerance on (pg_trgm)")


async def make_plan(db: Queries, query: str, *, fuzzy: bool) -> Plan:
    try:
        plan = Plan(parse_query(query))
    except QuerySyntaxError as exc:
        raise BadRequestError(f"Cannot read q: {exc}", parameter="q", column=exc.column) from exc
    words = plan.fuzzy_words()
    if fuzzy and words:
        prefixes = [word for word, prefix in plan.positive_words() if prefix]
        rows = await db.fetch(_CORRECTIONS, {"words": words, "prefixes": prefixes, "limit": MAX_CORRECTIONS})
        for word, term in rows:
            plan.corrections.setdefault(word, []).append(term)
    return plan


def _scored(plan: Plan, kind_name: str, *, fuzzy: bool) -> Any:
    """The kind's matches with their relevance, scored on the table's own columns.

    Ranking every match of a common word would cost a scan of tens of thousands of rows, so the
    candidates are bounded: up to ``CANDIDATES`` matches as the index yields them, plus up to
    ``EXACT_CANDIDATES`` rows named exactly like the query (found through B-tree indexes),
    which rank first. Each part scores its own rows; UNION merges rows found twice.
    """
    kind = KINDS[kind_name]
    table = kind.table
    condition = plan.condition(kind, fuzzy=fuzzy)
    scored = select(
        literal(kind_name, String).label("kind"),
        literal(KIND_RANK[kind_name], Integer).label("kind_rank"),
        table.c.id.label("id"),
        plan.relevance(kind, fuzzy=fuzzy).label("score"),
    )
    parts = [scored.where(condition).limit(CANDIDATES)]
    names = plan.exact_names()
    if names:
        parts += [
            scored.where(lookup(text_array(names)), condition).limit(EXACT_CANDIDATES)
            for lookup in kind.exact_lookups
        ]
    return union(*parts)


def _display(kind_name: str, ids: list[int]) -> Any:
    """The display fields of one kind's results on the page."""
    kind = KINDS[kind_name]
    if kind_name == "song":
        source = songs.join(artists, artists.c.id == songs.c.artist_id).outerjoin(
            albums, albums.c.id == songs.c.album_id
        )
    elif kind_name == "album":
        source = albums.join(artists, artists.c.id == albums.c.artist_id)
    else:
        source = artists
    columns = [literal(kind_name, String).label("kind"), kind.table.c.id.label("id")]
    for name, column in DISPLAY_COLUMNS[kind_name].items():
        value = column if column is not None else null()
        columns.append(cast(value, Integer if name == "year" else String).label(name))
    return select(*columns).select_from(source).where(kind.table.c.id.in_(ids))


def _ranking(plan: Plan, kinds: Sequence[str], *, fuzzy: bool) -> tuple[Select[Any], Ordering]:
    results = union_all(*(_scored(plan, kind, fuzzy=fuzzy).subquery().select() for kind in kinds)).subquery(
        "results"
    )
    ordering = Ordering.parse(
        "-score,-kind_rank,-id",
        {
            "score": Sortable(cast(results.c.score, Float), parse=float),
            "kind_rank": Sortable(results.c.kind_rank),
            "id": Sortable(results.c.id),
        },
    )
    return select(results), ordering


# The ranking statement of a search depends only on the parsed query, its corrections, the kinds
# and fuzziness; building it is most of a search's Python time, so recent ones are kept (and,
# through fetch_page, their compiled SQL, which PostgreSQL can then plan once).
_RANKINGS: LruCache[tuple[str, str, tuple[str, ...], bool], tuple[Select[Any], Ordering]] = LruCache(1024)


async def search(
    db: Queries,
    plan: Plan,
    *,
    kinds: Sequence[str],
    fuzzy: bool,
    cursor: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ranked results: a query for the ranking, one for the page's display fields."""
    key = (repr(plan.tree), repr(sorted(plan.corrections.items())), tuple(kinds), fuzzy)
    ranking = _RANKINGS.get(key)
    if ranking is None:
        ranking = _RANKINGS.put(key, _ranking(plan, kinds, fuzzy=fuzzy))
    statement, ordering = ranking
    ranked, next_cursor = await fetch_page(
        db, statement, ordering, cursor=cursor, limit=limit, shape=("search", key)
    )
    if not ranked:
        return [], next_cursor
    by_kind: dict[str, list[int]] = {}
    for row in ranked:
        by_kind.setdefault(row["kind"], []).append(row["id"])
    shown = union_all(*(_display(kind, ids) for kind, ids in by_kind.items()))
    fields = {(row["kind"], row["id"]): dict(row) for row in await db.fetch(shown)}
    return [{**fields[(row["kind"], row["id"])], "score": row["score"]} for row in ranked], next_cursor
