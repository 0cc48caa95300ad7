"""The host approvals a holding account may rest on, asked of the cycle (RMP 41, 63).

`projects` registers the lookup from its AppConfig.ready(), so that the registry (the lower
layer) never imports projects. Until one is registered, no host approval is found and an
account needs the Party's letter.
"""
_lookup = None


def host_approval_lookup_register(fn):
    global _lookup
    _lookup = fn


def host_approval_of(*, party, organisation):
    """The latest host approval of `party` authorizing `organisation` as a participant, or None."""
    return _lookup(party=party, organisation=organisation) if _lookup is not None else None
