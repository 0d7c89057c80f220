"""Row states and record types: which CSV rows are booked payments, and which are something else.

Input: the cells of a state column (``State``, ``Status``, ``Transaction status``, ``Info``…)
or of a record-type column.  Output: per row a :class:`RowState` — a booked payment, or why
not (pending, not executed, a balance or turnover record).

State words come from the exports that carry a state (``research/bank-csv-layouts.md``):
Revolut ``COMPLETED/PENDING/REVERTED/DECLINED/FAILED``, PayPal ``Completed/Pending/Denied/
Reversed/Canceled/Held``, Wise ``COMPLETED/CANCELLED``, Schwab/SoFi/USAA ``Posted/Pending``,
Citi ``Cleared/Pending``, Sparkasse ``Umsatz gebucht/Umsatz vorgemerkt``, BNP Paribas
Fortis ``Status`` with refused payments.  Record types: Swedbank's Baltic and Swedish
exports (``Row type`` 10 opening balance ``Algsaldo``, 20 transaction, 82 turnover ``Käive``,
86 closing balance ``lõppsaldo``), Czech, German and French statements.  Cells are folded (case, accents) and read word by
word, so ``Umsatz vorgemerkt`` and ``PENDING`` are one state each.  A column is a state
column only when its cells read as states (the header name alone does not make one); then
only booked rows become transactions, every other row is skipped with its state as the reason.
"""

from __future__ import annotations

import re
from enum import Enum

import numpy as np
import pandas as pd

from .cells import per_value
from .columns import fold

__all__ = ["RowState", "state_of", "state_column_states", "record_type_of", "row_states", "is_record", "is_unbooked",
           "RECORD_TYPES"]


class RowState(Enum):
    """What a row is, by its state or record-type cell."""

    BOOKED = "booked"
    UNKNOWN = "unknown"  # empty or not a state word: the row is judged on its other cells
    PENDING = "pending"
    NOT_EXECUTED = "not executed"  # declined, reverted, failed, cancelled: no money moved
    OPENING_BALANCE = "opening balance"
    CLOSING_BALANCE = "closing balance"
    TURNOVER = "turnover"


