"""A rules folder, loaded once: the one context every command and library function works from.

Input: the rules files or folders the user named (``--rules``; none is allowed) and the import
overrides (:class:`~chargecheck.importers.base.ImportOptions`).  Output: a frozen
:class:`Workspace` holding the recorded cancellations, the vendor knowledge base (shipped plus
the user's ``[[vendor]]`` records), the CSV import options with the folder's ``layouts.toml``, and
where review decisions live.

Why one object: before it, ``check`` picked up ``rules/layouts.toml`` while ``subscriptions``,
``explain`` and ``transactions`` rebuilt rules, knowledge and matcher each their own way, so the
same statement was read differently by different commands.  Now every entry point of
:mod:`chargecheck.pipeline` takes a workspace and no command builds its own.

May import: config, importers (options only), match (knowledge, matcher).  Never report or cli.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .importers.base import ImportOptions
from .model import Cancellation

if TYPE_CHECKING:
    from .match.knowledge import KnowledgeBase
    from .match.matcher import Matcher

__all__ = ["Workspace", "rules_directory"]


def rules_directory(rules: Path | str | Sequence[Path | str] | None) -> Path | None:
    """The folder holding the user's rules (and vendors.toml, layouts.toml, reviews.toml), if any."""
    if rules is None:
        return None
    items = [rules] if isinstance(rules, (str, Path)) else list(rules)
    if not items:
        return None
    first = Path(items[0])
    return first if first.is_dir() else first.parent


def _paths(rules: Path | str | Sequence[Path | str] | None) -> tuple[Path, ...]:
    if rules is None:
        return ()
    items = [rules] if isinstance(rules, (str, Path)) else list(rules)
    return tuple(Path(item) for item in items)


@dataclass(frozen=True, eq=False)
class Workspace:
    """Cancellations, vendor knowledge, CSV layouts, reviews and import options of one rules folder.

    Build it with :meth:`load`; pass it to :func:`chargecheck.pipeline.check`,
    :func:`~chargecheck.pipeline.subscriptions`, :func:`~chargecheck.pipeline.transactions` and
    :func:`~chargecheck.pipeline.explain`.  ``rules`` is empty when no rules were given: the
    knowledge base is then the shipped one and there is nothing to flag.
    """

    rules: tuple[Path, ...]
    cancellations: tuple[Cancellation, ...]
    knowledge: "KnowledgeBase"
    options: ImportOptions
    reviews_file: Path | None

    @classmethod
    def load(
        cls,
        rules: Path | str | Sequence[Path | str] | None = None,
        options: ImportOptions | None = None,
    ) -> "Workspace":
        """Read the rules folder or files once (errors name file and line) and build the workspace.

        The folder's ``layouts.toml`` becomes the CSV layouts file unless ``options`` names one;
        ``[[vendor]]`` records anywhere in the rules (and ``vendors.toml`` beside them) extend the
        knowledge base; ``reviews.toml`` in the folder holds review decisions.
        """
        from .config.rules import load_rules
        from .match.knowledge import knowledge_paths, load_knowledge

        paths = _paths(rules)
        folder = rules_directory(paths)
        options = options or ImportOptions()
        if options.layouts_file is None and folder is not None and (folder / "layouts.toml").exists():
            options = replace(options, layouts_file=folder / "layouts.toml")
        cancellations = tuple(load_rules(list(paths))) if paths else ()
        knowledge = load_knowledge(knowledge_paths(list(paths)) if paths else None)
        reviews = folder / "reviews.toml" if folder is not None else None
        return cls(rules=paths, cancellations=cancellations, knowledge=knowledge, options=options,
                   reviews_file=reviews)

    @property
    def rules_dir(self) -> Path | None:
        """The rules folder (the first rules path, or the folder of the first rules file)."""
        return rules_directory(self.rules)

    @cached_property
    def matcher(self) -> "Matcher":
        """The matcher of the recorded cancellations against the knowledge base (built once)."""
        from .match.matcher import Matcher

        return Matcher(self.cancellations, self.knowledge)

    @cached_property
    def vendor_namer(self) -> "Matcher | None":
        """A matcher over every knowledge-base vendor, naming series for ``subscriptions``.

        None when no rules were given, as before the workspace existed (series are then named
        by their cleaned descriptor alone).
        """
        if not self.rules:
            return None
        from .match.matcher import Matcher

        return Matcher.for_knowledge(self.knowledge)

    def explainer(self, vendors: Sequence[str] = ()) -> "Matcher":
        """The matcher ``explain`` uses: the rules' cancellations plus ``vendors`` as extra targets.

        Without rules or vendors the targets are every knowledge-base vendor, so a user can ask
        "what would this descriptor be?" before recording anything.
        """
        from .match.matcher import Matcher

        if not self.cancellations and not vendors:
            return Matcher.for_knowledge(self.knowledge)
        known = {c.vendor for c in self.cancellations}
        # A date is required by the record but plays no part in matching.
        extra = tuple(Cancellation(vendor=name, cancelled_on=date.min) for name in vendors if name not in known)
        if not extra:
            return self.matcher
        return Matcher((*self.cancellations, *extra), self.knowledge)
