"""Count a transaction once when overlapping statements (January–March, February–April) both hold it.

Input: the :class:`~chargecheck.schema.Statement` objects as read, in the user's order.
Output: one transaction table (the schema of :mod:`chargecheck.schema`) and a
:class:`~chargecheck.model.DuplicateDrop` for every row left out, naming both sources: nothing
is merged silently.

Rules, applied file by file against the rows already kept from earlier files (so the earlier
file keeps its rows, and the result does not depend on anything but the given order):

1. Both rows carry a bank id of the same scheme (both OFX FITIDs, both CAMT or both MT940
   references): they are the same transaction when account, bank id, date and amount agree.
   Two rows with *different* ids of one scheme are never merged, even when all else is equal.
2. Otherwise a multiset of (account, date, amount, description) is compared *between* files:
   two identical coffees on one day in one file stay two; if file A holds two and file B three
   identical rows, three are kept (B's third is new).

Matching is by hashed keys and a rank within each key (``groupby().cumcount()``), so a million
rows cost a few merges, not a Python loop per row; hash matches are re-checked on the real
values so a collision can never drop a row.

One payment, two lines (:func:`link_same_payments`, after matching): a wallet's activity export
(PayPal's "Netflix … PreApproved Payment") and the card or bank line that funded it
(``PAYPAL *NETFLIX``) are not duplicates of one statement, so both are kept; but they are one
payment.  Two rows matched to the same vendor, in different files, with the same amount and
currency (or one naming none), dated at most :data:`SAME_PAYMENT_DAYS` apart, of which exactly
one is printed behind a wallet's prefix, are linked: the column ``same_payment`` holds, on the
second line, the position of the line that stands for the payment (the confident match, else the
wallet-prefixed funding line), and -1 elsewhere.  The flag stage then counts the payment once and
names both sources.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .model import DuplicateDrop, MatchTier, Source
from .schema import TRANSACTION_COLUMNS, Statement, cents_to_decimal, empty_transactions

__all__ = ["drop_overlaps", "drop_overlaps_in", "link_same_payments", "overlap_keys", "rows_with_keys", "SAME_BANK_ID",
           "SAME_CONTENT", "SAME_PAYMENT_DAYS"]

SAME_BANK_ID = "same account, bank id, date and amount as a row of an earlier file"
SAME_CONTENT = "same account, date, amount and description as a row of an earlier file"
_ID_KEY = ("account", "bank_id", "date", "amount_cents")
_CONTENT_KEY = ("account", "date", "amount_cents", "_desc")
_OVERLAP_KEY = ("account", "date", "amount_cents")  # in both keys


def _normalized_descriptions(descriptions: pd.Series) -> np.ndarray:
    """Descriptions compared case- and spacing-insensitively (computed once per unique text)."""
    codes, uniques = pd.factorize(descriptions, use_na_sentinel=False)
    cleaned = np.array([" ".join(str(text).split()).casefold() for text in uniques], dtype=object)
    return cleaned[codes] if len(codes) else np.array([], dtype=object)


def _hash(table: pd.DataFrame, key: tuple[str, ...]) -> np.ndarray:
    return pd.util.hash_pandas_object(table[list(key)], index=False).to_numpy()


def _pair(left: np.ndarray, right: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair rows (global positions) of ``left`` with rows of ``right`` having the same key hash.

    The n-th row of a key on the left pairs with the n-th row of that key on the right, which
    is exactly multiset matching; rows without a partner stay unpaired.
    """
    if len(left) == 0 or len(right) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    frames = []
    for positions in (left, right):
        frame = pd.DataFrame({"h": hashes[positions], "pos": positions})
        frame["rank"] = frame.groupby("h", sort=False).cumcount()
        frames.append(frame)
    merged = frames[0].merge(frames[1], on=["h", "rank"], suffixes=("_l", "_r"), sort=False)
    return merged["pos_l"].to_numpy(np.int64), merged["pos_r"].to_numpy(np.int64)


