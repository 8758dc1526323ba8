"""Field types shared by the resources' input models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import pycountry
from pydantic import AfterValidator, StringConstraints
from stdnum import ean, isrc

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


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("country must be an ISO 3166-1 alpha-2 code such as 'GB' or 'IS'")
    return code


CountryCode = Annotated[str, AfterValidator(_country_code)]


def _isrc(value: str) -> str:
    compact = isrc.compact(value)
    if not isrc.is_valid(compact):
        raise ValueError("isrc must look like CC-XXX-YY-NNNNN (e.g. US-RC1-76-07839)")
    return compact


# Stored and returned without dashes: "USRC17607839".
Isrc = Annotated[str, AfterValidator(_isrc)]


def _barcode(value: str) -> str:
    digits = ean.compact(value)
    if len(digits) not in (12, 13) or not ean.is_valid(digits):
        raise ValueError("barcode must be a 12-digit UPC-A or 13-digit EAN with a valid check digit")
    return digits


Barcode = Annotated[str, AfterValidator(_barcode)]


def not_null(value: object) -> object:
    """For PATCH models: a field left out keeps its value, but a required one cannot be null."""
    if value is None:
        raise ValueError("cannot be null; leave the field out to keep its current value")
    return value
