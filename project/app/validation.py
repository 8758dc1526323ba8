"""Field types shared by the resources' input models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# Names are trimmed before their length is checked, so "   " is rejected as empty.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

MIN_YEAR = 1000


def _check_year(year: int | None) -> int | None:
    # Upper bound moves with the calendar: a release can be announced for next year.
    latest = datetime.now(UTC).year + 1
    if year is not None and not MIN_YEAR <= year <= latest:
        raise ValueError(f"year must be between {MIN_YEAR} and {latest}")
    return year


Year = Annotated[int, AfterValidator(_check_year)]
