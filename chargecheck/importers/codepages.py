"""Which single-byte code page a statement was written in, decided by evidence.

Input: the bytes of a file that is not UTF-8 and declares nothing usable.  Output: a
:class:`CodePageChoice` — the encoding, the text and why — or None when no candidate decodes.

Every candidate (:data:`CANDIDATES`: the Windows, ISO and DOS code pages banks in Europe and
the Americas export in) decodes almost any bytes, so "the first that decodes" is a guess.
Instead each decoding is read the way a person would:

1. **Plausible characters.**  A control character, a symbol inside a word (``Gr‚n``), a
   capital letter after a small one (``MÈnchen``) or a small one inside a capitalised word are
   what a wrong code page produces; the decoding with the fewest wins.
2. **One language.**  Among decodings equally plausible, the one whose accented letters all
   belong to one language's alphabet wins: cp1250 turns the French ``Crème``, ``Brûlée``,
   ``S.à r.l.`` into ``Crčme``, ``Brűlée``, ``S.ŕ r.l.`` — letters, but of Czech, Hungarian
   and Slovak at once; cp1252 gives letters that are all French.
3. **Order** of :data:`CANDIDATES` breaks the remaining ties (then the texts are the same
   for the bytes at hand, and the reason says so).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CANDIDATES", "CodePageChoice", "choose_code_page", "ALPHABETS"]

# (Python codec, name reported to the user), tie-break order: the most common first.
CANDIDATES: tuple[tuple[str, str], ...] = (
    ("cp1252", "cp1252"), ("cp1250", "cp1250"), ("iso8859_2", "iso8859-2"), ("latin_1", "latin-1"),
    ("cp1257", "cp1257"), ("cp852", "cp852"), ("cp850", "cp850"), ("mac_roman", "mac-roman"),
)
# Lower-case letters beyond ASCII in the alphabets of the languages these code pages serve.
ALPHABETS: dict[str, str] = {
    "Czech": "áčďéěíňóřšťúůýž", "Slovak": "áäčďéíĺľňóôŕšťúýž", "Polish": "ąćęłńóśźż",
    "Hungarian": "áéíóöőúüű", "Slovenian/Croatian": "čćđšž", "Romanian": "ăâîșțşţ",
    "German": "äöüß", "French": "àâæçéèêëîïôœùûüÿ", "Spanish": "áéíñóúü", "Portuguese": "áâãàçéêíóôõú",
    "Italian": "àèéìíîòóùú", "Dutch": "áéèëïóöü", "Swedish/Finnish": "åäöé", "Danish/Norwegian": "æøåé",
    "Icelandic": "áðéíóúýþæö", "Estonian": "äõöüšž", "Latvian": "āčēģīķļņšūž", "Lithuanian": "ąčęėįšųūž",
}
_KNOWN_LETTERS = frozenset("".join(ALPHABETS.values()))
# Non-letters a statement really prints outside words.
_SYMBOLS = frozenset("€£¥¢§°±µ·«»–—‘’‚“”„…•×²³¹¼½¾©®™¤¦¨¬¯´¸\u00a0")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SAMPLE_BYTES = 200_000
_MAX_CHARACTERS = 20_000


@dataclass(frozen=True)
class CodePageChoice:
    """The code page chosen, the decoded text and the evidence (for "how the file was read")."""

    encoding: str
    text: str
    reason: str


@dataclass(frozen=True)
class _Reading:
    codec: str
    name: str
    implausible: int
    coverage: float
    language: str
    letters: str


def _implausible(text: str, at: int) -> bool:
    """True when the non-ASCII character at ``at`` is what a wrong code page makes of a byte."""
    char = text[at]
    before = text[at - 1] if at > 0 else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    category = unicodedata.category(char)
    if category.startswith("C"):
        return True
    if category.startswith("L"):
        if char.isupper() and before.isalpha() and before.islower():
            return True  # MÈnchen
        return char.islower() and before.isupper() and after.isupper()  # ZAœTOVANÁ
    if before.isalpha() and after.isalpha():
        return True  # Gr‚n, Ko³cz
    return char not in _SYMBOLS


def _read(text: str, codec: str, name: str) -> _Reading:
    """Count the implausible characters and measure how far one language's alphabet covers the letters."""
    implausible, letters = 0, set()
    for count, match in enumerate(_NON_ASCII.finditer(text)):
        if count >= _MAX_CHARACTERS:
            break
        implausible += _implausible(text, match.start())
        lower = match.group().lower()
        if lower in _KNOWN_LETTERS:
            letters.add(lower)
    if not letters:
        return _Reading(codec, name, implausible, 1.0, "", "")
    covered = {language: len(letters & set(alphabet)) for language, alphabet in ALPHABETS.items()}
    most = max(covered.values())
    languages = [language for language, count in covered.items() if count == most]
    language = languages[0] if len(languages) == 1 else "one alphabet"  # é alone is in ten languages
    return _Reading(codec, name, implausible, most / len(letters), language, "".join(sorted(letters)))


def _why(best: _Reading, runner: _Reading | None, same_text: list[str]) -> str:
    """The evidence in one line: what the winner reads, and what the next best got wrong."""
    reads = f"accented letters {best.letters} are {best.language}" if best.letters else "no accented letters"
    if best.letters and best.language == "one alphabet":
        reads = f"accented letters {best.letters} fit one alphabet"
    if best.coverage < 1:
        reads = f"accented letters {best.letters}, {best.coverage:.0%} of them {best.language}"
    reason = f"{best.name} by evidence: {reads}"
    if best.implausible:
        reason += f", {best.implausible} odd character(s)"
    if same_text:
        reason += f"; {', '.join(same_text)} read these bytes alike"
    if runner is not None:
        if runner.implausible > best.implausible:
            reason += f"; {runner.name} gives {runner.implausible} implausible character(s)"
        elif runner.coverage < best.coverage:
            where = "in any one alphabet" if runner.language == "one alphabet" else runner.language
            reason += f"; {runner.name} mixes alphabets ({runner.letters}: at most {runner.coverage:.0%} {where})"
        else:
            reason += f"; {runner.name} reads them otherwise, as plausibly: the more common code page is taken"
    return reason


def choose_code_page(data: bytes) -> CodePageChoice | None:
    """The candidate code page under which the text reads most like one language (see the module docstring)."""
    sample = data[:_SAMPLE_BYTES]
    readings, texts = [], {}
    for codec, name in CANDIDATES:
        try:
            texts[codec] = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append(_read(texts[codec], codec, name))
    if not readings:
        return None
    ranked = sorted(readings, key=lambda r: (r.implausible, -r.coverage))  # stable: CANDIDATES order
    best = ranked[0]
    same = [r.name for r in ranked[1:] if texts[r.codec] == texts[best.codec]]
    runner = next((r for r in ranked[1:] if texts[r.codec] != texts[best.codec]), None)
    text = data.decode(best.codec, errors="replace")
    return CodePageChoice(best.name, text, _why(best, runner, same))
