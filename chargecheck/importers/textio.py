"""Turn a statement's bytes into text, with the encoding that was used.

Order: a byte-order mark; strict UTF-8 (whatever a header claims: files lie); the encoding the
file declares; then the single-byte code page under which the text reads as words of one
language (:mod:`.codepages`: decided by evidence, not the first that decodes); cp1252 with
replacement characters as the last resort.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .codepages import choose_code_page

__all__ = ["decode_bytes", "decode_with_reason", "Decoding", "normalize_encoding_name"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_ALIASES = {
    "1252": "cp1252",
    "8859-1": "latin-1",
    "iso-8859-1": "latin-1",
    "usascii": "ascii",
    "us-ascii": "ascii",
    "utf8": "utf-8",
    "none": None,
}


def normalize_encoding_name(name: str | None) -> str | None:
    """Map a declared charset (``1252``, ``USASCII``, ``ISO-8859-1``) to a Python codec, or None."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 files without a BOM show as every other byte being NUL."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


@dataclass(frozen=True)
class Decoding:
    """Text decoded from a file's bytes, the encoding used and why (``guessed``: chosen by
    evidence among code pages rather than stated by a BOM, the file, UTF-8 or the user)."""

    text: str
    encoding: str
    reason: str
    guessed: bool = False

    @property
    def note(self) -> str | None:
        """A line for "how the file was read" when the encoding was a judgement, else None."""
        return f"encoding {self.reason}" if self.guessed else None


def decode_bytes(data: bytes, declared: str | None = None, forced: str | None = None) -> tuple[str, str]:
    """Decode statement bytes and return ``(text, encoding)``; never raises on odd bytes.

    ``forced`` (the user's ``--encoding``) wins; ``declared`` is what the file says of itself
    and is tried only after strict UTF-8 fails.  See :func:`decode_with_reason`.
    """
    decoding = decode_with_reason(data, declared, forced)
    return decoding.text, decoding.encoding


def decode_with_reason(data: bytes, declared: str | None = None, forced: str | None = None) -> Decoding:
    """:func:`decode_bytes` with the reason for the encoding (for "how the file was read")."""
    if forced:
        return Decoding(data.decode(forced, errors="replace"), forced, "given with --encoding")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoding(data.decode(name, errors="replace"), name, "from the byte-order mark")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return Decoding(data.decode(utf16, errors="replace"), utf16, "UTF-16: every other byte is NUL", True)
    try:
        return Decoding(data.decode("utf-8"), "utf-8", "valid UTF-8")
    except UnicodeDecodeError:
        pass
    declared_codec = normalize_encoding_name(declared)
    if declared_codec and declared_codec not in ("ascii", "utf-8"):
        try:
            return Decoding(data.decode(declared_codec), declared_codec, "declared by the file")
        except (UnicodeDecodeError, LookupError):
            pass
    chosen = choose_code_page(data)
    if chosen is not None:
        return Decoding(chosen.text, chosen.encoding, chosen.reason, True)
    return Decoding(data.decode("cp1252", errors="replace"), "cp1252",
                    "cp1252 with replacement characters: no single-byte code page fits", True)
