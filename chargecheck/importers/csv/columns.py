"""Which CSV column is the date, the amount, the description…: by header name, then by content.

Input: the header names (or none) and a sample of the data cells.  Output: a
:class:`ColumnMap` of 0-based column indexes per role.  Names are matched after folding case,
accents and punctuation (``Trans. Date`` → ``trans date``, ``Zaúčtovaná částka`` →
``zauctovana castka``), against a vocabulary in English, German, Dutch, French, Spanish and
Czech (from ``research/bank-csv-layouts.md`` §6).  Every name-based choice is checked against
the column's content (a "date" column must hold dates, an "amount" column amounts), which
also settles collisions such as ``Valuta`` (a value date in DE, a currency in BNP exports).
Headerless files are mapped by content alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ..values import DATE_FORMATS, date_format_candidates, parse_amounts, parse_dates
from .grid import DATE_LIKE

__all__ = ["ColumnMap", "fold", "names_a_statement", "map_columns", "PENDING_WORDS", "DIRECTION_WORDS", "header_currency"]

# Exact folded names score 3, names containing the phrase score 1; first match in list order wins ties.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "date": (
        "transaction date", "trans date", "date", "datum", "fecha", "date operation", "date de l operation",
        "dateop", "buchungstag", "buchungsdatum", "transactiedatum", "datum provedeni", "date processed",
        "processed date", "datetime", "created", "started date", "run date", "booking date", "data",
        "uitvoeringsdatum", "fecha operacion", "date d operation",
        # Nordic and Baltic (Swedbank, Nordea, SEB): booking day, transaction day
        "bokforingsdag", "bokforingsdatum", "transaktionsdag", "kirjauspaiva", "kuupaev", "bogforingsdato", "dato",
    ),
    "posted": (
        "post date", "posted date", "posting date", "clearing date", "completed date", "value date",
        "valuta", "valutadatum", "wertstellung", "wertstellungsdatum", "wert", "date valeur", "dateval",
        "fecha valor", "f valor", "datum zauctovani", "rentedatum", "boekdatum", "settlement date",
        "valutadag", "arvopaiva", "maksupaiva", "rentedato",
    ),
    "amount": (
        "amount", "transaction amount", "betrag", "bedrag", "montant", "importe", "zauctovana castka",
        "castka", "amount total", "value", "gross", "bruto", "sum", "summe", "umsatz", "kwota", "importo",
        "belopp", "net", "neto", "cad", "usd", "debit credit", "summa", "maara", "belob",
    ),
    "debit": (
        "debit", "debit amount", "withdrawal", "withdrawals", "paid out", "money out",
        "soll", "debet", "cargo", "outflow", "out", "ausgang", "charges", "debits",
    ),
    "credit": (
        "credit", "credit amount", "deposit", "deposits", "paid in", "money in", "haben",
        "abono", "inflow", "in", "eingang", "credits",
    ),
    "payee": (
        "payee", "name", "merchant", "counterparty", "counter party", "partner name", "beguenstigter zahlungspflichtiger",
        "begunstigter zahlungspflichtiger", "auftraggeber empfanger", "auftraggeber begunstigter",
        "begunstigter auftraggeber", "empfanger", "zahlungsempfanger in", "naam tegenpartij", "tegenpartij",
        "naam", "nombre", "nazev protiuctu", "beneficiario", "beneficiary",
        "saaja maksja", "beneficiary payer", "mottagare", "avsandare", "namn", "maksunsaaja", "saaja maksaja",
    ),
    "description": (
        "description", "transaction description", "details", "narrative", "memo", "verwendungszweck",
        "omschrijving", "naam omschrijving", "libelle", "libelle operation", "label", "concepto",
        "descripcion", "movimiento", "zprava", "popis", "original description", "appears on your statement as",
        "detail", "mededelingen", "transaction details", "particulars", "payment details", "action", "note",
        "notes", "reference", "buchungstext", "umsatzart", "typ transakce",
        "selgitus", "beskrivning", "rubrik", "meddelande", "otsikko", "viesti", "tekst",
    ),
    "indicator": (
        "credit debit indicator", "debit credit indicator", "cr dr", "dr cr", "af bij",
        "creditdebet", "transaction type", "type", "details", "balance impact", "direction", "sens", "s h",
        "record type", "entry type", "row type", "typ zaznamu", "typ", "satzart", "druh", "typ operacji",
        "reatuup", "deebet kreedit",
    ),
    "currency": (
        "currency", "currency code", "wahrung", "waehrung", "munt", "devise", "divisa", "moneda", "mena", "valuta rekening",
        "mena uctu", "local currency", "original currency",
        "valuta",  # Swedish and Italian for currency; a German value date fails the content check
    ),
    "balance": (
        "balance", "running bal", "runningbalance", "running balance", "account running balance",
        "current balance", "saldo", "saldo na mutatie", "saldo na trn", "solde", "kontostand", "zustatek",
        "available balance", "ending balance", "bokfort saldo",
    ),
    "account": (
        "account", "account number", "account #", "auftragskonto", "rekeningnummer", "card no", "card number",
        "card ending", "iban", "cislo uctu", "account no",
    ),
    "bank_id": (
        "transaction id", "id", "id transakce", "reference number", "id de transaccion", "fitid",
        "transaction reference", "receipt id", "transaktions id",
    ),
    "status": ("status", "state", "info", "transaction status", "transaction state", "payment status",
               "booking status", "buchungsstatus", "zustand", "stav", "stav transakce", "estado", "statut", "etat",
               "tila", "tilstand"),
    "fee": ("fee", "fees", "comision", "poplatek", "commission", "gebuhr"),
}
# Also Nordea's date cell of a reserved (not yet booked) card payment: "Varaus" (FI), "Reserverat" (SE).
PENDING_WORDS = frozenset({"pending", "vorgemerkt", "umsatz vorgemerkt", "authorized", "authorised", "in progress", "pendiente",
                           "en attente", "varaus", "reserverat", "reserveret", "reservert"})
DIRECTION_WORDS: dict[str, int] = {
    "debit": -1, "dr": -1, "d": -1, "af": -1, "s": -1, "debet": -1, "out": -1, "ausgang": -1, "withdrawal": -1,
    "lastschrift": -1, "cargo": -1,
    "credit": 1, "cr": 1, "c": 1, "bij": 1, "h": 1, "kredit": 1, "k": 1, "in": 1, "eingang": 1, "deposit": 1,
    "gutschrift": 1, "abono": 1,
}
_CURRENCY_IN_NAME = re.compile(r"\((?P<code>[A-Z]{3}|[$£€])\)|^(?P<lead>[A-Z]{3})\$$")
_EXACT_ONLY = frozenset({"account", "bank_id", "status", "payee"})
_SYMBOL_CODES = {"£": "GBP", "€": "EUR"}


@lru_cache(maxsize=4096)
def fold(name: str) -> str:
    """Header name → comparable form: no accents, lower case, punctuation as single spaces."""
    # Cut to 256 characters (no header name is longer): ``\([^)]*\)`` is quadratic on a run of "(".
    text = unicodedata.normalize("NFKD", name[:256]).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\([^)]*\)", " ", text) if re.search(r"[a-z]", re.sub(r"\([^)]*\)", "", text)) else text
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", text).split())


def header_currency(name: str) -> str:
    """A currency code printed in a header name (``Amount (USD)``, ``Betrag (€)``, ``CAD$``), or ``""``."""
    match = _CURRENCY_IN_NAME.search(name.strip())
    if not match:
        return ""
    code = match.group("code") or match.group("lead")
    return _SYMBOL_CODES.get(code, code if code.isalpha() else "")


@dataclass
class ColumnMap:
    """0-based column index per role (None where absent); ``description`` may join several."""

    date: int | None = None
    posted: int | None = None
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    indicator: int | None = None
    description: list[int] = field(default_factory=list)
    currency: int | None = None
    balance: int | None = None
    account: int | None = None
    bank_id: int | None = None
    status: int | None = None
    type: int | None = None
    fee: int | None = None


def _score(folded: str, role: str) -> int:
    words = VOCABULARY[role]
    if folded in words:
        return 3 * 1000 - words.index(folded)
    if role in _EXACT_ONLY:
        return 0
    for index, word in enumerate(words):
        if len(word) >= 4 and re.search(rf"\b{re.escape(word)}\b", folded):
            return 1000 - index
    return 0


def names_a_statement(names: list[str]) -> bool:
    """True when header names include a date role and an amount (or debit/credit) role."""
    has = {role: any(_score(fold(name), role) for name in names) for role in ("date", "posted", "amount", "debit", "credit")}
    return (has["date"] or has["posted"]) and (has["amount"] or has["debit"] or has["credit"])


def _ranked(names: list[str], role: str, taken: set[int]) -> list[int]:
    scored = [(_score(fold(name), role), -i, i) for i, name in enumerate(names) if i not in taken]
    return [i for score, _, i in sorted(scored, reverse=True) if score > 0]


def _filled(cells: pd.DataFrame, index: int) -> pd.Series:
    column = cells[index] if index in cells.columns else pd.Series([], dtype=object)
    column = column.astype(str).str.strip()
    return column[column != ""]


def _is_dates(cells: pd.DataFrame, index: int, share: float = 0.8) -> bool:
    """Mostly date-like cells (footer labels may sit in a date column) fitting one format.

    A named column needs half of its cells date-like, an unnamed one ``share``; one format
    must read 75% of the distinct date-like values (a stray ``2026-13-45`` is a skipped row,
    not a reason to lose the column).
    """
    values = _filled(cells, index)
    values = values[~values.str.casefold().isin(PENDING_WORDS)]
    datelike = values[values.str.match(DATE_LIKE)]
    if datelike.empty or len(datelike) < share * len(values):
        return False
    unique = datelike.drop_duplicates().head(500)
    if date_format_candidates(unique):
        return True
    return any(parse_dates(unique, fmt).notna().mean() >= 0.75 for fmt in DATE_FORMATS)


def _amount_share(cells: pd.DataFrame, index: int) -> float:
    values = _filled(cells, index)
    if values.empty:
        return 1.0  # an empty column does not contradict being an amount column
    return float(parse_amounts(values).notna().mean())


def direction_of(values: pd.Series) -> pd.Series:
    """Per cell: -1 (money out), +1 (money in) or 0 from direction words (``Debit``, ``CR``, ``Af``…)."""
    codes, unique = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.array([DIRECTION_WORDS.get(str(v).strip().casefold().rstrip("."), 0) for v in unique] + [0], dtype=int)
    return pd.Series(mapped[codes], index=values.index)


def _is_indicator(cells: pd.DataFrame, index: int, both: bool = False) -> bool:
    """Cells that are all direction words, at most two of them (``both``: one each way)."""
    values = _filled(cells, index).str.casefold().str.rstrip(".")
    if not (len(values) > 0 and values.isin(DIRECTION_WORDS.keys()).all() and values.nunique() <= 2):
        return False
    return not both or {DIRECTION_WORDS[v] for v in values.unique()} == {-1, 1}


def map_columns(names: list[str] | None, cells: pd.DataFrame) -> ColumnMap:
    """Assign roles to columns by name (checked against content), else by content alone."""
    if names is None:
        return _map_by_content(cells)
    taken: set[int] = set()
    found = ColumnMap()

    def pick(role: str, check=None) -> int | None:
        """The best-named free column for ``role`` whose content passes ``check``."""
        for index in _ranked(names, role, taken):
            if check is None or check(index):
                taken.add(index)
                return index
        return None

    found.balance = pick("balance")
    found.fee = pick("fee")
    found.date = pick("date", lambda i: _is_dates(cells, i, 0.5))
    found.posted = pick("posted", lambda i: _is_dates(cells, i, 0.5))
    if found.date is None:
        found.date, found.posted = found.posted, None
    amount_ok = lambda i: _amount_share(cells, i) >= 0.5 and not _is_indicator(cells, i)  # noqa: E731
    found.amount = pick("amount", amount_ok)
    if found.amount is None:
        found.debit = pick("debit", amount_ok)
        found.credit = pick("credit", amount_ok)
    found.indicator = pick("indicator", lambda i: _is_indicator(cells, i))
    found.status = pick("status")
    found.currency = pick("currency", lambda i: _filled(cells, i).str.fullmatch(r"[A-Za-z]{3}|[$£€]").all())
    found.account = pick("account")
    found.bank_id = pick("bank_id")
    payee = pick("payee")
    found.description = [i for i in (payee, pick("description")) if i is not None]
    unnamed = [i for i in cells.columns if i not in taken and (i >= len(names) or not names[i].strip())]
    if found.indicator is None:
        found.indicator = next((i for i in unnamed if _is_indicator(cells, i)), None)
    if found.indicator is None and found.amount is not None:
        # A column of its own name (``Deebet/Kreedit``, ``Debit/Credit``) holding only D and K
        # (or CR and DR…), both directions present: the sign of an unsigned amount column.
        free = [i for i in cells.columns if i not in taken and i != found.amount]
        found.indicator = next((i for i in free if _is_indicator(cells, i, both=True)), None)
        if found.indicator is not None:
            taken.add(found.indicator)
    found.type = next((i for i in _ranked(names, "indicator", taken)), None)
    return _fill_by_content(found, cells, taken)


def _fill_by_content(found: ColumnMap, cells: pd.DataFrame, taken: set[int]) -> ColumnMap:
    """Where names did not find a date or an amount, look at the content of the other columns."""
    guess = _map_by_content(cells.drop(columns=[c for c in taken if c in cells.columns]))
    if found.date is None:
        found.date = guess.date
    if found.amount is None and found.debit is None and found.credit is None:
        found.amount, found.debit, found.credit = guess.amount, guess.debit, guess.credit
    if not found.description:
        found.description = guess.description
    return found


def _map_by_content(cells: pd.DataFrame) -> ColumnMap:
    """Headerless mapping: first date column; decimal amount columns; the longest text column."""
    found = ColumnMap()
    columns = [i for i in cells.columns if len(_filled(cells, i))]  # an empty column plays no role
    found.date = next((i for i in columns if _is_dates(cells, i)), None)
    rest = [i for i in columns if i != found.date]
    numeric = [i for i in rest if len(_filled(cells, i)) and _amount_share(cells, i) == 1.0]
    decimals = [i for i in numeric if _filled(cells, i).str.contains(r"\d[.,]\d\d?\s*$|^[-+(]").any()]
    amounts = decimals or numeric
    if len(amounts) >= 2 and amounts[1] == amounts[0] + 1 and _complementary(cells, amounts[0], amounts[1]):
        found.debit, found.credit = amounts[0], amounts[1]
    elif amounts:
        found.amount = amounts[0]
    used = {found.date, found.amount, found.debit, found.credit}
    texts = [i for i in rest if i not in used and i not in numeric]
    # The descriptor is the column with the most letters (not a reference number or a code).
    lengths = {i: _filled(cells, i).str.count(r"[^\W\d_]").mean() for i in texts if len(_filled(cells, i))}
    if lengths:
        found.description = [max(lengths, key=lambda i: (lengths[i], -i))]
    return found


def _complementary(cells: pd.DataFrame, left: int, right: int) -> bool:
    """Two amount columns where no row fills both: a debit column and a credit column."""
    a = cells[left].astype(str).str.strip() != ""
    b = cells[right].astype(str).str.strip() != ""
    return not (a & b).any()