# Folded words (or phrases) → state; a cell's first matching phrase decides.
_STATE_WORDS: dict[RowState, tuple[str, ...]] = {
    RowState.PENDING: (
        "pending", "vorgemerkt", "authorised", "authorized", "authorisation", "authorization", "in progress",
        "processing", "held", "on hold", "placed", "unclaimed", "awaiting", "waiting", "scheduled", "reserved",
        "reserviert", "pendiente", "en attente", "en cours", "in behandeling", "oczekujaca", "nezauctovano",
        "cekajici", "blokovano", "not booked", "nicht gebucht",
    ),
    RowState.NOT_EXECUTED: (
        "reverted", "reversed", "declined", "denied", "failed", "cancelled", "canceled", "voided", "void",
        "rejected", "refused", "expired", "removed", "abgelehnt", "storniert", "fehlgeschlagen", "zamitnuto",
        "zruseno", "odrzucona", "anulowana", "rechazado", "rechazada", "cancelado", "annule", "refuse", "rejete",
        "afgewezen", "geannuleerd", "mislukt", "geweigerd", "avvisad", "makulerad", "afvist", "hylatty",
    ),
    RowState.BOOKED: (
        "completed", "complete", "booked", "posted", "settled", "cleared", "executed", "processed", "paid",
        "success", "successful", "succeeded", "done", "gebucht", "verbucht", "ausgefuhrt", "durchgefuhrt",
        "zauctovano", "provedeno", "zrealizowana", "zaksiegowana", "wykonana", "realizado", "realizada",
        "completado", "liquidado", "effectue", "execute", "comptabilise", "uitgevoerd", "geboekt", "verwerkt",
        "bokford", "genomford", "utford", "gennemfort", "bogfort", "suoritettu",
        # PayPal marks a payment later refunded "Refunded": it was paid, the refund is its own row
        "refunded", "partially refunded",
    ),
}
# Record-type cells of exports that put balances and totals between the payments.
RECORD_TYPES: dict[RowState, tuple[str, ...]] = {
    RowState.OPENING_BALANCE: (
        "opening balance", "beginning balance", "balance brought forward", "brought forward", "start balance",
        "starting balance", "previous balance", "anfangssaldo", "alter kontostand", "alter saldo", "saldo alt",
        "pocatecni zustatek", "pocatecni stav", "solde initial", "solde precedent", "solde debut", "beginsaldo",
        "saldo inicial", "saldo anterior", "saldo poczatkowe", "saldo otwarcia", "ingaende saldo", "primo saldo",
        "nyitoegyenleg", "nyito egyenleg", "balance at start of period", "balance at the start of the period",
        "balance at start", "algsaldo", "sakuma atlikums", "pradinis likutis",
    ),
    RowState.CLOSING_BALANCE: (
        "closing balance", "ending balance", "balance carried forward", "carried forward", "end balance",
        "final balance", "endsaldo", "schlusssaldo", "neuer kontostand", "neuer saldo", "saldo neu",
        "konecny zustatek", "konecny stav", "solde final", "nouveau solde", "eindsaldo", "saldo final",
        "saldo koncowe", "saldo zamkniecia", "utgaende saldo", "ultimo saldo", "zaroegyenleg", "zaro egyenleg",
        "balance at end of period", "balance at the end of the period", "balance at end", "loppsaldo",
        "beigu atlikums", "galutinis likutis",
    ),
    RowState.TURNOVER: (
        "turnover", "total turnover", "totals", "total", "umsatzsumme", "summe", "obrat", "obraty", "totaal",
        "suma", "obroty", "omsattning", "forgalom", "kaive", "apgrozijums", "apyvarta",
    ),
}


def _phrases(table: dict[RowState, tuple[str, ...]]) -> list[tuple[re.Pattern, RowState]]:
    return [(re.compile(rf"(?:^|\b){re.escape(phrase)}\b"), state) for state, words in table.items() for phrase in words]


_STATE_PATTERNS = _phrases(_STATE_WORDS)
def _alternation(table: dict[RowState, tuple[str, ...]], tail: str) -> tuple[re.Pattern, dict[str, RowState]]:
    """One regex for every phrase (longest first, so ``total turnover`` beats ``total``) and the
    state each phrase names: one match per cell instead of one per phrase."""
    states = {phrase: state for state, words in table.items() for phrase in words}
    ordered = sorted(states, key=len, reverse=True)
    return re.compile(rf"^(?P<phrase>{'|'.join(map(re.escape, ordered))}){tail}"), states


_RECORD_START, _RECORD_STATES = _alternation(RECORD_TYPES, r"\b")
# In a description column a record is the whole cell (maybe with a date): "Total Wine" is a shop.
_RECORD_WHOLE, _ = _alternation(RECORD_TYPES, r"(?: [\d ]*| as of .*| per .*| am .*| ke .*)?$")
_FIRST_WORDS = frozenset(phrase.split()[0] for phrase in _RECORD_STATES)
_FIRST_LETTERS = re.compile(r"[^\W\d_]+")


def _first_word(cell: str) -> str:
    """The cell's first word, folded like :func:`fold` (cheap: most cells are ruled out by it)."""
    match = _FIRST_LETTERS.search(cell)
    if match is None:
        return ""
    word = match.group().lower()
    return word if word.isascii() else fold(word)


def state_of(cell: str) -> RowState:
    """The state a state-column cell names (``REVERTED`` → NOT_EXECUTED), else UNKNOWN."""
    folded = fold(cell)
    if not folded:
        return RowState.UNKNOWN
    for pattern, state in _STATE_PATTERNS:
        if pattern.search(folded):
            return state
    return RowState.UNKNOWN