def _verified(table: pd.DataFrame, key: tuple[str, ...], left: np.ndarray, right: np.ndarray):
    """Keep only pairs whose key values are really equal (guards against a hash collision)."""
    same = np.ones(len(left), dtype=bool)
    for column in key:
        values = table[column].to_numpy()
        same &= values[left] == values[right]
    return left[same], right[same]


def _match_file(table: pd.DataFrame, rows: np.ndarray, pool: np.ndarray, hashes: dict, has_id: np.ndarray,
                scheme: np.ndarray):
    """Rows of one file that duplicate kept rows of earlier files: (dropped, kept, reasons).

    ``scheme`` numbers each row's id scheme (its file's format): an OFX FITID and a CAMT
    reference of the same payment differ, so ids are only compared within one scheme.
    """
    comparable = has_id[pool] & (scheme[pool] == scheme[rows[0]])
    dropped, kept, reasons = [], [], []
    taken_rows = np.zeros(len(table), dtype=bool)
    taken_pool = np.zeros(len(table), dtype=bool)
    steps = (
        (SAME_BANK_ID, _ID_KEY, rows[has_id[rows]], pool[comparable]),
        (SAME_CONTENT, _CONTENT_KEY, rows[has_id[rows]], pool[~comparable]),
        (SAME_CONTENT, _CONTENT_KEY, rows[~has_id[rows]], pool),
    )
    for reason, key, left, right in steps:
        left, right = left[~taken_rows[left]], right[~taken_pool[right]]
        pair_left, pair_right = _verified(table, key, *_pair(left, right, hashes[key]))
        taken_rows[pair_left] = True
        taken_pool[pair_right] = True
        dropped.append(pair_left)
        kept.append(pair_right)
        reasons.extend([reason] * len(pair_left))
    return np.concatenate(dropped), np.concatenate(kept), reasons


def _sources(table: pd.DataFrame, positions: np.ndarray) -> list[Source]:
    """Source (file, line, bank id) of each row at ``positions``."""
    files = table["source_file"].to_numpy(object)[positions].tolist()
    column = table["source_line"].iloc[positions]
    numbers = column.to_numpy(dtype="int64", na_value=0).tolist()  # plain ints, no per-row int()
    gaps = column.isna().to_numpy().tolist()
    ids = table["bank_id"].to_numpy(object)[positions].tolist()
    return [
        Source(file, None if gap else line, bank_id or None)
        for file, line, gap, bank_id in zip(files, numbers, gaps, ids)
    ]


def _drops(table: pd.DataFrame, dropped: np.ndarray, kept: np.ndarray, reasons: list[str]):
    """One DuplicateDrop per dropped row, in file and line order (a loop over drops only)."""
    order = np.argsort(dropped, kind="stable")
    dropped, kept = dropped[order], kept[order]
    days = table["date"].iloc[dropped].dt.date.tolist()
    cents = table["amount_cents"].to_numpy()[dropped].tolist()
    texts = table["description"].to_numpy(object)[dropped].tolist()
    amounts = {c: cents_to_decimal(c) for c in set(cents)}  # statements repeat their amounts
    return tuple(
        DuplicateDrop(kept=k, dropped=d, date=day, amount=amounts[c], description=text,
                      reason=reasons[i])
        for i, k, d, day, c, text in zip(
            order.tolist(), _sources(table, kept), _sources(table, dropped), days, cents, texts
        )
    )


def _overlap_candidates(table: pd.DataFrame, files: np.ndarray) -> np.ndarray:
    """Rows whose (date, amount) also occurs in another file: the only rows either rule can pair.

    Both keys contain date and amount, so a row whose pair of them no other file holds can
    never be dropped nor keep another row out.  One hash and a de-duplication of (hash, file)
    pairs decide it, so statements that do not overlap skip the multiset join entirely.
    """
    hashed = _hash(table, ("date", "amount_cents"))
    pairs = pd.DataFrame({"h": hashed, "f": files}).drop_duplicates()
    shared = pairs["h"].to_numpy()[pairs["h"].duplicated(keep=False).to_numpy()]
    return pd.Index(np.unique(shared)).get_indexer(hashed) >= 0 if len(shared) else np.zeros(len(table), dtype=bool)


