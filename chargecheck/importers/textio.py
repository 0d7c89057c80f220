"""Turn a statement's bytes into text, with the encoding that was used.

Order (measured in ``research/dependencies.md``): a byte-order mark; strict UTF-8 (whatever a
header claims: files lie); the encoding the file declares; charset-normalizer restricted to the
encodings banks really use; cp1252 as the last resort (it decodes almost every byte).
"""

from __future__ import annotations

import codecs

__all__ = ["decode_bytes", "normalize_encoding_name"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CANDIDATES = ["cp1252", "latin_1", "cp1250", "cp852", "iso8859_2", "utf_16"]

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


def decode_bytes(data: bytes, declared: str | None = None, forced: str | None = None) -> tuple[str, str]:
    """Decode statement bytes and return ``(text, encoding)``; never raises on odd bytes.

    ``forced`` (the user's ``--encoding``) wins; ``declared`` is what the file says of itself
    and is tried only after strict UTF-8 fails.
    """
    if forced:
        return data.decode(forced, errors="replace"), forced
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared_codec = normalize_encoding_name(declared)
    if declared_codec and declared_codec not in ("ascii", "utf-8"):
        try:
            return data.decode(declared_codec), declared_codec
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000], cp_isolation=_CANDIDATES).best()
        if best is not None and best.encoding not in ("utf_16",):
            return data.decode(best.encoding, errors="replace"), best.encoding.replace("_", "-")
    except Exception:  # detection is a heuristic; never let it fail the import
        pass
    return data.decode("cp1252", errors="replace"), "cp1252"
