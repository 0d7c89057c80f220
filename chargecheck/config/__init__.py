"""The user's rules folder: cancellations (:mod:`.rules`) and review decisions (:mod:`.reviews`).

Input: ``rules/*.toml`` files or folders.  Output: :class:`~chargecheck.model.Cancellation`
records and review decisions, each knowing its file and line; writes append records with
comments kept.  Every problem is a :class:`~chargecheck.errors.RulesError` naming file and line.

May import: :mod:`chargecheck.model`, :mod:`chargecheck.errors`, :mod:`chargecheck.tomlfile`,
:mod:`chargecheck.flag` (flag ids).  Never importers, match, report or cli.
"""
