"""The search query language, parsed into a small syntax tree.

    midnight fit            all words must match, in any order; the last one as a prefix
    "midnight fit"          the exact phrase
    -live                   must not match
    mogwai OR slint         either side
    (a OR b) c              grouping
    artist:mogwai           scoped to a field: artist, album, name, genre, isrc, year
    artist:"sigur ros"      scoped phrase
    year:2021  year:1990..1999  year:..1999  year:2000..

A malformed query raises :class:`QuerySyntaxError` with the 1-based column of the problem.
Words are folded (case, accents) and split like PostgreSQL's ``simple`` text parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.text import match_key

TEXT_FIELDS = ("artist", "album", "name", "genre")
FIELDS = (*TEXT_FIELDS, "isrc", "year")
MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
_WORD_CHARS = re.compile(r"\w+", re.UNICODE)
_YEAR_RANGE = re.compile(r"^(\d{4})?(\.\.)?(\d{4})?$")


class QuerySyntaxError(ValueError):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} (at column {column})")
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Text:
    """Words to match: a phrase keeps their order; ``prefix`` lets the last word be partial."""

    words: tuple[str, ...]
    field: str | None = None
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class Isrc:
    code: str


@dataclass(frozen=True)
class YearRange:
    first: int | None
    last: int | None


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Text | Isrc | YearRange | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "field", "or", "not", "open", "close"
    value: str
    column: int
    end: int  # offset just past the token


_TOKEN = re.compile(
    r'(?P<space>\s+)|(?P<open>\()|(?P<close>\))|(?P<phrase>"[^"]*"?)'
    r"|(?P<field>[A-Za-z]+:)|(?P<not>-(?=\S))|(?P<word>[^\s()\"]+)"
)


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "word"
        value = match.group()
        column = match.start() + 1
        if kind == "space":
            continue
        if kind == "phrase" and (len(value) < 2 or not value.endswith('"')):
            raise QuerySyntaxError("unclosed quote", column)
        if kind == "field" and value[:-1].lower() not in FIELDS:
            raise QuerySyntaxError(f"unknown field {value[:-1]!r}; use one of {', '.join(FIELDS)}", column)
        if kind == "word" and value == "OR":
            kind = "or"
        tokens.append(_Token(kind, value, column, match.end()))
    return tokens


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD_CHARS.findall(match_key(text).replace("_", " ")))


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokens(query)
        self.position = 0
        self.terms = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _end_column(self) -> int:
        return len(self.query) + 1

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError("the query is empty", 1)
        node = self._or()
        extra = self._peek()
        if extra is not None:
            raise QuerySyntaxError(f"unexpected {extra.value!r}", extra.column)
        return node

    def _or(self) -> Node:
        operands = [self._and()]
        while (token := self._peek()) is not None and token.kind == "or":
            self._next()
            if self._peek() is None or self._peek().kind in ("or", "close"):  # type: ignore[union-attr]
                raise QuerySyntaxError("OR needs something on both sides", token.column)
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _and(self) -> Node:
        operands: list[Node] = []
        while (token := self._peek()) is not None and token.kind not in ("or", "close"):
            node = self._unary()
            if node is not None:
                operands.append(node)
        if not operands:
            token = self._peek()
            column = token.column if token else self._end_column()
            raise QuerySyntaxError("expected a word, phrase or field:value", column)
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def _unary(self) -> Node | None:
        token = self._next()
        if token.kind == "not":
            if self._peek() is None or self._peek().kind in ("or", "close", "not"):  # type: ignore[union-attr]
                raise QuerySyntaxError("'-' must come right before what to exclude", token.column)
            operand = self._unary()
            return Not(operand) if operand is not None else None
        if token.kind == "open":
            node = self._or()
            closing = self._peek()
            if closing is None or closing.kind != "close":
                raise QuerySyntaxError("unclosed parenthesis", token.column)
            self._next()
            return node
        if token.kind == "close":
            raise QuerySyntaxError("unexpected ')'", token.column)
        if token.kind == "field":
            return self._scoped(token)
        return self._text(token, field=None)

    def _count_term(self, column: int) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(f"too many terms (at most {MAX_TERMS})", column)

    def _text(self, token: _Token, field: str | None) -> Text | None:
        self._count_term(token.column)
        if token.kind == "phrase":
            words = _words(token.value[1:-1])
            if not words:
                raise QuerySyntaxError("empty phrase", token.column)
            return Text(words, field=field, phrase=True)
        if token.kind != "word":
            raise QuerySyntaxError(f"unexpected {token.value!r}", token.column)
        words = _words(token.value)
        if not words:
            return None  # punctuation only: nothing to match
        # As you type: the query's very last word, with nothing after it, may be unfinished.
        is_last = token.end == len(self.query)
        return Text(words, field=field, phrase=len(words) > 1, prefix=is_last)

    def _scoped(self, token: _Token) -> Node | None:
        field = token.value[:-1].lower()
        value = self._peek()
        if value is None or value.kind not in ("word", "phrase") or value.column != token.end + 1:
            raise QuerySyntaxError(f"{field}: needs a value right after it", token.column)
        self._next()
        raw = value.value.strip('"') if value.kind == "phrase" else value.value
        if field == "year":
            return self._year(raw, value.column)
        if field == "isrc":
            code = re.sub(r"[\s-]", "", raw).upper()
            if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}\d{7}", code):
                raise QuerySyntaxError("isrc: needs a code like US-RC1-76-07839", value.column)
            self._count_term(value.column)
            return Isrc(code)
        return self._text(value, field=field)

    def _year(self, raw: str, column: int) -> YearRange:
        self._count_term(column)
        found = _YEAR_RANGE.match(raw)
        if not found or not (found.group(1) or found.group(3)):
            raise QuerySyntaxError("year: needs YYYY, YYYY..YYYY, ..YYYY or YYYY..", column)
        first, dots, last = found.groups()
        if dots is None:
            return YearRange(int(first), int(first))
        low, high = (int(first) if first else None), (int(last) if last else None)
        if low is not None and high is not None and low > high:
            raise QuerySyntaxError("year: range goes backwards", column)
        return YearRange(low, high)


def parse_query(query: str) -> Node:
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"the query is longer than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH + 1
        )
    return _Parser(query).parse()
