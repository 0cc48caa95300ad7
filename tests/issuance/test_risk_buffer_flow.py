"""The buffer at every issuance from the activity's percentage risk rating, the negligible-risk tag,
and the superseded categories' history (A6.4-STAN-METH-002 v01.0 paras 38-39, 41, 53-55; pacm issue 10)."""
import datetime
from decimal import Decimal

import pytest

from methodologies.models import RuleSet
from pacm.common.errors import ServiceError
from pacm.registry.models import Account, AccountKind, LedgerTransaction, UnitBlock
from pacm.registry.services import units_transfer
from projects import services
from projects.cycle import PeriodState as P
from projects.models import Activity, IssuanceRequest
from projects.risk.services import revision_schedule, risk_revision_submit, risk_revision_validate
from projects.timers import timers_run
from projects.views.period_page import executed_split
from tests import factories as f


def pool():
    return Account.objects.get(kind=AccountKind.BUFFER)


def _removals(activity, **rating):
    Activity.objects.filter(pk=activity.pk).update(**rating)  # set-up: the DOE-validated rating
    methodology = activity.methodology_version.methodology
    methodology.kind = "removals"
    methodology.save()


def test_buffer_is_the_percentage_of_every_issuance_forwarded_with_its_status(world, registered, submit, drive):
    """Para 55: 12.5 % of 30,000 = 3,750 units forwarded to the pool, rounded as the rule set says (up);
    SBM018 para 29: forwarded, not a first transfer; para 53: the units keep their authorization status."""
    _removals(registered, risk_rating_percent=Decimal("12.5"))
    request = IssuanceRequest.objects.get(period=drive(submit(registered), P.ISSUED))
    assert (request.gross, request.share_of_proceeds, request.omge, request.buffer, request.net) == (
        30_000, 1_500, 600, 3_750, 24_150)
    assert request.buffer_rating == "12.50" and request.rule_set.version == "2025-08"
    deposit = LedgerTransaction.objects.get(issuance=request, kind="buffer_deposit")
    assert (deposit.quantity, deposit.first_transfer, deposit.to_account_id) == (3_750, False, pool().pk)
    assert not deposit.entries.filter(first_transfer=True).exists()
    blocks = UnitBlock.objects.filter(account=pool())
    assert {b.authorization_status for b in blocks} == {"ndc"} and sum(b.quantity for b in blocks) == 3_750
    assert not any(b.first_transferred for b in blocks)
    assert executed_split(request).buffer_rate == Decimal("0.125")
    # Units are conserved: every unit issued is in exactly one account.
    assert sum(b.quantity for b in UnitBlock.objects.filter(issuance=request)) == 30_000


def test_negligible_risk_units_are_tagged_and_keep_the_tag(world, registered, submit, drive):
    """Para 39(b): a rating of 0 that the DOE validated as negligible tags the units issued; a partial
    transfer's new block keeps the tag."""
    _removals(registered, risk_rating_percent=Decimal("0"), risk_negligible=True)
    request = IssuanceRequest.objects.get(period=drive(submit(registered), P.ISSUED))
    assert request.buffer == 0 and request.buffer_rating == "0.00"
    assert set(UnitBlock.objects.filter(issuance=request).values_list("negligible_risk", flat=True)) == {True}
    units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=10)
    moved = UnitBlock.objects.get(account=world.acct2)
    assert moved.negligible_risk and moved.parent.negligible_risk


def test_a_rating_outside_the_rule_sets_limits_blocks_the_request(world, registered, submit, drive):
    """Para 42: the rule set's upper limit is checked when the issuance is requested."""
    _removals(registered, risk_rating_percent=Decimal("45"))
    RuleSet.objects.filter(version="2025-08").update(risk_rating_max_percent=Decimal("40"))
    with pytest.raises(ServiceError) as info:
        drive(submit(registered), P.ISSUANCE_REQUESTED)
    assert info.value.code == "risk_rating_above_maximum"


def test_superseded_categories_keep_their_history(world, registered, submit, drive, time_machine):
    """policy.md §2's categories are data of a superseded rule set: an issuance made under it stays as it
    was; under the standard's rule set the activity needs its percentage rating, given by a revision."""
    _removals(registered, risk_rating="low")
    categories = RuleSet.objects.create(version="cat-test", effective_from=datetime.date.today(),
                                        buffer_basis="categories")
    first = IssuanceRequest.objects.get(period=drive(submit(registered), P.ISSUED))
    assert (first.buffer, first.buffer_rating, first.rule_set) == (3_000, "low", categories)  # 10 % of 30,000
    issued = sorted(UnitBlock.objects.filter(issuance=first).values_list("account_id", "serial_start", "serial_end"))
    # The standard's rule set comes into force after it.
    RuleSet.objects.create(version="std-test", effective_from=datetime.date.today(), buffer_basis="percentage")
    first.refresh_from_db()
    assert (first.buffer, first.net, first.buffer_rating) == (3_000, 24_900, "low")
    assert sorted(UnitBlock.objects.filter(issuance=first).values_list("account_id", "serial_start", "serial_end")) \
        == issued
    assert executed_split(first).buffer_rate == Decimal("0.10")  # shown at the category's rate, as computed
    with pytest.raises(ServiceError) as info:
        drive(submit(registered, number=2), P.ISSUANCE_REQUESTED)
    assert info.value.code == "risk_rating_category_superseded"
    # The participants revise the assessment; the DOE validates 15 %; the next issuance uses it.
    revision = revision_schedule(activity=registered, number=1)
    time_machine.move_to(revision.due_at + datetime.timedelta(seconds=1), tick=True)
    assert ("open_revision" in [name for _, name in timers_run()])
    services.document_upload(activity=registered, user=world.ama, kind="risk_assessment", uploaded=f.pdf("r.pdf"))
    risk_revision_submit(assessment=revision, user=world.ama, rating="15")
    risk_revision_validate(assessment=revision, user=world.dora)
    second = IssuanceRequest.objects.get(period=drive(submit(registered, number=3), P.ISSUED))
    assert (second.buffer, second.buffer_rating) == (4_500, "15.00")