def record_type_of(cell: str, whole: bool = False) -> RowState:
    """A balance or turnover record named at the start of a type cell (``Opening balance``), else
    UNKNOWN; with ``whole`` (a description cell) the phrase must be all the cell holds but a date."""
    if _first_word(cell) not in _FIRST_WORDS:
        return RowState.UNKNOWN
    match = (_RECORD_WHOLE if whole else _RECORD_START).match(fold(cell))
    return _RECORD_STATES[match.group("phrase")] if match else RowState.UNKNOWN


def state_column_states(values: pd.Series) -> np.ndarray | None:
    """Per row the state of a candidate state column, or None when its cells do not read as states.

    A state column's non-empty cells are (nearly) all state words and at least one row is
    booked; a ``Status`` column of something else (an address status, free text) is not one.
    """
    codes, unique = pd.factorize(values.astype(str).str.strip())
    states = [state_of(value) for value in unique]
    mapped = np.array(states + [RowState.UNKNOWN], dtype=object)[codes]
    filled = np.array([bool(value) for value in unique] + [False], dtype=bool)[codes]
    if not filled.any():
        return None
    known = np.array([state is not RowState.UNKNOWN for state in mapped], dtype=bool)
    if known[filled].mean() < 0.9 or not (mapped == RowState.BOOKED).any():
        return None
    return mapped


_RECORDS = [RowState.OPENING_BALANCE, RowState.CLOSING_BALANCE, RowState.TURNOVER]
_UNBOOKED = [RowState.PENDING, RowState.NOT_EXECUTED]
_BALANCES = [RowState.OPENING_BALANCE, RowState.CLOSING_BALANCE]


def row_states(grid, cmap) -> tuple[np.ndarray, np.ndarray]:
    """Per grid row: its :class:`RowState` and the cell that says so (``""`` where none does).

    The state column (when its cells read as states) decides booked, pending and not
    executed; a record type in the type column, or as the whole description, marks balance
    and turnover records (they win: a balance row may also say ``Completed``).  Turnover
    records count only in a file that also has opening or closing balance records.
    """
    states = np.full(len(grid.index), RowState.UNKNOWN, dtype=object)
    cells = np.full(len(grid.index), "", dtype=object)
    if cmap.status is not None:
        text = per_value(grid, cmap.status, lambda v: str(v).strip())
        found = state_column_states(text)
        if found is not None:
            states, cells = found, text.to_numpy(dtype=object)
    sources = [(cmap.type, False), (cmap.status, False)] + [(index, True) for index in cmap.description]
    for index, whole in sources:
        if index is None:
            continue
        kinds = per_value(grid, index, lambda v, whole=whole: record_type_of(str(v), whole)).to_numpy(dtype=object)
        hit = kinds != RowState.UNKNOWN
        if hit.any():
            states = np.where(hit, kinds, states)
            cells = np.where(hit, per_value(grid, index, lambda v: str(v).strip()).to_numpy(dtype=object), cells)
    turnover = pd.Series(states, dtype=object).eq(RowState.TURNOVER).to_numpy()
    if turnover.any() and not pd.Series(states, dtype=object).isin(_BALANCES).any():
        # Turnover rows come with opening and closing balance rows; without them a "TOTAL 1234"
        # is a payment (TotalEnergies' fuel stations print exactly that).
        states = np.where(turnover, RowState.UNKNOWN, states)
        cells = np.where(turnover, "", cells)
    return states, cells


def is_record(states: np.ndarray) -> np.ndarray:
    """Rows that are balance or turnover records, not payments."""
    return pd.Series(states, dtype=object).isin(_RECORDS).to_numpy()


def is_unbooked(states: np.ndarray) -> np.ndarray:
    """Rows whose state says no money has moved (yet): pending or not executed."""
    return pd.Series(states, dtype=object).isin(_UNBOOKED).to_numpy()
