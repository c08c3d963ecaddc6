"""The sealed ledger (records.md §5): canonical entries chained by `H(previous digest ‖ entry)`. Pure.

Every change to a record an office reports on (an audit's status and seal, a sealed revision, a
finding, a rectification, a notice number, an issued document, a unit, a campaign, an event) is
appended as one entry carrying the row's canonical snapshot after the change (or `null` when the row
was deleted). The chain makes any edit, reordering or removal of entries visible; replaying the
snapshots gives what every current row must be, so an edited, hidden or deleted row is visible too.

The hash is SM3 (GB/T 32905-2016) where the platform's hashlib has it, SHA-256 otherwise, named on
every entry so a ledger written on one machine verifies on another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

GENESIS = "0" * 64
#: Version of the entry format below; part of every entry so it can change without ambiguity.
ENTRY_FORMAT = 1


def preferred_algorithm() -> str:
    """SM3 when this Python's hashlib (OpenSSL) provides it, else SHA-256."""
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def hash_hex(algorithm: str, data: bytes) -> str:
    if algorithm not in ("sm3", "sha256"):
        raise ValueError(f"unknown ledger hash {algorithm!r}")
    return hashlib.new(algorithm, data).hexdigest()


# One encoder for every call (json.dumps with options makes a new one each time).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical(data: Any) -> str:
    return _CANONICAL.encode(data)


def canonical_decimal(value: Decimal | int | str) -> str:
    """One spelling per number: 1, 1.0 and 1.00 are "1"; 0.50 is "0.5"."""
    try:
        return _canonical_decimal(value)  # a few hundred distinct numbers in a whole import
    except TypeError:  # unhashable (a signalling NaN)
        return _spelling(value)


@lru_cache(maxsize=4096)
def _canonical_decimal(value: Decimal | int | str) -> str:
    # Equal numbers share a cache entry (Decimal("1.0") == 1): they have one spelling anyway.
    return _spelling(value)


def _spelling(value: Decimal | int | str) -> str:
    number = Decimal(value) if not isinstance(value, Decimal) else value
    normal = number.normalize()
    if normal == normal.to_integral_value():
        return format(normal.quantize(Decimal(1)), "f")
    return format(normal, "f")


def canonical_timestamp(value: dt.datetime | str) -> str:
    """UTC, to the microsecond: the same instant has one spelling whichever database stored it."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger entry as stored: its position, its canonical content (exactly the text hashed),
    the hash algorithm and the digest."""

    position: int
    content: str
    algorithm: str
    digest: str
    mac: str | None = None

    @property
    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.content)
        return parsed

    @property
    def target(self) -> tuple[str, str]:
        """(table, key) of the row this entry records."""
        data = self.data
        return data["table"], canonical(data["key"])


def entry_content(position: int, at: str, actor: str, table: str, key: list[Any], row: Mapping[str, Any] | None) -> str:
    return canonical(
        {
            "format": ENTRY_FORMAT,
            "position": position,
            "at": at,
            "actor": actor,
            "table": table,
            "key": key,
            "row": None if row is None else dict(row),
        }
    )


def entry_mac(algorithm: str, key: bytes, digest: str) -> str:
    """The entry's keyed code: HMAC over its chain digest with the entry's own hash (HMAC-SM3, or
    HMAC-SHA-256 where SM3 is missing). The digest already covers the entry and everything before
    it, so one HMAC of 64 characters per entry is all the key adds to the cost of appending."""
    if algorithm not in ("sm3", "sha256"):
        raise ValueError(f"unknown ledger hash {algorithm!r}")
    return hmac.new(key, digest.encode("ascii"), algorithm).hexdigest()


def mac_matches(algorithm: str, key: bytes, digest: str, mac: str) -> bool:
    try:
        return hmac.compare_digest(entry_mac(algorithm, key, digest), mac)
    except (ValueError, TypeError, UnicodeEncodeError):
        return False


def chain_digest(algorithm: str, previous: str, content: str) -> str:
    """H(previous ‖ entry): the previous digest's hex text followed by the canonical entry, UTF-8."""
    return hash_hex(algorithm, (previous + content).encode("utf-8"))


@dataclass(frozen=True, slots=True)
class ChainBreak:
    position: int
    problem: str  # "gap" | "digest" | "algorithm" | "position"
    expected: int | None = None


class ChainChecker:
    """The chain recomputed one entry at a time, so a ledger of any length is checked in constant memory."""

    def __init__(self) -> None:
        self.previous, self.position = GENESIS, 0

    def feed(self, entry: Entry) -> list[ChainBreak]:
        breaks: list[ChainBreak] = []
        if entry.position != self.position + 1:
            breaks.append(ChainBreak(entry.position, "gap", expected=self.position + 1))
        if entry.algorithm not in ("sm3", "sha256"):
            breaks.append(ChainBreak(entry.position, "algorithm"))
        elif chain_digest(entry.algorithm, self.previous, entry.content) != entry.digest:
            breaks.append(ChainBreak(entry.position, "digest"))
        elif _position_of(entry) != entry.position:
            breaks.append(ChainBreak(entry.position, "position"))
        self.previous, self.position = entry.digest, entry.position
        return breaks


def check_chain(entries: Iterable[Entry]) -> tuple[list[ChainBreak], int, str]:
    """Recompute the chain. Returns the breaks, the last position and the head digest."""
    checker = ChainChecker()
    breaks: list[ChainBreak] = []
    for entry in entries:
        breaks.extend(checker.feed(entry))
    return breaks, checker.position, checker.previous


def _position_of(entry: Entry) -> int | None:
    try:
        position = entry.data.get("position")
    except (ValueError, AttributeError):
        return None
    return position if isinstance(position, int) else None


def replay(entries: Iterable[Entry]) -> dict[tuple[str, str], tuple[int, Mapping[str, Any] | None]]:
    """What every recorded row must be now: the latest snapshot per (table, key), with the position
    of the entry that recorded it."""
    state: dict[tuple[str, str], tuple[int, Mapping[str, Any] | None]] = {}
    for entry in entries:
        data = entry.data
        state[(data["table"], canonical(data["key"]))] = (entry.position, data["row"])
    return state


def parse_anchor(text: str) -> tuple[int, str]:
    """`POS:DIGEST` as printed on a document (spaces inside the digest are allowed)."""
    position, sep, digest = text.partition(":")
    digest = "".join(digest.split()).lower()
    if (
        not sep
        or not position.strip().isdigit()
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise ValueError(text)
    return int(position.strip()), digest
