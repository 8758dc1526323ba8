"""The search query language: what parses into what, and where malformed queries fail."""

from __future__ import annotations

import pytest

from app.search.query import (
    MAX_TERMS,
    And,
    Isrc,
    Not,
    Or,
    QuerySyntaxError,
    Text,
    YearRange,
    parse_query,
)


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("midn", Text(("midn",), prefix=True)),
        ("midn ", Text(("midn",))),
        ("Midnight FIT", And((Text(("midnight",)), Text(("fit",), prefix=True)))),
        ('"midnight fit"', Text(("midnight", "fit"), phrase=True)),
        ("Björk", Text(("bjork",), prefix=True)),
        ("sigur rós", And((Text(("sigur",)), Text(("ros",), prefix=True)))),
        ("-live mogwai", And((Not(Text(("live",))), Text(("mogwai",), prefix=True)))),
        ("mogwai OR slint ", Or((Text(("mogwai",)), Text(("slint",))))),
        ("(a OR b) c ", And((Or((Text(("a",)), Text(("b",)))), Text(("c",))))),
        ('artist:"sigur ros" ', Text(("sigur", "ros"), field="artist", phrase=True)),
        ("ARTIST:mogwai ", Text(("mogwai",), field="artist")),
        ("isrc:US-RC1-76-07839", Isrc("USRC17607839")),
        ("year:2021", YearRange(2021, 2021)),
        ("year:1990..1999", YearRange(1990, 1999)),
        ("year:..1999", YearRange(None, 1999)),
        ("year:2000..", YearRange(2000, None)),
        ("don't ", Text(("don", "t"), phrase=True)),
    ],
)
def test_queries_parse(query: str, tree: object) -> None:
    assert parse_query(query) == tree


@pytest.mark.parametrize(
    ("query", "column", "message"),
    [
        ("", 1, "empty"),
        ('mogwai "midnight', 8, "unclosed quote"),
        ("colour:red", 1, "unknown field"),
        ("mogwai OR", 8, "OR needs something"),
        ("OR mogwai", 1, "expected a word"),
        ("(mogwai", 1, "unclosed parenthesis"),
        ("mogwai)", 7, "unexpected ')'"),
        ("artist: mogwai", 1, "needs a value"),
        ("year:199", 6, "year:"),
        ("year:2000..1990", 6, "backwards"),
        ("isrc:123", 6, "isrc:"),
        ('""', 1, "empty phrase"),
    ],
)
def test_malformed_queries_say_where(query: str, column: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(query)
    assert raised.value.column == column
    assert message in raised.value.message


def test_query_size_is_bounded() -> None:
    with pytest.raises(QuerySyntaxError, match="too many terms"):
        parse_query(" ".join(["word"] * (MAX_TERMS + 1)))
    with pytest.raises(QuerySyntaxError, match="longer than"):
        parse_query("a" * 501)