def _drop_within(table: pd.DataFrame, files: np.ndarray, formats: list[str]):
    """The file-by-file matching of the module docstring on ``table``: (keep mask, drops)."""
    table = table.reset_index(drop=True)
    table["_desc"] = _normalized_descriptions(table["description"])
    hashes = {_ID_KEY: _hash(table, _ID_KEY), _CONTENT_KEY: _hash(table, _CONTENT_KEY)}
    has_id = (table["bank_id"] != "").to_numpy()
    codes = {fmt: code for code, fmt in enumerate(sorted(set(formats)))}
    scheme = np.array([codes[fmt] for fmt in formats])[files]
    keep = np.ones(len(table), dtype=bool)
    all_dropped, all_kept, all_reasons = [], [], []
    for file in np.unique(files):
        rows = np.flatnonzero(files == file)
        pool = np.flatnonzero(keep[: rows[0]])
        dropped, kept, reasons = _match_file(table, rows, pool, hashes, has_id, scheme)
        keep[dropped] = False
        all_dropped.append(dropped)
        all_kept.append(kept)
        all_reasons.extend(reasons)
    return keep, _drops(table, np.concatenate(all_dropped), np.concatenate(all_kept), all_reasons)


def drop_overlaps(statements: Sequence[Statement]) -> tuple[pd.DataFrame, tuple[DuplicateDrop, ...]]:
    """Concatenate the statements' transactions, counting a row held by two files once.

    Returns the kept rows (file order, then row order; schema columns) and every dropped row
    with the source it duplicates.  See the module docstring for the matching rules.  One
    statement, or statements without a (date, amount) in common, cost only the concatenation.
    """
    kept_statements = [st for st in statements if len(st.transactions)]
    frames = [st.transactions for st in kept_statements]
    if not frames:
        return empty_transactions(), ()
    if len(frames) == 1:  # the first file's rows are all kept: nothing earlier to duplicate
        return frames[0][list(TRANSACTION_COLUMNS)].reset_index(drop=True), ()
    table = pd.concat(frames, ignore_index=True)[list(TRANSACTION_COLUMNS)]
    keep, drops = _keep_mask(table, frames, [st.format for st in kept_statements])
    return (table, ()) if keep.all() else (table.loc[keep].reset_index(drop=True), drops)


def overlap_keys(transactions: pd.DataFrame) -> np.ndarray:
    """The distinct hashes of (account, date, amount) of a table's rows.

    Both rules compare rows with equal account, date and amount only, so a row whose key no
    other file holds is never dropped and never keeps another out: a check of statements
    read in parts ships these keys, then only the rows whose key two files share.
    """
    return np.unique(_hash(transactions, _OVERLAP_KEY)) if len(transactions) else np.zeros(0, dtype=np.uint64)


def rows_with_keys(transactions: pd.DataFrame, keys: np.ndarray) -> np.ndarray:
    """Positions of the rows whose (account, date, amount) hash is among ``keys``."""
    if not len(transactions) or not len(keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.isin(_hash(transactions, _OVERLAP_KEY), keys))


def drop_overlaps_in(frames: Sequence[pd.DataFrame], formats: Sequence[str]) -> tuple[list[np.ndarray], tuple[DuplicateDrop, ...]]:
    """The rules of :func:`drop_overlaps` on one frame per file (in the user's order) that
    holds at least the file's rows whose key another file shares (:func:`rows_with_keys`).

    Returns a keep mask per frame and the drops: the same drops, in the same order, as
    :func:`drop_overlaps` gives on the files' whole tables, since no other row can pair.
    """
    present = [i for i, frame in enumerate(frames) if len(frame)]
    masks = [np.ones(len(frame), dtype=bool) for frame in frames]
    if len(present) < 2:
        return masks, ()
    chosen = [frames[i] for i in present]
    table = pd.concat(chosen, ignore_index=True)[list(TRANSACTION_COLUMNS)]
    keep, drops = _keep_mask(table, chosen, [formats[i] for i in present])
    for i, piece in zip(present, np.split(keep, np.cumsum([len(f) for f in chosen])[:-1])):
        masks[i] = piece
    return masks, drops


