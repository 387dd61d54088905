"""Numbers, money, dates and times as a reader of each language expects them, with the standard
library only (the CLDR conventions of English and Simplified Chinese, written down here).

| | en | zh_CN |
| --- | --- | --- |
| number | ``1,234,567.5`` | ``1,234,567.5`` |
| money (CNY) | ``¥1,234,567.50`` | ``¥1,234,567.50`` |
| date | ``Dec 5, 2026`` | ``2026年12月5日`` |
| date and time | ``Dec 5, 2026, 14:30`` | ``2026年12月5日 14:30`` |

Times are shown in the reader's time zone (an IANA name such as ``Asia/Shanghai``); a stored
time without a zone is UTC. The CLI and the API never use these: they stay machine-readable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The time zone of a user who has none (Loom's home market).
DEFAULT_TZ = "Asia/Shanghai"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Separators:
    """How a language groups thousands and marks decimals."""

    group: str = ","
    decimal: str = "."


SEPARATORS = {"en": Separators(), "zh_CN": Separators()}


@dataclass(frozen=True)
class CurrencyFormat:
    """What shows an amount of one currency: its ``symbol`` (``¥``) and ``places`` (2 for the yuan)."""

    symbol: str
    places: int = 2


def time_zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``, or :data:`DEFAULT_TZ` when it is empty or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows (``Asia/Shanghai``, ``UTC``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def format_number(value: int | float | Decimal, lang: str, places: int | None = None) -> str:
    """``value`` with thousands grouped and ``places`` decimals (rounded half up); without
    ``places`` a decimal keeps its digits but drops trailing zeros (``12.500000`` → ``12.5``)."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign, digits = ("-" if number < 0 else ""), f"{abs(number):f}"
    whole, _, fraction = digits.partition(".")
    seps = SEPARATORS.get(lang, Separators())
    grouped = f"{int(whole):,}".replace(",", seps.group)
    return f"{sign}{grouped}{seps.decimal + fraction if fraction else ''}"


def format_money(amount: int | Decimal, lang: str, currency: CurrencyFormat) -> str:
    """``amount`` with the currency's symbol and decimals: ``¥1,234,567.50``, ``-$3.00``."""
    rounded = Decimal(amount).quantize(Decimal(1).scaleb(-currency.places), rounding=ROUND_HALF_UP)
    text = format_number(abs(rounded), lang, currency.places)
    return f"{'-' if rounded < 0 else ''}{currency.symbol}{text}"


def format_date(day: dt.date, lang: str) -> str:
    """``day`` as ``Dec 5, 2026`` (en) or ``2026年12月5日`` (zh_CN)."""
    if lang == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def format_datetime(moment: dt.datetime, lang: str, tz: str | None = None) -> str:
    """``moment`` in the time zone ``tz`` to the minute, 24-hour clock: ``Dec 5, 2026, 14:30``
    (en), ``2026年12月5日 14:30`` (zh_CN). A moment without a zone is UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    local = aware.astimezone(time_zone(tz))
    joiner = " " if lang == "zh_CN" else ", "
    return f"{format_date(local.date(), lang)}{joiner}{local:%H:%M}"
