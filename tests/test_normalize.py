"""Descriptor cleaning: raw bank text in, merchant text out (a table of real-looking shapes)."""

from __future__ import annotations

import pandas as pd
import pytest

from chargecheck.match.normalize import clean_descriptions, clean_descriptor, clean_steps, strip_row_noise

CASES = [
    # plain merchants: phone numbers, state codes, store numbers
    ("NETFLIX.COM 866-579-7172 CA", "NETFLIX.COM"),
    ("Netflix.com Los Gatos CA", "NETFLIX.COM LOS GATOS"),
    ("SPOTIFY USA 877-778-1161 NY", "SPOTIFY USA"),
    ("HULU 877-8244858 CA", "HULU"),
    ("ORANGETHEORY FITNESS #0412", "ORANGETHEORY FITNESS"),
    ("ACME ANVILS STORE 12 TUCSON AZ", "ACME ANVILS STORE TUCSON"),
    ("ACME STORE #0012", "ACME STORE"),
    ("ACME NO. 12", "ACME"),
    ("ACME (800) 555-1234 CA", "ACME"),
    ("NYTimes*NYTimes 800-698-4637NY", "NYTIMES*NYTIMES"),
    ("SIRIUSXM*ALL ACCESS 888-6", "SIRIUSXM*ALL ACCESS"),
    ("PAYPAL *NORTONLIFEL 4029357733", "PAYPAL*NORTONLIFEL"),
    ("GOOGLE *YouTube TV g.co/helppay# CA", "GOOGLE*YOUTUBE TV"),
    # bank wrappers in front, card references behind
    ("RECURRING PAYMENT AUTHORIZED ON 03/01 HULU 877-8244858 CA S331486483301352 CARD 0683", "HULU"),
    ("PURCHASE AUTHORIZED ON 04/02 ACME.COM 855-4422629 NY S551965721117486 CARD 3545", "ACME.COM"),
    ("PURCHASE RETURN AUTHORIZED ON 02/11 ACME LOS GATOS CA S367520330341255 CARD 9628", "ACME LOS GATOS"),
    ("05/07 RECURRING PAYMENT AUTHORIZED ON 05/06 SPOTIFY USA NY", "SPOTIFY USA"),
    ("CHECKCARD 0314 NETFLIX.COM NETFLIX.COM CA 24525809737889239213190", "NETFLIX.COM NETFLIX.COM"),
    ("POS PURCHASE NON-PIN SPOTIFY USA 877-7781161 NY 12/03", "SPOTIFY USA"),
    ("POS DEBIT WIDGETS* MEMBERSHIP INTERNET CA 09/02", "WIDGETS*MEMBERSHIP INTERNET"),
    ("DEBIT CARD PURCHASE - DISNEYPLUS 888-905-7888 CA", "DISNEYPLUS"),
    ("DEBIT CARD PURCHASE XXXXX7104 KINDLE UNLTD*NZ9R11PK0 WA", "KINDLE UNLTD*"),
    ("DEBIT CARD PURCHASE - BUMBLE INC AUSTIN TX XXXX4821", "BUMBLE INC AUSTIN"),
    ("ACH DEBIT GYMCO MEMBERSHIP", "GYMCO MEMBERSHIP"),
    ("GYMCO DES:CLUB FEES ID:0093318847 INDN:XXXXXXXX CO ID:9000312547 PPD", "GYMCO"),
    # refunds keep the merchant
    ("REFUND SPOTIFY USA 877-7781161 NY", "SPOTIFY USA"),
    ("HULU 877-8244858 CA CREDIT", "HULU"),
    ("GYMCO REFUND 844-880-7180", "GYMCO"),
    # processor prefixes stay, spaces around the star go
    ("DRI*KASPERSKY LAB       866-3285700 MA", "DRI*KASPERSKY LAB"),
    ("SQ *BLUE BOTTLE COFFEE", "SQ*BLUE BOTTLE COFFEE"),
    ("UBER   *TRIP", "UBER*TRIP"),
    # a merchant's order reference after the star goes (new on every charge); the star stays
    ("MSFT * E0500ZSTGX", "MSFT*"),
    ("AMAZON MKTPL*RT5YX2KL0", "AMAZON MKTPL*"),
    ("AMZN Mktp US*2K4AB12C3 Amzn.com/bill WA", "AMZN MKTP US* AMZN.COM/BILL"),
    ("Audible*2K1AB0CD3 Amzn.com/bill NJ", "AUDIBLE* AMZN.COM/BILL"),
    # ... but a name with a number in it is no reference (two runs of letters and digits)
    ("PADDLE.NET* 1PASSWORD", "PADDLE.NET*1PASSWORD"),
    ("SQ *CAFE2GO", "SQ*CAFE2GO"),
    ("NETFLIX.COM*PLAN2026", "NETFLIX.COM*PLAN2026"),
    ("*RT5YX2KL0", "*RT5YX2KL0"),  # nothing before the star: nothing to keep
    # apostrophes vanish so possessives become one word; unknown codes stay
    ("NORTON'S PIZZA #2 NORTON MA", "NORTONS PIZZA NORTON"),
    ("SPOTIFY P43C314821", "SPOTIFY P43C314821"),
    ("MICROSOFT*365", "MICROSOFT*365"),
    ("NINTENDO CD", "NINTENDO CD"),
    # non-ASCII input is normalised, not dropped
    ("ＮＥＴＦＬＩＸ．ＣＯＭ", "NETFLIX.COM"),
    ("Spotify São Paulo", "SPOTIFY SAO PAULO"),
    ("CAFÉ MÜLLER", "CAFE MULLER"),
    ("", ""),
]


