"""OFX bytes → one regular, sanitized text the extractor reads (and ofxparse too, in the tests).

Input: the raw bytes of an OFX 1.x (SGML) or 2.x (XML) / QFX file.  Output: :class:`OfxText`,
whose ``text`` has

* the headers, ``<?xml?>``/``<?OFX?>`` prologs and anything before ``<OFX>`` blanked out,
  anything after ``</OFX>`` dropped, comments blanked;
* upper-case tag names, no self-closing ``<X/>`` and no empty elements;
* every leaf unclosed (``<NAME>value``, the SGML form) and every aggregate closed;
* every date ``<DTxxx>`` cut to the calendar day printed (``YYYYMMDD``): the time and the
  ``[-5:EST]`` zone are dropped, so no library shifts the day to UTC.  A date that is not a
  real day is removed (a transaction without its DTPOSTED is then skipped with its reason).

Every newline of the decoded file is kept in place, so a position in ``text`` maps to the line
of the original file (``line_at``): evidence points at the file the user has.

Why: real files vary far beyond the spec (research/dependencies.md §2: ofxparse crashes on, or
mis-reads, many of them); after this pass the extractor has a regular grammar to match, and
ofxparse, the tests' reference reader, parses all of them too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ...errors import StatementError
from ..textio import decode_with_reason

__all__ = ["OfxText", "sanitize_ofx", "declared_encoding"]

# Aggregates the importer relies on; never mistaken for empty leaves even when a broken file
# forgets to close them (the structure check then reports them).
_PROTECTED = frozenset(
    "OFX SIGNONMSGSRSV1 SONRS STATUS BANKMSGSRSV1 CREDITCARDMSGSRSV1 INVSTMTMSGSRSV1 STMTTRNRS "
    "CCSTMTTRNRS INVSTMTTRNRS STMTRS CCSTMTRS INVSTMTRS BANKACCTFROM CCACCTFROM BANKTRANLIST "
    "STMTTRN LEDGERBAL AVAILBAL PAYEE BANKACCTTO CCACCTTO CURRENCY ORIGCURRENCY FI".split()
)

_OFX_OPEN = re.compile(r"<OFX\s*>", re.IGNORECASE)
_OFX_CLOSE = re.compile(r"</OFX\s*>", re.IGNORECASE)
# Comments, processing instructions and CDATA: (opener, closer), blanked by :func:`_blank_spans`.
_COMMENT_KINDS = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"))
# Possessive space runs: ``<`` + 160k spaces tried every split of them between the two ``\s*``.
_TAG = re.compile(r"<\s*+(/?)\s*+([A-Za-z][A-Za-z0-9_.]*+)\s*+(/?)\s*+>")
_TAG_TEXT = re.compile(r"<\s*+/?\s*+[A-Za-z][A-Za-z0-9_.]*+\s*+/?\s*+>")
_SELF_CLOSING = re.compile(r"<[A-Z][A-Z0-9_.]*/>")
# Possessive quantifiers: these run over every tag of multi-megabyte files.
_CLOSED_EMPTY = re.compile(r"<([A-Z][A-Z0-9_.]*+)>(\s*+)</\1>")
_CLOSED_LEAF = re.compile(r"<([A-Z][A-Z0-9_.]*+)>([^<]*+)</\1>")
_CLOSING = re.compile(r"</([A-Z][A-Z0-9_.]*)>")
_EMPTY_OPEN = re.compile(r"<([A-Z][A-Z0-9_.]*+)>(?=\s*+<)")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE = re.compile(r"<(DT[A-Z0-9_.]*)>([^<]*)")
_HEADER_FIELD = re.compile(r"\b(ENCODING|CHARSET)\s*:\s*([A-Za-z0-9_-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(r"encoding\s*=\s*[\"']([A-Za-z0-9_.-]+)[\"']", re.IGNORECASE)


@dataclass(frozen=True)
class OfxText:
    """A sanitized OFX document (``text``) and the encoding its bytes were decoded with."""

    path: str
    text: str
    encoding: str
    last_line: int
    encoding_note: str | None = None  # why, when the code page was chosen by evidence

    def line_at(self, pos: int) -> int:
        """1-based line of the original file at position ``pos`` of ``text``."""
        return self.text.count("\n", 0, pos) + 1


def _blank(text: str) -> str:
    """The newlines of ``text`` only: removed content keeps every later line number right."""
    return "\n" * text.count("\n")


def declared_encoding(head: bytes) -> str | None:
    """The encoding an OFX file claims for itself: SGML header ENCODING/CHARSET or XML prolog.

    ``ENCODING:USASCII`` with ``CHARSET:1252`` means cp1252; ``ENCODING:UTF-8`` means UTF-8;
    ``ENCODING:USASCII`` or ``encoding="ASCII"`` alone means cp1252 (the OFX 1.x default, and
    what files that claim ASCII but hold accented letters really use).  Only a hint: strict
    UTF-8 is tried first anyway.
    """
    start = _OFX_OPEN.search(head.decode("latin-1"))
    prefix = head[: start.start() if start else 4096].decode("latin-1")
    fields = {key.upper(): value.upper() for key, value in _HEADER_FIELD.findall(prefix)}
    if fields.get("ENCODING", "").replace("-", "") in ("UTF8", "UNICODE"):
        return "utf-8"
    charset = fields.get("CHARSET", "NONE")
    if charset != "NONE":
        return "latin-1" if charset in ("8859-1", "ISO-8859-1") else charset
    match = _XML_ENCODING.search(prefix)
    declared = match.group(1).upper().replace("-", "") if match else fields.get("ENCODING", "")
    if declared in ("USASCII", "ASCII"):
        # A file claiming ASCII but holding high bytes was written by Windows software: the
        # OFX 1.x default charset for USASCII is 1252 (ofxparse assumes it too).
        return "cp1252"
    return match.group(1) if match else None


def _normalize_newlines(text: str) -> str:
    """Lines end in LF; CR CR LF (seen in Vanguard files) counts as one line end."""
    text = text.replace("\r\n", "\n")
    return text.replace("\r", "" if "\n" in text else "\n")


def _canonical_tag(match: re.Match) -> str:
    closing, name, self_closing = match.groups()
    return f"<{closing}{name.upper()}{'/' if self_closing and not closing else ''}>"


def _canonical_tags(text: str) -> str:
    """Upper-case tag names without inner spaces; only the distinct tags that differ are rewritten.

    A file has a few dozen distinct tags but hundreds of thousands of tag occurrences, so the
    rewrite is planned per distinct tag and skipped entirely for already-canonical files.
    """
    changes = {tag: _TAG.sub(_canonical_tag, tag) for tag in set(_TAG_TEXT.findall(text))}
    changes = {tag: new for tag, new in changes.items() if new != tag}
    if not changes:
        return text
    pattern = re.compile("|".join(re.escape(tag) for tag in sorted(changes, key=len, reverse=True)))
    return pattern.sub(lambda m: changes[m.group(0)], text)


def _day_only(match: re.Match) -> str:
    """Cut a date to the day printed, or remove it when it is not a calendar day."""
    name, value = match.groups()
    digits = value.strip()[:8]
    if _ISO_DAY.match(value.strip()):  # 2026-03-01: not OFX, but some exporters write it
        digits = value.strip()[:10].replace("-", "")
    try:
        if len(digits) == 8 and digits.isascii() and digits.isdigit():  # not ``202602１２``
            dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            return f"<{name}>{digits}{_blank(value)}"
    except ValueError:
        pass
    return _blank(value)


def _blank_spans(text: str, kinds: tuple[tuple[str, str], ...]) -> str:
    """Every ``opener … closer`` span (the first closer after it) blanked to its newlines.

    What ``<!--.*?-->|…`` with ``re.sub`` did, in linear time: the regex tried every unclosed
    opener against the rest of the file (quadratic in a file of ``<!--``).  Once an opener has no
    closer after it, no later one of its kind has either, so that kind is no longer looked for.
    """
    pieces, position = [], 0
    alive = list(kinds)
    upcoming = {opener: text.find(opener) for opener, _ in alive}
    while alive:
        for opener, _ in alive:  # refresh openers passed by the last span
            if 0 <= upcoming[opener] < position:
                upcoming[opener] = text.find(opener, position)
        found = [(upcoming[o], o, c) for o, c in alive if upcoming[o] >= 0]
        if not found:
            break
        start, opener, closer = min(found)
        end = text.find(closer, start + len(opener))
        if end < 0:
            alive = [(o, c) for o, c in alive if o != opener]
            continue
        end += len(closer)
        pieces += [text[position:start], _blank(text[start:end])]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def sanitize_ofx(data: bytes, path: str, forced_encoding: str | None = None) -> OfxText:
    """Decode and sanitize OFX bytes (see the module docstring); StatementError if no ``<OFX>``.

    A file whose ``</OFX>`` is missing was cut off (a partial download): it is refused rather
    than read partially, since the lost transactions would go unnoticed.
    """
    decoding = decode_with_reason(data, declared=declared_encoding(data[:8192]), forced=forced_encoding)
    text, encoding = decoding.text, decoding.encoding
    text = _normalize_newlines(text.lstrip("\ufeff"))
    last_line = text.count("\n") + 1
    start = _OFX_OPEN.search(text)
    if start is None:
        raise StatementError(path, 1, "an OFX document with an <OFX> element", "none")
    ends = list(_OFX_CLOSE.finditer(text, start.end()))
    if not ends:
        raise StatementError(
            path, last_line, "</OFX> closing the document", "the end of the file",
            hint="the file looks truncated; download the statement again",
        )
    text = _blank(text[: start.start()]) + text[start.start() : ends[-1].end()]
    text = _blank_spans(text, _COMMENT_KINDS)
    text = _canonical_tags(text)
    text = _SELF_CLOSING.sub("", text)
    text = _CLOSED_EMPTY.sub(lambda m: _blank(m.group(2)), text)
    text = _CLOSED_LEAF.sub(r"<\1>\2", text)  # <X>v</X> → <X>v, the SGML form
    aggregates = _PROTECTED | set(_CLOSING.findall(text))
    text = _EMPTY_OPEN.sub(lambda m: "" if m.group(1) not in aggregates else m.group(0), text)
    text = _DATE.sub(_day_only, text)
    return OfxText(path=path, text=text, encoding=encoding, last_line=last_line, encoding_note=decoding.note)
