"""Text normalisation for matching names regardless of case and accents."""

from __future__ import annotations

import unicodedata


def match_key(text: str) -> str:
    """``"  Björk "`` and ``"BJORK"`` give the same key: case-folded, accents and extra spaces gone."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())