@pytest.mark.parametrize("raw, cleaned", CASES, ids=[c[0][:40] or "empty" for c in CASES])
def test_clean_descriptor(raw: str, cleaned: str) -> None:
    assert clean_descriptor(raw) == cleaned


@pytest.mark.parametrize("raw", [c[0] for c in CASES], ids=[c[0][:40] or "empty" for c in CASES])
def test_row_noise_strip_does_not_change_the_result(raw: str) -> None:
    assert clean_descriptor(strip_row_noise(raw)) == clean_descriptor(raw)


def test_steps_record_each_removal_and_the_city() -> None:
    result = clean_steps("RECURRING PAYMENT AUTHORIZED ON 03/01 ACME 877-8244858 SAN JOSE CA S331486483301352 CARD 0683")
    assert result.steps == (
        ("upper case, spacing", "RECURRING PAYMENT AUTHORIZED ON 03/01 ACME 877-8244858 SAN JOSE CA S331486483301352 CARD 0683"),
        ("authorization wording", "ACME 877-8244858 SAN JOSE CA S331486483301352 CARD 0683"),
        ("phone number", "ACME SAN JOSE CA S331486483301352 CARD 0683"),
        ("card suffix", "ACME SAN JOSE CA"),
        ("state/country CA", "ACME SAN JOSE"),
    )
    assert result.text == "ACME SAN JOSE"
    assert result.region == "CA"
    assert result.location == ("SAN", "JOSE")


@pytest.mark.parametrize("raw, location", [
    ("KASPERSKY LAB INC WOBURN MA", ("WOBURN",)),
    ("EVERNOTE CORP REDWOOD CITY CA", ("REDWOOD", "CITY")),
    ("HULU CA", ()),          # the only word is the merchant, never a city
    ("NINTENDO CD", ()),      # CD is no state code
])
def test_city_before_a_state_code(raw: str, location: tuple[str, ...]) -> None:
    assert clean_steps(raw).location == location


def test_clean_descriptions_keeps_index_and_dtype() -> None:
    values = pd.Series(["HULU 877-8244858 CA", None, "HULU 877-8244858 CA", "SQ *CAFE"], index=[10, 11, 12, 13])
    out = clean_descriptions(values)
    assert list(out.index) == [10, 11, 12, 13]
    assert out.tolist() == ["HULU", "", "HULU", "SQ*CAFE"]
    assert out.dtype == "str"


def test_clean_descriptions_empty() -> None:
    assert clean_descriptions(pd.Series([], dtype="str")).tolist() == []


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_BANKISH = st.text(alphabet=st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 *#/-.:&'+()")
                                            + ["é", "Ｎ", "\t", "ß"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_BANKISH)
def test_cleaning_never_fails_and_stays_tidy(raw: str) -> None:
    result = clean_steps(raw)
    assert result.text == clean_descriptor(raw)
    assert result.text == result.text.strip() and "  " not in result.text
    assert result.text == result.text.upper()
    assert result.steps[0][0] == "upper case, spacing"
    assert clean_descriptor(strip_row_noise(raw)) == result.text


_ORDER_IDS = st.text(alphabet=st.sampled_from(list("ABCDEFGHJKLMNPQRSTUVWXYZabc0123456789")), min_size=6, max_size=18)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_ORDER_IDS, st.sampled_from(["AMZN Mktp US", "AUDIBLE", "Amazon.com", "MSFT", "SQ", "É",
                                                       "WA", "Amzn.com/bill", "#12", "'", ""])), max_size=5),
       st.lists(st.sampled_from(["*", " *", "* ", " * ", " ", "  "]), min_size=5, max_size=5))
def test_order_references_strip_like_they_clean(words: list[str], glue: list[str]) -> None:
    """The pre-pass's stand-in for an order reference cleans exactly as the reference does."""
    raw = "".join(word + sep for word, sep in zip(words, glue))
    assert clean_descriptor(strip_row_noise(raw)) == clean_descriptor(raw)
