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
