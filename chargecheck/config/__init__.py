"""The user's rules folder: cancellations (:mod:`.rules`) and review decisions (:mod:`.reviews`).

Input: ``rules/*.toml`` files or folders.  Output: :class:`~chargecheck.model.Cancellation`
records and review decisions, each knowing its file and line; writes append records (or edit
one in place) with comments kept, under the rules file's lock.  Every problem is a
:class:`~chargecheck.errors.RulesError` naming file and line.

May import: :mod:`chargecheck.model`, :mod:`chargecheck.errors`, :mod:`chargecheck.tomlfile`,
:mod:`chargecheck.flag` (flag ids), :mod:`chargecheck.files` (the one write path: locked,
atomic).  Never importers, match, report or cli.
"""
