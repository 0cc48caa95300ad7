"""The printed form of a serial block: the one place that knows it (policy.md §5; rules.md §5.3).

The exact A6.4ER serial format is unconfirmed (rules.md §10 q8), so the components live in
columns and only this module composes them.
"""
PREFIX = "A6.4ER"


def serial_compose(*, host_iso2, activity_reference, vintage, serial_start, serial_end):
    """`A6.4ER-<host ISO2>-<activity reference>-<vintage>-<first>-<last>` from the components."""
    return f"{PREFIX}-{host_iso2}-{activity_reference}-{vintage}-{serial_start}-{serial_end}"


def serial_format(block):
    """The printed form of a UnitBlock (or a LedgerEntry's range, given its block)."""
    source = getattr(block, "block", None) or block
    return serial_compose(
        host_iso2=source.host_party.iso2,
        activity_reference=source.activity.reference,
        vintage=block.vintage,
        serial_start=block.serial_start,
        serial_end=block.serial_end,
    )


def serial_parse(text):
    """The components of a printed serial: one unit (`...-<vintage>-<n>`) or a range (`...-<first>-<last>`).

    {"host_iso2", "activity_reference", "vintage", "serial_start", "serial_end"}, or None when `text`
    is not a serial this module prints. The activity reference may itself hold dashes.
    """
    if not isinstance(text, str) or len(text) > 200:
        return None
    parts = text.strip().split("-")
    if len(parts) < 5 or parts[0].upper() != PREFIX.upper() or len(parts[1]) != 2 or not parts[1].isalpha():
        return None
    numbers = []
    while parts and len(numbers) < 3 and parts[-1].isdigit() and parts[-1].isascii():
        numbers.insert(0, parts.pop())
    # The vintage is the four-digit year: "...-A64-000001-2023-57" is one unit, not a range of 2023.
    if len(numbers) == 3 and len(numbers[0]) != 4:
        parts.append(numbers.pop(0))
    if numbers and len(numbers[0]) != 4:
        return None
    numbers = [int(n) for n in numbers]
    if len(numbers) == 3:
        vintage, start, end = numbers
    elif len(numbers) == 2:
        vintage, start = numbers
        end = start
    else:
        return None
    reference = "-".join(parts[2:])
    if not reference or not 1000 <= vintage <= 9999 or not 1 <= start <= end < 2**63:
        return None
    return {"host_iso2": parts[1].upper(), "activity_reference": reference, "vintage": vintage,
            "serial_start": start, "serial_end": end}
