"""Turning a parsed query into SQL for each kind of result (song, artist, album).

Text terms become ``tsquery`` strings built from folded words (quoted lexemes, passed as bound
parameters), so user input never reaches SQL as text. Field scopes are enforced by weights:
in a song's search vector its name is weight A, its artist B and its album C; a scope a kind
does not have (``genre:`` for an artist) matches nothing of that kind.

Relevance = 100 for a match without typo correction, plus an exactness bonus (whole name equal
to the query, or starting with it), plus ``ts_rank``. Exact and prefix matches therefore always
rank above fuzzy ones, and an artist called exactly what was typed ranks above songs that
merely mention it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import islice, product
from typing import Any

from sqlalchemy import ColumnElement, Float, String, and_, any_, case, cast, false, func, literal, not_, or_
from sqlalchemy.dialects.postgresql import ARRAY

from app.search.query import And, Isrc, Node, Not, Or, Text, YearRange

STRICT_TIER = 100.0
MAX_CORRECTED_PHRASES = 9  # spellings of a phrase tried for the exactness bonus of a fuzzy match
# ASCII that is neither a digit nor a (folded) letter: it separates words, as in the query parser.
_SEPARATORS = r"[^0-9a-z\u0080-\U0010FFFF]+"


def _quoted(lexeme: str) -> str:
    """A lexeme as a tsquery operand. Query words are letters and digits only, but corrections
    come from the vocabulary, where PostgreSQL's parser keeps URLs, paths and addresses whole,
    quotes and backslashes included ("example.com/it's")."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _as_words(column: Any) -> ColumnElement[str]:
    """A folded name with its punctuation read as spaces: "toto's song" compares as "toto s song"."""
    spaced: ColumnElement[str] = func.btrim(func.regexp_replace(column, _SEPARATORS, " ", "g"))
    return spaced


def text_array(values: list[str]) -> Any:
    """A list as one array parameter (``= ANY(...)``), not an IN list expanded per execution."""
    return literal(values, ARRAY(String))


@dataclass(frozen=True)
class Kind:
    """How one kind of result is searched: its table, which fields live in which weight."""

    name: str
    table: Any
    weights: Mapping[str, str]  # scope -> tsvector weight letter
    # (folded column, bonus when it equals the query, bonus when it starts with it)
    bonuses: tuple[tuple[Any, float, float], ...]
    year: Any = None
    isrc: Any = None
    genre_match: Callable[[str], ColumnElement[bool]] | None = None  # songs only
    # Indexed lookups of rows named exactly like a phrase (phrases -> condition), so that exact
    # names are always among the candidates however common the words are.
    exact_lookups: tuple[Callable[[Any], ColumnElement[bool]], ...] = ()  # given a text[] expression


