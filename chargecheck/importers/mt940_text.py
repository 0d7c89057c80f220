"""Descriptions from MT940 information fields (``:86:`` and the non-SWIFT ``:NS:``).

Input: the text lines of one field (tag removed).  Output: one descriptor string, counterparty
name first, then the remittance text, because that is what a person (and the vendor matcher)
recognises.  Three layouts occur in real files:

* ``?NN`` subfields (German/Polish banks: ``166?00SEPA ÜBERWEISUNG?20Rechnung?32MÜLLER``):
  ``?32``/``?33`` name, ``?20``–``?29`` and ``?60``–``?63`` purpose, ``?00`` posting text;
* ``/CODE/value`` (Dutch and other SEPA banks: ``/CNTP/iban/bic/name/city/`` ``/NAME/``
  ``/REMI/USTD//text/``);
* free text.

Structured fields are wrapped at fixed widths, often mid-word: ``/CODE/`` lines are joined
without a separator (codes themselves get split), ``?NN`` lines without one after a full-width
line; free-text lines are joined with a space.
"""

from __future__ import annotations

import re

__all__ = ["describe_86", "describe_ns"]

_QUESTION = re.compile(r"\?(\d{2})")
_SLASH_CODES = (
    "EREF|PREF|MARF|CSID|CNTP|REMI|RTRN|TRCD|NAME|ADDR|IBAN|BIC|TRTP|ORDP|BENM|ISDT|SUM|"
    "ULTC|ULTD|ULTB|PURP|BUSP|EXCH|CHGS|OCMT|ACCW|SVCL|CDTRREF|CDTRREFTP"
)
_SLASH = re.compile(rf"/({_SLASH_CODES})/")
_REMI_PREFIX = re.compile(r"^USTD/+|^STRD/+(?:[A-Z0-9]{2,4}/+)?")
_WRAP_WIDTH = 60
_NAME_KEYS = ("32", "33")
_PURPOSE_KEYS = tuple(f"{n}" for n in range(20, 30)) + ("60", "61", "62", "63")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _question_fields(text: str) -> str:
    """Name, purpose and posting text of a ``?NN``-structured field."""
    pieces = _QUESTION.split(text)
    values: dict[str, list[str]] = {}
    for key, value in zip(pieces[1::2], pieces[2::2]):
        values.setdefault(key, []).append(value.strip())
    name = _squash(" ".join(v for k in _NAME_KEYS for v in values.get(k, [])))
    purpose = _squash(" ".join(v for k in _PURPOSE_KEYS for v in values.get(k, [])))
    posting = _squash(" ".join(values.get("00", [])))
    parts = [p for p in (name, purpose, posting) if p]
    return " / ".join(parts) if parts else _squash(text)


def _slash_fields(text: str) -> str:
    """Counterparty name and remittance text of a ``/CODE/value`` field (else the whole text)."""
    marks = list(_SLASH.finditer(text))
    values: dict[str, str] = {}
    for mark, following in zip(marks, marks[1:] + [None]):
        end = following.start() if following else len(text)
        values.setdefault(mark.group(1), text[mark.end():end])
    name = values.get("NAME", "").strip("/ ")
    if not name and "CNTP" in values:
        # /CNTP/account/BIC/name/city/
        parts = values["CNTP"].split("/")
        name = parts[2].strip() if len(parts) > 2 else ""
    remittance = _REMI_PREFIX.sub("", values.get("REMI", "")).strip("/ ")
    parts = [_squash(p) for p in (name, remittance) if p.strip()]
    return " / ".join(parts) if parts else _squash(text)


def _join_wrapped(lines: list[str]) -> str:
    """Join lines, without a space after a line at (nearly) the 65-character width or a bare ``?``.

    A full-width line was wrapped by the bank's software, often mid-word; a short one ended
    where its writer chose, usually between words.
    """
    text = lines[0]
    for previous, line in zip(lines, lines[1:]):
        text += ("" if len(previous) >= _WRAP_WIDTH or previous.endswith("?") else " ") + line
    return text


def describe_86(lines: list[str]) -> str:
    """The descriptor of one ``:86:`` field, whichever of the three layouts it uses."""
    joined = "".join(lines)
    if _QUESTION.search(joined) and re.match(r"^\s*\S{0,4}\s*\?\d{2}", joined):
        return _question_fields(_join_wrapped(lines))
    if re.match(r"^\s*/[A-Z]{2,4}/", joined):
        return _slash_fields(joined)
    return _squash(" ".join(lines))


def describe_ns(lines: list[str]) -> str:
    """Text of a non-SWIFT ``:NS:`` field whose lines start with a two-digit code (codes dropped)."""
    if all(re.match(r"^\d{2}", line) for line in lines if line.strip()):
        return _squash(" ".join(line[2:] for line in lines))
    return _squash(" ".join(lines))
