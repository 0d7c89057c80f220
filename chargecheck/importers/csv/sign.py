"""Is a one-column CSV export "signed" (money out negative) or "charges positive"?

Input: the parsed amounts of the transaction rows (file order) and, where the file has them,
descriptions, a running balance, a type column and whether the header looks like a card
export.  Output: ``(factor, reason)`` — multiply amounts by ``factor`` (``1`` or ``-1``) to
get money-out-negative.  Evidence is tried from the most to the least reliable
(``research/bank-csv-layouts.md`` §3) and the first that decides wins; without evidence the
file is taken as signed, which is what most banks export.

1. type words per row (``Sale``/``Purchase`` against ``Payment``/``Return``);
2. card-payment rows (``PAYMENT - THANK YOU``): their sign is the file's money-in sign;
3. the running balance (not on card exports, whose balance is the amount owed); a balance that
   reconciles under exactly one sign is tried first of all (a reading that reconciles beats
   one that does not);
4. a card-like header with mostly positive amounts.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from ..reconcile import running_order

__all__ = ["decide_sign", "CARD_HEADER_WORDS"]

CARD_HEADER_WORDS = (
    "post date", "posted date", "clearing date", "card no", "card number", "card member", "card ending",
    "member name", "extended details", "appears on your statement as", "cardholder", "card",
)
_PAYMENT_ROW = re.compile(r"(?i)thank\s*you|payment\s+received|automatic\s+payment")
_OUT_WORDS = {"sale", "purchase", "debit", "charge", "withdrawal", "pos", "atm", "fee"}
_IN_WORDS = {"payment", "return", "refund", "credit", "deposit"}


def _majority(signs: np.ndarray) -> int:
    """+1 if (nearly) all positive, -1 if (nearly) all negative, 0 otherwise."""
    if len(signs) == 0:
        return 0
    positive = float((signs > 0).mean())
    return 1 if positive >= 0.8 else -1 if positive <= 0.2 else 0


def _by_type(amounts: pd.Series, types: pd.Series | None) -> tuple[int, str]:
    if types is None:
        return 0, ""
    codes, unique = pd.factorize(types.astype(str).str.casefold())
    words = [set(re.findall(r"[a-z]+", value)) for value in unique]  # few distinct type values
    out = np.array([bool(_OUT_WORDS & w) for w in words] + [False], dtype=bool)[codes]
    into = np.array([bool(_IN_WORDS & w) for w in words] + [False], dtype=bool)[codes]
    signs = np.sign(amounts.to_numpy(dtype="int64"))
    out_sign, in_sign = _majority(signs[out & ~into]), _majority(signs[into & ~out])
    if out_sign == 1 or in_sign == -1:
        return -1, "purchases are positive in the type column"
    if out_sign == -1 or in_sign == 1:
        return 1, "purchases are negative in the type column"
    return 0, ""


def _by_payments(amounts: pd.Series, descriptions: pd.Series | None) -> tuple[int, str]:
    if descriptions is None:
        return 0, ""
    cells = descriptions.to_numpy(dtype=object)
    # Cells that are all str already need no str-dtype copy of a million rows first.
    codes, unique = pd.factorize(cells if infer_dtype(cells, skipna=False) == "string" else descriptions.astype(str))
    rows = np.append(pd.Series(unique, dtype=object).str.contains(_PAYMENT_ROW).to_numpy(bool), False)[codes]
    sign = _majority(np.sign(amounts.to_numpy(dtype="int64")[rows]))
    if sign == -1:
        return -1, "card payments ('THANK YOU') are negative"
    if sign == 1:
        return 1, "card payments ('THANK YOU') are positive"
    return 0, ""


def _by_balance(amounts: pd.Series, balance: pd.Series | None) -> tuple[int, str, bool]:
    """The sign under which the running balance reconciles (oldest- or newest-first), when only one does.

    Exact integer cents (:func:`~chargecheck.importers.reconcile.running_order`); a reading
    that reconciles beats one that does not, else the one under which most steps agree.  The
    third value is True when the chosen sign reconciles every step (proof, not a hint).
    """
    if balance is None:
        return 0, "", False
    both = balance.notna().to_numpy() & amounts.notna().to_numpy()
    bal = balance.to_numpy(dtype="int64", na_value=0)[both]
    amt = amounts.to_numpy(dtype="int64", na_value=0)[both]
    if len(bal) < 2:
        return 0, "", False
    steps = len(bal) - 1
    known = np.ones(len(bal), dtype=bool)
    agree = {factor: running_order(factor * amt, bal, known)[1] for factor in (1, -1)}
    if agree[1] == agree[-1] or max(agree.values()) * 2 < steps:
        return 0, "", False
    factor = 1 if agree[1] > agree[-1] else -1
    proven = agree[factor] == steps
    how = "reconciles with" if proven else "agrees with"
    return factor, f"the running balance {how} the amounts " + ("as printed" if factor == 1 else "negated"), proven


def decide_sign(
    amounts: pd.Series,
    descriptions: pd.Series | None = None,
    balance: pd.Series | None = None,
    types: pd.Series | None = None,
    card_like: bool = False,
) -> tuple[int, str]:
    """``(factor, reason)`` turning the parsed amounts into money-out-negative amounts."""
    amounts = amounts.reset_index(drop=True)
    checks = []
    # A balance that reconciles under one sign only is proof, not a hint: it comes first.
    factor, reason, proven = (0, "", False) if card_like else _by_balance(
        amounts, None if balance is None else balance.reset_index(drop=True))
    if proven:
        checks.append((factor, reason))
    checks += [
        _by_type(amounts, None if types is None else types.reset_index(drop=True)),
        _by_payments(amounts, None if descriptions is None else descriptions.reset_index(drop=True)),
        (factor, reason),
    ]
    for factor, reason in checks:
        if factor:
            return factor, reason
    if card_like and len(amounts) and float((amounts > 0).mean()) >= 0.7:
        return -1, "card export with mostly positive amounts"
    return 1, "signed as printed (no evidence of charges-positive)"
