"""Showing exact numbers: 4 not 4.0, 0.5 not 5E-1, percentages rounded half-up. Pure."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction


def fmt(number: Decimal | int | None) -> str:
    """4 not 4.0, 0.5 not 5E-1."""
    if number is None:
        return "—"
    d = Decimal(number)
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f").rstrip("0")
    return text.rstrip(".") if "." in text else text


def round_half_up(value: Fraction, places: int = 1) -> Decimal:
    """45.8333… -> 45.8, 78.55 -> 78.6, 86 -> 86.0 (always `places` decimals)."""
    scale = 10**places
    return Decimal(math.floor(value * scale + Fraction(1, 2))).scaleb(-places)
