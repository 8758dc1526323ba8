"""Running searches: typo corrections from the vocabulary, then one ranked, paged query."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Float, Integer, String, cast, literal, null, select, text, union_all
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.pagination import Ordering, Row, Sortable, fetch_page
from app.errors import BadRequestError
from app.problems import is_database_unavailable
from app.search.kinds import DISPLAY_COLUMNS, KIND_RANK, KINDS
from app.search.plan import Plan
from app.search.query import QuerySyntaxError, parse_query
from app.songs.queries import albums, artists, songs

logger = logging.getLogger(__name__)

MAX_CORRECTIONS = 3
_CORRECTIONS = text(
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


async def detect_fuzzy_search(session: AsyncSession) -> bool:
    """Typo tolerance needs pg_trgm and the trigram index the migration built with it."""
    found = await session.scalar(
        text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_search_terms_term_trgm'")
    )
    return bool(found)


async def fuzzy_search_available(app: FastAPI, session: AsyncSession) -> bool:
    cached: bool | None = getattr(app.state, "fuzzy_search", None)
    if cached is None:
        cached = await detect_fuzzy_search(session)
        app.state.fuzzy_search = cached
        if not cached:
            logger.warning(
                "search: pg_trgm is not available on this PostgreSQL server; searching without typo tolerance"
            )
    return cached


async def announce_search_capabilities(app: FastAPI) -> None:
    """Say at startup whether search tolerates typos (a database that is down is checked later)."""
    try:
        async with app.state.sessionmaker() as session:
            fuzzy = await fuzzy_search_available(app, session)
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        logger.warning("search: database unreachable at startup; capabilities checked later")
        return
    if fuzzy:
        logger.info("search: typo tolerance on (pg_trgm)")


async def make_plan(session: AsyncSession, query: str, *, fuzzy: bool) -> Plan:
    try:
        plan = Plan(parse_query(query))
    except QuerySyntaxError as exc:
        raise BadRequestError(f"Cannot read q: {exc}", parameter="q", column=exc.column) from exc
    words = plan.fuzzy_words()
    if fuzzy and words:
        prefixes = [word for word, prefix in plan.positive_words() if prefix]
        rows = await session.execute(
            _CORRECTIONS, {"words": words, "prefixes": prefixes, "limit": MAX_CORRECTIONS}
        )
        for word, term in rows:
            plan.corrections.setdefault(word, []).append(term)
    return plan


def _branch(plan: Plan, kind_name: str, *, fuzzy: bool) -> Any:
    kind = KINDS[kind_name]
    columns = [
        literal(kind_name, String).label("kind"),
        literal(KIND_RANK[kind_name], Integer).label("kind_rank"),
        kind.table.c.id.label("id"),
        plan.relevance(kind, fuzzy=fuzzy).label("score"),
    ]
    for name, column in DISPLAY_COLUMNS[kind_name].items():
        value = column if column is not None else null()
        columns.append(cast(value, Integer if name == "year" else String).label(name))
    if kind_name == "song":
        source = songs.join(artists, artists.c.id == songs.c.artist_id).outerjoin(
            albums, albums.c.id == songs.c.album_id
        )
    elif kind_name == "album":
        source = albums.join(artists, artists.c.id == albums.c.artist_id)
    else:
        source = artists
    return select(*columns).select_from(source).where(plan.condition(kind, fuzzy=fuzzy))


async def search(
    session: AsyncSession,
    plan: Plan,
    *,
    kinds: Sequence[str],
    fuzzy: bool,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Row], str | None]:
    results = union_all(*(_branch(plan, kind, fuzzy=fuzzy) for kind in kinds)).subquery("results")
    ordering = Ordering.parse(
        "-score,-kind_rank,-id",
        {
            "score": Sortable(cast(results.c.score, Float), parse=float),
            "kind_rank": Sortable(results.c.kind_rank),
            "id": Sortable(results.c.id),
        },
    )
    return await fetch_page(session, select(results), ordering, cursor=cursor, limit=limit)
