"""The printed form of a serial block: the one place that knows it (policy.md §5; rules.md §5.3).

The exact A6.4ER serial format is unconfirmed (rules.md §10 q8), so the components live in
columns and only this module composes them.
"""
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
