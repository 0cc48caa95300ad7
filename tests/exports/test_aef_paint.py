"""The holdings replay's interval painting (aef.paint; reading aef-8): pure, no database."""
from projects.exports.aef import entry_actions, paint


def test_a_range_entering_then_part_leaving():
    ivs = paint([], 1, 100, True, False)
    assert ivs == [(1, 100, True, False)]
    ivs = paint(ivs, 21, 40, False, True)  # 20 units leave, first-transferred as they go
    assert ivs == [(1, 20, True, False), (21, 40, False, True), (41, 100, True, False)]
    ivs = paint(ivs, 30, 35, True, False)  # some come back: still first-transferred
    assert ivs == [(1, 20, True, False), (21, 29, False, True), (30, 35, True, True), (36, 40, False, True),
                   (41, 100, True, False)]


def test_a_move_over_unseen_serials_fills_the_gap():
    ivs = paint([(10, 20, True, False)], 1, 30, False, False)
    assert ivs == [(1, 9, False, False), (10, 20, False, False), (21, 30, False, False)]


def _row(**kw):
    base = {"kind": "transfer", "first_transfer": False, "host_id": 1, "from_kind": "holding", "from_party": 1,
            "to_kind": "holding", "to_party": 2}
    return {**base, **kw}


def test_the_action_types_of_one_range():
    # A first international transfer: the host's first transfer and transfer, the other Party's acquisition.
    row = _row(first_transfer=True)
    assert entry_actions(row, 1) == [("First transfer", "Transfer"), ("Transfer", "Transfer")]
    assert entry_actions(row, 2) == [("Acquisition", "Transfer")]
    assert entry_actions(_row(to_party=1), 1) == []  # domestic
    # From the SOP account (no Party): an acquisition for the receiver only.
    sop = _row(from_kind="sop_adaptation", from_party=None)
    assert entry_actions(sop, 1) == [] and entry_actions(sop, 2) == [("Acquisition", "Transfer")]
    # Mandatory OMGE from pending: the host's first transfer and cancellation.
    omge = _row(kind="omge_cancellation", first_transfer=True, from_kind="pending", from_party=None,
                to_kind="omge_mandatory", to_party=None)
    assert entry_actions(omge, 1) == [("First transfer", "OMGE cancellation"), ("Cancellation", "OMGE cancellation")]
    retire = _row(kind="retirement", from_party=2, to_kind="retirement", to_party=2)
    assert entry_actions(retire, 2) == [("Use", "Retirement (NDC use)")] and entry_actions(retire, 1) == []
