"""统一社会信用代码 and 公民身份号码 check characters, and masking of identity numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zwcx_rules.facts import (
    id_number_check_char,
    id_number_is_valid,
    mask_id_number,
    mask_if_id_number,
    uscc_check_char,
    uscc_is_valid,
)
from zwcx_rules.identifiers import USCC_CHARSET

uscc_prefixes = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)
id_prefixes = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq}",
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)


def test_known_good_uscc() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_is_valid("91350100M000100Y43")


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",    # wrong check character
    "91350100M000100Y4",     # 17 characters
    "91350100M000100Y433",   # 19 characters
    "91350100m000100Y43",    # lower case
    "91350100I000100Y43",    # I is not in the charset
    "",
])
def test_bad_uscc(code: str) -> None:
    assert not uscc_is_valid(code)


@given(uscc_prefixes)
def test_uscc_prefix_with_computed_check_char_validates(prefix: str) -> None:
    assert uscc_is_valid(prefix + uscc_check_char(prefix))


@given(uscc_prefixes, st.sampled_from(USCC_CHARSET))
def test_uscc_other_check_char_invalidates(prefix: str, other: str) -> None:
    right = uscc_check_char(prefix)
    assert uscc_is_valid(prefix + other) == (other == right)


@given(uscc_prefixes, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_CHARSET))
def test_uscc_single_substitution_is_caught(prefix: str, position: int, replacement: str) -> None:
    code = prefix + uscc_check_char(prefix)
    changed = code[:position] + replacement + code[position + 1:]
    assert uscc_is_valid(changed) == (changed == code)


def test_uscc_check_char_rejects_bad_prefix() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("91350100O000100Y4")
    with pytest.raises(ValueError):
        uscc_check_char("123")


def test_known_good_id_number() -> None:
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_is_valid("11010519491231002X")


@pytest.mark.parametrize("number", [
    "110105194912310021",    # wrong check character
    "11010519491231002x",    # the check character is an upper-case X
    "1101051949123100",      # too short
    "11010519491231002XX",   # too long
    "1101051949123100AX",    # letters in the first 17
    "１１０１０５１９４９１２３１００２X",  # full-width digits
])
def test_bad_id_number(number: str) -> None:
    assert not id_number_is_valid(number)


def test_id_number_needs_real_birth_date() -> None:
    prefix = "11010519490230002"  # 30 February
    assert not id_number_is_valid(prefix + id_number_check_char(prefix))


@given(id_prefixes)
def test_id_prefix_with_computed_check_char_validates(prefix: str) -> None:
    assert id_number_is_valid(prefix + id_number_check_char(prefix))


@given(id_prefixes, st.sampled_from("0123456789X"))
def test_id_other_check_char_invalidates(prefix: str, other: str) -> None:
    assert id_number_is_valid(prefix + other) == (other == id_number_check_char(prefix))


def test_mask_known_number() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"


@given(id_prefixes)
def test_mask_keeps_length_and_hides_birth_date(prefix: str) -> None:
    number = prefix + id_number_check_char(prefix)
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked[6:14] == "*" * 8
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert number not in masked


@given(st.text(min_size=0, max_size=40))
def test_mask_any_text_keeps_length_and_hides_the_middle(text: str) -> None:
    masked = mask_id_number(text)
    assert len(masked) == len(text)
    if len(text) > 10:
        assert masked[6:-4] == "*" * (len(text) - 10)
    else:
        assert set(masked) <= {"*"}


def test_mask_if_id_number() -> None:
    assert mask_if_id_number("11010519491231002X") == "110105********002X"
    assert mask_if_id_number("11010519491231002x") == "110105********002x"
    assert mask_if_id_number("p-001") == "p-001"
    assert mask_if_id_number("91350100M000100Y43") == "91350100M000100Y43"
