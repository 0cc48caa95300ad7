"""The printed form of a serial block: the one place that knows it (policy.md §5; rules.md §5.3).

The exact A6.4ER serial format is unconfirmed (rules.md §10 q8), so the components live in
columns and only this module composes them.
"""
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pacm.common import bounds

PREFIX = "A6.4ER"


def serial_compose(*, host_iso2, activity_reference, vintage, serial_start, serial_end, component_reference=None):
    """`A6.4ER-<host ISO2>-<activity reference>-<vintage>-<first>-<last>` from the components; a PoA's
    units print their component project's reference (`<PoA reference>-CP<n>`, which names the PoA) in
    place of the activity's, with the CP's host (PROC-AC-003 v03.0 para 220; reading poa-issuance-5)."""
    return f"{PREFIX}-{host_iso2}-{component_reference or activity_reference}-{vintage}-{serial_start}-{serial_end}"


def serial_format(block):
    """The printed form of a UnitBlock (or a LedgerEntry's range, given its block)."""
    source = getattr(block, "block", None) or block
    return serial_compose(
        host_iso2=source.host_party.iso2,
        activity_reference=source.activity.reference,
        component_reference=source.component.reference if source.component_id else None,
        vintage=block.vintage,
        serial_start=block.serial_start,
        serial_end=block.serial_end,
    )


# --- Reading a serial back (the public lookup, pacm issue 9) -------------------------------------

SERIAL_TEXT_MAX = 120  # the longest printed range: prefix, ISO2, a 20-character reference, two 19-digit serials


class SerialUnreadable(ValueError):
    """A serial number or range that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class SerialQuery:
    """One reading of a typed serial: the range [start, end] of one activity and vintage."""

    host_iso2: str
    activity_reference: str
    vintage: int
    serial_start: int
    serial_end: int


EXPECTED = gettext_lazy(
    "Give a serial number as printed, e.g. A6.4ER-GH-A64-012345-2024-15, or a range, "
    "e.g. A6.4ER-GH-A64-012345-2024-15-300."
)


def _ascii_digits(text):
    return text.isascii() and text.isdigit()  # "²" is a digit to str.isdigit, not to int()


def _serial_number(text):
    if not _ascii_digits(text) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= bounds.BIGINT_MAX else None


def _vintage(text):
    if len(text) != 4 or not _ascii_digits(text):
        return None
    value = int(text)
    return value if bounds.YEAR_MIN <= value <= bounds.YEAR_MAX else None


def serial_parse(text):
    """The readings of `text`, a serial number or range as `serial_compose` prints it (the prefix
    may be left out; a range may also be written `first..last`): a list of SerialQuery, at most
    two, because an activity reference may itself end in digits (A64-000001) and the last number
    is then either the only serial or the end of a range. Raises SerialUnreadable with the reason."""
    if not isinstance(text, str):
        raise SerialUnreadable(str(EXPECTED))
    if bounds.has_control(text):
        raise SerialUnreadable(str(EXPECTED))
    # Digits of any script read as ASCII digits, as the forms read them (bounds.digits_normalise).
    text = bounds.digits_normalise(bounds.text_clean(text)).replace("..", "-").replace("\u2013", "-")
    if not text:
        raise SerialUnreadable(str(EXPECTED))
    if len(text) > SERIAL_TEXT_MAX:
        raise SerialUnreadable(_("A serial number is at most %(limit)s characters.") % {"limit": SERIAL_TEXT_MAX})
    if text.upper().startswith(PREFIX.upper() + "-"):
        text = text[len(PREFIX) + 1:]
    parts = [part.strip() for part in text.split("-")]
    if len(parts) < 4 or len(parts[0]) != 2 or not parts[0].isalpha():
        raise SerialUnreadable(str(EXPECTED))
    host = parts[0].upper()
    readings = []
    # A range: <host>-<reference>-<vintage>-<first>-<last>; one serial: <host>-<reference>-<vintage>-<serial>.
    for numbers in (2, 1):
        if len(parts) < 3 + numbers:
            continue
        reference = "-".join(parts[1:-1 - numbers]).upper()
        vintage = _vintage(parts[-1 - numbers])
        serials = [_serial_number(part) for part in parts[len(parts) - numbers:]]
        if not reference or vintage is None or None in serials:
            continue
        start, end = serials[0], serials[-1]
        if start > end:
            continue
        readings.append(SerialQuery(host, reference, vintage, start, end))
    if not readings:
        raise SerialUnreadable(str(EXPECTED))
    return readings
