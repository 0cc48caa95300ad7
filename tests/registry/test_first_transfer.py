"""first_transfer_applies (rules.md §6): the pure decision, case by case."""
import pytest

from pacm.parties.models import Organisation
from pacm.registry.models import Account, UnitBlock
from pacm.registry.services import first_transfer_applies

HOST, ABROAD = 1, 2
PENDING = Account(kind="pending")
HOLDING_AT_HOME = Account(kind="holding", organisation=Organisation(pk=11, party_id=HOST))
HOLDING_ABROAD = Account(kind="holding", organisation=Organisation(pk=12, party_id=ABROAD))
PARTY_ABROAD = Account(kind="holding", party_id=ABROAD)
RETIREMENT_ABROAD = Account(kind="retirement", party_id=ABROAD)
SOP = Account(kind="sop_adaptation")
OMGE = Account(kind="omge_mandatory")
OIMP = Account(kind="cancellation_oimp")
VOLUNTARY = Account(kind="voluntary_cancellation")
BUFFER = Account(kind="buffer")
ADMIN = Account(kind="admin_cancellation")


def block(status, definition="", *, at=PENDING, done=False):
    return UnitBlock(authorization_status=status, first_transfer_definition=definition, host_party_id=HOST,
                     account=at, first_transferred=done)


CASES = [
    # RMP 58-59; 4/CMA.6 paras 16-17: levies of authorized units.
    (block("ndc", "international"), SOP, "share_of_proceeds", True),
    (block("oimp", "use"), OMGE, "omge_cancellation", True),
    (block("both", "use"), SOP, "share_of_proceeds", True),
    # 7/CMA.4 annex I para 29(b); 4/CMA.6 para 11: mitigation contribution units never.
    (block("mc"), SOP, "share_of_proceeds", False),
    (block("mc"), HOLDING_ABROAD, "forwarding", False),
    (block("mc"), OIMP, "cancellation_oimp", False),
    # Only once.
    (block("ndc", "international", done=True), HOLDING_ABROAD, "transfer", False),
    (block("ndc", "international", done=True), SOP, "share_of_proceeds", False),
    # NDC: the first international transfer (2/CMA.3 annex para 2(a)).
    (block("ndc", "international"), HOLDING_AT_HOME, "forwarding", False),
    (block("ndc", "international"), HOLDING_ABROAD, "forwarding", True),
    (block("ndc", "international", at=HOLDING_AT_HOME), PARTY_ABROAD, "transfer", True),
    (block("ndc", "international", at=HOLDING_AT_HOME), RETIREMENT_ABROAD, "retirement", True),
    (block("ndc", "international", at=HOLDING_AT_HOME), VOLUNTARY, "voluntary_cancellation", False),
    # OIMP: as the host defined it (para 2(b)).
    (block("oimp", "issuance"), HOLDING_AT_HOME, "forwarding", True),
    (block("oimp", "authorization"), HOLDING_AT_HOME, "forwarding", True),
    (block("oimp", "issuance", at=HOLDING_AT_HOME), HOLDING_ABROAD, "transfer", False),
    (block("oimp", "use"), HOLDING_ABROAD, "forwarding", False),
    (block("oimp", "use", at=HOLDING_AT_HOME), OIMP, "cancellation_oimp", True),
    (block("oimp", "use", at=HOLDING_AT_HOME), VOLUNTARY, "voluntary_cancellation", True),
    # Both: whichever comes first (4/CMA.6 para 12).
    (block("both", "use"), HOLDING_ABROAD, "forwarding", True),
    (block("both", "use", at=HOLDING_AT_HOME), OIMP, "cancellation_oimp", True),
    (block("both", "use", at=HOLDING_AT_HOME), HOLDING_AT_HOME, "transfer", False),
    (block("both", "issuance"), HOLDING_AT_HOME, "forwarding", True),
    # Inside the mechanism: the buffer and the reversal cancellations are not transfers (rules.md §4.3).
    (block("ndc", "international"), BUFFER, "buffer_deposit", False),
    (block("oimp", "issuance"), BUFFER, "buffer_deposit", False),
    (block("oimp", "use", at=BUFFER), ADMIN, "buffer_cancellation", False),
    (block("oimp", "use", at=HOLDING_AT_HOME), ADMIN, "reversal_compensation", False),
]


@pytest.mark.parametrize("unit_block, to_account, kind, expected", CASES)
def test_first_transfer_applies(unit_block, to_account, kind, expected):
    assert first_transfer_applies(block=unit_block, to_account=to_account, kind=kind) is expected
