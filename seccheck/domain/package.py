"""The sealed package a unit (or a district) reports upward (forms.md §4, issue 25): its canonical
content, its digest and its keyed code. Pure: no storage, no files.

A package file is JSON:

    {"seccheck_package": 1, "level": "unit" | "district", "key_id": …, "issuer": …, "subject": …,
     "year": 2026, "anchor": {"position": 128, "digest": "…"}, "body": {…},
     "algorithm": "sm3" | "sha256", "digest": "…", "mac": "…"}

`digest` = H(canonical JSON of every field but `digest` and `mac`), H being SM3 where the platform
has it, else SHA-256 (named in `algorithm`); `mac` = HMAC-H(package key, digest), the key being the
one the receiving bureau issued to the sender (`seccheck unit key issue`). The anchor is the sender's
ledger head when it exported: the package chains to the sender's sealed history.
"""

from __future__ import annotations

import hmac
from typing import Any

from seccheck.domain.ledger import canonical, hash_hex, preferred_algorithm

FORMAT = 1
MARK = "seccheck_package"
LEVELS = ("unit", "district")
SIGNED = (MARK, "level", "key_id", "issuer", "subject", "year", "anchor", "body", "algorithm")


def body_digest(body: Any) -> str:
    """The identity of a package's content, whatever its anchor (re-exporting unchanged data)."""
    return hash_hex("sha256", canonical(body).encode("utf-8"))


def package_digest(package: dict[str, Any]) -> str:
    signed = {name: package.get(name) for name in SIGNED}
    return hash_hex(str(package["algorithm"]), canonical(signed).encode("utf-8"))


def package_mac(key_hex: str, algorithm: str, digest: str) -> str:
    return hmac.new(bytes.fromhex(key_hex), digest.encode("ascii"), algorithm).hexdigest()


def seal_package(
    *,
    level: str,
    key_id: str,
    key_hex: str,
    issuer: str,
    subject: str,
    year: int,
    anchor: tuple[int, str],
    body: dict[str, Any],
) -> dict[str, Any]:
    package: dict[str, Any] = {
        MARK: FORMAT,
        "level": level,
        "key_id": key_id,
        "issuer": issuer,
        "subject": subject,
        "year": year,
        "anchor": {"position": anchor[0], "digest": anchor[1]},
        "body": body,
        "algorithm": preferred_algorithm(),
    }
    package["digest"] = package_digest(package)
    package["mac"] = package_mac(key_hex, package["algorithm"], package["digest"])
    return package


def digest_matches(package: dict[str, Any]) -> bool:
    try:
        return hmac.compare_digest(package_digest(package), str(package.get("digest", "")))
    except (KeyError, ValueError, TypeError):
        return False


def mac_matches(key_hex: str, package: dict[str, Any]) -> bool:
    try:
        expected = package_mac(key_hex, str(package["algorithm"]), str(package["digest"]))
    except (KeyError, ValueError, TypeError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(expected, str(package.get("mac", "")))