@dataclass
class Plan:
    """A parsed query plus the typo corrections found for its words."""

    tree: Node
    corrections: dict[str, list[str]] = field(default_factory=dict)

    # --- text ------------------------------------------------------------------------------
    def _lexeme(self, word: str, weight: str, prefix: bool, fuzzy: bool) -> str:
        flags = ("*" if prefix else "") + weight
        lexeme = _quoted(word) + (f":{flags}" if flags else "")
        alternatives = self.corrections.get(word, []) if fuzzy else []
        if not alternatives:
            return lexeme
        options = [lexeme, *(_quoted(alt) + (f":{weight}" if weight else "") for alt in alternatives)]
        return "(" + " | ".join(options) + ")"

    def _text_query(self, node: Text, kind: Kind, fuzzy: bool) -> str | None:
        if node.field is None:
            weight = ""
        elif node.field in kind.weights:
            weight = kind.weights[node.field]
        else:
            return None
        last = len(node.words) - 1
        parts = [
            self._lexeme(word, weight, node.prefix and index == last, fuzzy and not node.phrase)
            for index, word in enumerate(node.words)
        ]
        joined = (" <-> " if node.phrase else " & ").join(parts)
        return f"({joined})" if len(parts) > 1 else joined

    def _tsquery(self, node: Node, kind: Kind, fuzzy: bool) -> str | None:
        """The whole subtree as one tsquery string, if it is made of text terms only."""
        if isinstance(node, Text):
            if node.field == "genre":
                return None
            return self._text_query(node, kind, fuzzy)
        if isinstance(node, Not):
            inner = self._tsquery(node.operand, kind, fuzzy)
            return f"!{inner}" if inner is not None else None
        if isinstance(node, And | Or):
            parts = [self._tsquery(operand, kind, fuzzy) for operand in node.operands]
            if any(part is None for part in parts):
                return None
            joiner = " & " if isinstance(node, And) else " | "
            return "(" + joiner.join(part for part in parts if part is not None) + ")"
        return None

    # --- conditions ------------------------------------------------------------------------
    def condition(self, kind: Kind, *, fuzzy: bool) -> ColumnElement[bool]:
        return self._condition(self.tree, kind, fuzzy)

    def _matches(self, kind: Kind, tsquery: str) -> ColumnElement[bool]:
        matched: ColumnElement[bool] = kind.table.c.search_vector.op("@@")(
            func.to_tsquery("simple", literal(tsquery))
        )
        return matched

    def _condition(self, node: Node, kind: Kind, fuzzy: bool) -> ColumnElement[bool]:
        whole = self._tsquery(node, kind, fuzzy)
        if whole is not None:
            return self._matches(kind, whole)
        if isinstance(node, Text):
            if node.field == "genre" and kind.genre_match is not None:
                genre_query = self._text_query(Text(node.words, None, node.phrase, node.prefix), kind, False)
                assert genre_query is not None
                return kind.genre_match(genre_query)
            return false()  # a scope this kind does not have
        if isinstance(node, Isrc):
            return kind.isrc == node.code if kind.isrc is not None else false()
        if isinstance(node, YearRange):
            if kind.year is None:
                return false()
            bounds = []
            if node.first is not None:
                bounds.append(kind.year >= node.first)
            if node.last is not None:
                bounds.append(kind.year <= node.last)
            return and_(*bounds)
        if isinstance(node, Not):
            return not_(self._condition(node.operand, kind, fuzzy))
        if isinstance(node, And):
            return and_(*(self._condition(operand, kind, fuzzy) for operand in node.operands))
        assert isinstance(node, Or)
        return or_(*(self._condition(operand, kind, fuzzy) for operand in node.operands))

    # --- ranking ---------------------------------------------------------------------------
    def positive_words(self) -> list[tuple[str, bool]]:
        """Free and name-like words the query asks for (not excluded), with their prefix flag."""
        found: list[tuple[str, bool]] = []

        def visit(node: Node, negated: bool) -> None:
            if isinstance(node, Text) and not negated and node.field in (None, "name", "artist", "album"):
                last = len(node.words) - 1
                found.extend((word, node.prefix and i == last) for i, word in enumerate(node.words))
            elif isinstance(node, Not):
                visit(node.operand, not negated)
            elif isinstance(node, And | Or):
                for operand in node.operands:
                    visit(operand, negated)

        visit(self.tree, False)
        return found

    def fuzzy_words(self) -> list[str]:
        """Words worth looking up for typo corrections: not in phrases, long enough to judge."""
        found: list[str] = []

        def visit(node: Node, negated: bool) -> None:
            if isinstance(node, Text) and not negated and not node.phrase and node.field != "genre":
                found.extend(word for word in node.words if len(word) >= 4)
            elif isinstance(node, Not):
                visit(node.operand, not negated)
            elif isinstance(node, And | Or):
                for operand in node.operands:
                    visit(operand, negated)

        visit(self.tree, False)
        return list(dict.fromkeys(found))

    def phrases(self) -> list[str]:
        """What a name would have to be to match the query exactly: the words asked for, and
        each side of a top-level OR."""
        words = self.positive_words()
        found = [" ".join(word for word, _prefix in words)]
        if isinstance(self.tree, Or):
            found += [" ".join(w for w, _p in Plan(branch).positive_words()) for branch in self.tree.operands]
        return [phrase for phrase in dict.fromkeys(found) if phrase]

    def exact_names(self) -> list[str]:
        """The phrases, and their spellings with typo corrections."""
        phrases = self.phrases()
        return list(dict.fromkeys([*phrases, *(c for p in phrases for c in self._corrected(p))]))

    def _corrected(self, phrase: str) -> list[str]:
        """The phrase spelt with the corrections of its words (every combination, up to a few)."""
        options = [self.corrections.get(word) or [word] for word in phrase.split()]
        return [" ".join(spelling) for spelling in islice(product(*options), MAX_CORRECTED_PHRASES)]

    def _exactness(self, kind: Kind, phrases: list[str]) -> ColumnElement[float]:
        """The best of the kind's bonuses (they do not add up: a song by an artist called what
        was typed, whose title also starts with it, must not outrank that artist)."""
        corrected = [c for p in phrases for c in self._corrected(p) if c not in phrases]
        bonuses: list[ColumnElement[Any]] = []
        for key, exact, prefix in kind.bonuses:
            column = _as_words(key)
            whens: list[tuple[ColumnElement[bool], float]] = [(column == any_(text_array(phrases)), exact)]
            if corrected:
                whens.append((column == any_(text_array(list(dict.fromkeys(corrected)))), exact * 0.9))
            if prefix:
                whens += [(column.startswith(phrase, autoescape=True), prefix) for phrase in phrases]
            bonuses.append(case(*whens, else_=0.0))
        return bonuses[0] if len(bonuses) == 1 else func.greatest(*bonuses)

    def relevance(self, kind: Kind, *, fuzzy: bool) -> ColumnElement[float]:
        words = self.positive_words()
        if not words:
            return cast(literal(STRICT_TIER), Float)
        lexemes = [_quoted(word) + (":*" if prefix else "") for word, prefix in words]
        lexemes += [_quoted(alt) for word, _prefix in words for alt in self.corrections.get(word, [])]
        rank_query = " | ".join(dict.fromkeys(lexemes))
        rank = func.ts_rank(kind.table.c.search_vector, func.to_tsquery("simple", literal(rank_query)))
        tier: ColumnElement[Any] = literal(STRICT_TIER)
        if fuzzy and self.corrections:
            tier = case((self.condition(kind, fuzzy=False), STRICT_TIER), else_=0.0)
        return cast(tier + self._exactness(kind, self.phrases()) + cast(rank, Float), Float)
