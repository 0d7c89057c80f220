"""Safe XML loading for the CAMT importer: bytes in, a namespace-free tree with entry lines out.

* defusedxml refuses DTD entity declarations (billion laughs) and external entities;
* expat honours the declared encoding; a file whose bytes contradict its declaration (a
  cp1252 byte in a file declared UTF-8) is decoded with :func:`chargecheck.importers.textio.decode_bytes`
  and parsed again;
* tags lose their namespace while the tree is built, so one set of paths serves every camt
  version, and the root's namespace is kept for the caller to check;
* the line each ``Ntry``/``TxDtls`` starts on is recorded (ElementTree keeps no positions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from ..errors import StatementError
from .textio import decode_bytes, normalize_encoding_name

__all__ = ["XmlDocument", "load_xml"]

_TRACKED = frozenset({"Document", "Ntry", "TxDtls", "Bal"})  # Bal: where a closing balance that does not add up is
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>")
_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")


@dataclass(frozen=True)
class XmlDocument:
    """A parsed document: root (tags without namespace), root namespace, element lines, encoding."""

    root: Element
    namespace: str
    lines: dict[int, int]  # id(element) -> 1-based line, for Document, Ntry and TxDtls
    encoding: str

    def line(self, element: Element) -> int | None:
        """The line ``element`` starts on, where recorded."""
        return self.lines.get(id(element))


class _Builder(TreeBuilder):
    """Builds the namespace-free tree and records the root namespace and entry lines."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.namespace: str | None = None
        self.expat = None

    def start(self, tag, attrs):
        """TreeBuilder API: open an element under its local name."""
        namespace, _, local = tag.rpartition("}")
        if self.namespace is None:
            self.namespace = namespace.lstrip("{")
        element = super().start(local, attrs)
        if local in _TRACKED:
            self.lines[id(element)] = self.expat.CurrentLineNumber
        return element

    def end(self, tag):
        """TreeBuilder API: close the element opened under its local name."""
        return super().end(tag.rpartition("}")[2])


def _parse(data: bytes, encoding: str) -> XmlDocument:
    builder = _Builder()
    parser = DET.DefusedXMLParser(target=builder)
    builder.expat = parser.parser
    parser.feed(data)
    root = parser.close()
    return XmlDocument(root, builder.namespace or "", builder.lines, encoding)


def _as_utf8(data: bytes, declared: str | None, forced: str | None) -> tuple[bytes, str]:
    """The document re-encoded as (declared) UTF-8, and the encoding its bytes were read with."""
    text, encoding = decode_bytes(data, declared=declared, forced=forced)
    body = _DECLARATION.sub(b"", text.lstrip("\ufeff").encode("utf-8"), count=1)
    return b'<?xml version="1.0" encoding="utf-8"?>' + body, encoding


def _encoding_of(data: bytes, declared: str | None) -> str:
    """The encoding expat read the bytes with: a byte-order mark or UTF-16 shape, else the declaration."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        return "utf-16"
    return normalize_encoding_name(declared) or "utf-8"


def _parse_any(data: bytes, forced: str | None) -> XmlDocument:
    """Parse as declared, then (or, with ``forced``, only) re-decoded; the first error wins."""
    match = _DECLARED_ENCODING.search(data[:400])
    declared = match.group(1).decode("ascii") if match else None
    first: Exception | None = None
    if not forced:
        try:
            return _parse(data, _encoding_of(data, declared))
        except DefusedXmlException:
            raise
        except (ParseError, ValueError, LookupError) as exc:  # includes encodings expat lacks
            first = exc
    fixed, encoding = _as_utf8(data, declared, forced)
    try:
        return _parse(fixed, encoding)
    except DefusedXmlException:
        raise
    except (ParseError, ValueError, LookupError) as exc:
        raise (first or exc) from None


def load_xml(path: str | Path, data: bytes, forced: str | None = None) -> XmlDocument:
    """Parse statement bytes safely; unsafe or broken XML raises StatementError naming file and line."""
    try:
        return _parse_any(data, forced)
    except DefusedXmlException as exc:
        raise StatementError(
            path, None, "XML without DTD entities or external references",
            type(exc).__name__, "entity declarations are refused for safety",
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise StatementError(path, line, "well-formed CAMT XML", str(exc).split(":")[0]) from None
    except (ValueError, LookupError) as exc:  # e.g. an encoding expat cannot use
        raise StatementError(path, 1, "XML in an encoding Python knows", str(exc)) from None
