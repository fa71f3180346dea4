"""Shared pieces of the cluster schema: strict frozen models, calendar dates and fractions."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> date:
    """Accept a date or a 'YYYY-MM-DD' string, nothing else (no timestamps, no times of day)."""
    if isinstance(value, datetime):
        raise PydanticCustomError("date_format", "give a calendar date without a time of day")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                "date_value", "'{value}' is not a calendar date", {"value": value}
            ) from None
    raise PydanticCustomError("date_format", "dates are written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


__all__ = ["Fraction", "IsoDate", "Strict"]