def _keep_mask(table: pd.DataFrame, frames: Sequence[pd.DataFrame], formats: list[str]):
    """Keep mask over the concatenated ``table`` of ``frames`` (one per file) and the drops."""
    files = np.repeat(np.arange(len(frames)), [len(frame) for frame in frames])
    candidates = np.flatnonzero(_overlap_candidates(table, files))
    keep = np.ones(len(table), dtype=bool)
    if not len(candidates):
        return keep, ()
    # Rows outside the candidates pair with nothing, so matching the candidates alone (in
    # the same order) gives the same pairs, ranks and drops.
    keep_candidates, drops = _drop_within(table.iloc[candidates], files[candidates], formats)
    keep[candidates[~keep_candidates]] = False
    return keep, drops


SAME_PAYMENT_DAYS = 4  # a card is charged when the wallet pays, or a few banking days later


def _wallet_line(cleaned: str, prefixes: tuple[str, ...]) -> bool:
    """The cleaned descriptor starts with a wallet's prefix (``PAYPAL*``), spacing ignored."""
    compact = "".join(cleaned.split()).upper()
    return any(compact.startswith(prefix) for prefix in prefixes)


def link_same_payments(annotated: pd.DataFrame, wallet_prefixes: Sequence[str],
                       days: int = SAME_PAYMENT_DAYS) -> pd.DataFrame:
    """A copy of the matcher's table with a ``same_payment`` column linking a wallet's line to the
    card or bank line that funded it (see the module docstring); -1 on every other row.

    Only matched rows are looked at (a Python loop over them, not over the table).  Each line
    is linked at most once, to the nearest date first, so two monthly charges never pair across
    months.
    """
    out = annotated.copy(deep=False)
    links = np.full(len(out), -1, dtype=np.int64)
    prefixes = tuple(sorted({"".join(p.split()).upper() for p in wallet_prefixes if p.strip()}))
    if "match_vendor" in out.columns and prefixes and len(out):
        vendor = out["match_vendor"].to_numpy(dtype=object, na_value="")
        positions = np.flatnonzero(vendor != "")
        if len(positions):
            _link(out, positions, prefixes, days, links)
    out["same_payment"] = links
    return out


def _confident(out: pd.DataFrame, position: int) -> bool:
    if "match_tier" not in out.columns:
        return True
    return str(out["match_tier"].iat[position]) != MatchTier.TO_CHECK.value


def _link(out: pd.DataFrame, positions: np.ndarray, prefixes: tuple[str, ...], days: int, links: np.ndarray) -> None:
    """Fill ``links`` for the matched rows at ``positions``: wallet lines against the others."""
    rows = out.iloc[positions]
    keys = list(zip(rows["match_vendor"].astype(str).str.strip().str.casefold(), rows["amount_cents"].tolist()))
    dates = rows["date"].dt.date.tolist()
    files = rows["source_file"].astype(str).tolist()
    currencies = rows["currency"].fillna("").astype(str).tolist()
    wallet = [_wallet_line(str(text), prefixes) for text in rows["cleaned"].fillna("").tolist()]
    others: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        if not wallet[i]:
            others.setdefault(key, []).append(i)
    taken: set[int] = set()
    for i in sorted((i for i in range(len(keys)) if wallet[i]), key=lambda i: (dates[i], files[i], i)):
        near = [j for j in others.get(keys[i], ()) if j not in taken and files[j] != files[i]
                and abs((dates[j] - dates[i]).days) <= days
                and (not currencies[i] or not currencies[j] or currencies[i] == currencies[j])]
        if not near:
            continue
        j = min(near, key=lambda j: (abs((dates[j] - dates[i]).days), dates[j], j))
        taken.add(j)
        first, second = int(positions[i]), int(positions[j])  # the funding line stands, unless less sure
        if not _confident(out, first) and _confident(out, second):
            first, second = second, first
        links[second] = first
