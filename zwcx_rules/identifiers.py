"""Check characters of 统一社会信用代码 (GB 32100-2015) and 公民身份号码 (GB 11643-1999), and masking."""

from __future__ import annotations

from datetime import date

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_DIGITS = frozenset("0123456789")


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a 统一社会信用代码."""
    if len(first17) != 17 or any(ch not in _USCC_VALUE for ch in first17):
        raise ValueError("expected 17 characters from 0-9 and ABCDEFGHJKLMNPQRTUWXY")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    """Whether ``code`` is 18 characters of the USCC charset ending in the right check character."""
    if not isinstance(code, str) or len(code) != 18:
        return False
    try:
        total = sum(_USCC_VALUE[ch] * w for ch, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    except KeyError:
        return False
    return _USCC_VALUE.get(code[17]) == (31 - total % 31) % 31


def id_number_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of a 公民身份号码."""
    if len(first17) != 17 or any(ch not in _DIGITS for ch in first17):
        raise ValueError("expected 17 digits")
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_birth_date(s: str) -> date | None:
    """The birth date in characters 7-14 of a 公民身份号码, or None if they are not a real date."""
    part = s[6:14]
    if len(part) != 8 or any(ch not in _DIGITS for ch in part):
        return None
    try:
        return date(int(part[:4]), int(part[4:6]), int(part[6:]))
    except ValueError:
        return None


def id_number_is_valid(s: str) -> bool:
    """Whether ``s`` is 17 digits plus the right check character, with a real birth date."""
    if not isinstance(s, str) or len(s) != 18 or any(ch not in _DIGITS for ch in s[:17]):
        return False
    return id_number_check_char(s[:17]) == s[17] and id_number_birth_date(s) is not None


def mask_id_number(s: str) -> str:
    """The string with all but its first 6 and last 4 characters replaced by ``*`` (all, if short)."""
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_if_id_number(s: str) -> str:
    """``s`` masked if it is a valid 公民身份号码, so no output ever shows one whole; else unchanged."""
    if len(s) != 18 or not s[:17].isdigit():  # the common case, on every id of every outcome: cheap
        return s
    candidate = s[:17] + s[17:].upper()  # a lowercase ``x`` check character is still a number
    return mask_id_number(s) if id_number_is_valid(candidate) else s
