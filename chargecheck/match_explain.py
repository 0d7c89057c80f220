"""What ``chargecheck explain`` prints: how one descriptor was cleaned and matched.

Input: the evidence :meth:`chargecheck.match.Matcher.explain` gathered.  Output: an
:class:`Explanation` (frozen) whose :meth:`Explanation.render` is plain text, one fact a line.
"""

from __future__ import annotations

from dataclasses import dataclass

from .match_score import Candidate
from .match_text import Parsed
from .model import VendorMatch

__all__ = ["Explanation", "render_candidate"]


def render_candidate(c: Candidate, vendor: str, parsed: Parsed) -> str:
    """One candidate as a line: vendor, score, alias, method, tokens, strength or rejection."""
    tokens = " ".join(parsed.tokens[c.start: c.end])
    source = {"name": "vendor name", "alias": "rule alias", "knowledge": "knowledge base",
              "inherited": "parent's descriptor"}[c.alias.kind]
    head = f'{vendor}: score {c.score:g}, alias "{c.alias.text}" ({source}), method {c.method}, tokens {tokens}'
    if c.rejected:
        return f"{head} -> rejected: {c.rejected}"
    return f"{head} -> {'strong' if c.strong else 'weak'} evidence"


@dataclass(frozen=True)
class Explanation:
    """Raw text, each cleaning step, the cleaned text, candidates with reasons, the decision."""

    raw: str
    steps: tuple[tuple[str, str], ...]
    cleaned: str
    processor: str | None
    candidates: tuple[str, ...]
    decision: VendorMatch | None
    reason: str

    def render(self) -> str:
        """Plain text for a terminal or a test: one step, candidate or decision per line."""
        lines = [f"descriptor: {self.raw}", "cleaning:"]
        lines += [f"  {name}: {text}" for name, text in self.steps]
        lines.append(f"cleaned: {self.cleaned}")
        if self.processor:
            lines.append(f"billed through: {self.processor}")
        lines.append("candidates:" if self.candidates else "candidates: none")
        lines += [f"  {line}" for line in self.candidates]
        if self.decision is None:
            lines.append(f"decision: no match ({self.reason})")
        else:
            d = self.decision
            lines.append(f'decision: {d.vendor} (score {d.score:g}, alias "{d.alias}", method {d.method})')
        return "\n".join(lines)
