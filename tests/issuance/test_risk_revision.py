"""The revision of the reversal risk assessment, on its own machine (A6.4-STAN-METH-002 v01.0 paras 38-42,
49; pacm issue 10): the timer opens it and tells the participants, they submit, the DOE validates or
returns it, the SB asks for one after a reversal. Every step with its actor and the refused ones."""
import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from pacm.notifications.models import Notification
from projects import services
from projects.models import Activity, RiskAssessment
from projects.risk.services import (
    activity_risk_revision_require,
    revision_schedule,
    risk_revision_open,
    risk_revision_return,
    risk_revision_submit,
    risk_revision_validate,
)
from projects.timers import timers_run
from tests import factories as f

PERSONAS = ("ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia")


@pytest.fixture
def rated(registered):
    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=Decimal("10"))  # set-up: validated at 10 %
    methodology = registered.methodology_version.methodology
    methodology.kind = "removals"
    methodology.save()
    return Activity.objects.get(pk=registered.pk)


def _events(activity, since):
    return [(e.kind, e.actor_label, e.from_state, e.to_state, e.payload)
            for e in Event.objects.filter(stream=activity.stream, sequence__gt=since).order_by("sequence")]


def _last(activity):
    return Event.objects.filter(stream=activity.stream).order_by("-sequence").values_list("sequence", flat=True).first()


def _open(world, activity, time_machine, django_capture_on_commit_callbacks):
    revision = revision_schedule(activity=activity, number=1)
    time_machine.move_to(revision.due_at + datetime.timedelta(seconds=1), tick=True)
    with django_capture_on_commit_callbacks(execute=True):
        timers_run()
    return RiskAssessment.objects.get(pk=revision.pk)


def test_the_revision_is_due_five_years_from_the_crediting_start_and_opens_by_timer(
        world, rated, time_machine, django_capture_on_commit_callbacks):
    """Para 41 (RuleSet.risk_revision_years = 5); reading risk-buffer-4: opened 90 days before, notifying."""
    revision = revision_schedule(activity=rated, number=1)
    due = rated.crediting_start + relativedelta(years=5)
    assert revision.revision_due == due and revision.state == "scheduled"
    assert revision.due_at.date() == due - datetime.timedelta(days=RuleSet.objects.in_force().risk_revision_notice_days)
    with pytest.raises(Refused) as early:
        risk_revision_open(assessment=revision, actor=__import__("pacm.parties.roles", fromlist=["Actor"]).Actor.timer(
            "open_revision"))
    assert early.value.code in ("not_due", "not_permitted")
    since = _last(rated)
    time_machine.move_to(revision.due_at + datetime.timedelta(seconds=1), tick=True)
    with django_capture_on_commit_callbacks(execute=True):
        fired = timers_run()
    assert ("open_revision" in [name for _, name in fired])
    assert _events(rated, since) == [("risk.transitioned", "timer:open_revision", "scheduled", "due",
                                      {"transition": "open_revision", "risk_assessment": 1})]
    told = set(Notification.objects.filter(machine="risk", subject_pk=revision.pk).values_list(
        "recipient__username", flat=True))
    assert "ama" in told and not told & {"kofi", "otto", "nils"}


def test_participants_submit_and_the_doe_validates(world, rated, time_machine, django_capture_on_commit_callbacks):
    revision = _open(world, rated, time_machine, django_capture_on_commit_callbacks)
    assert {p for p in PERSONAS if "submit_revision" in available_actions(getattr(world, p), revision).names} == {"ama"}
    for persona in ("kofi", "dora", "otto", "dina", "nils", "sam", "sofia"):
        with pytest.raises(Refused):
            risk_revision_submit(assessment=revision, user=getattr(world, persona), rating="12")
    with pytest.raises(ServiceError) as missing:
        risk_revision_submit(assessment=revision, user=world.ama, rating="12")
    assert missing.value.code == "risk_assessment_missing"
    services.document_upload(activity=rated, user=world.ama, kind="risk_assessment", uploaded=f.pdf("r2.pdf"))
    with pytest.raises(ServiceError) as negligible:
        risk_revision_submit(assessment=revision, user=world.ama, rating="3", negligible=True)
    assert negligible.value.code == "risk_negligible_not_zero"
    RuleSet.objects.filter(version="2025-08").update(risk_rating_max_percent=Decimal("40"))
    with pytest.raises(ServiceError) as high:
        risk_revision_submit(assessment=revision, user=world.ama, rating="40.01")
    assert high.value.code == "risk_rating_above_maximum"
    for bad in ("abc", "12.345"):
        with pytest.raises(ServiceError) as invalid:
            risk_revision_submit(assessment=revision, user=world.ama, rating=bad)
        assert invalid.value.code == "risk_rating_invalid"
    since = _last(rated)
    revision = risk_revision_submit(assessment=revision, user=world.ama, rating="40")  # the edge is accepted
    version = rated.documents.get(kind="risk_assessment").latest
    assert _events(rated, since) == [("risk.transitioned", "ama", "due", "submitted", {
        "transition": "submit_revision", "risk_assessment": 1, "rating": "40.00", "negligible": False,
        "document": {"id": version.pk, "version": 1, "sha256": version.sha256}})]
    # Only the engaged DOE validates or returns it.
    assert {p for p in PERSONAS if available_actions(getattr(world, p), revision).names} == {"dora"}
    for persona in ("ama", "otto", "sam", "sofia", "dina"):
        with pytest.raises(Refused):
            risk_revision_validate(assessment=revision, user=getattr(world, persona))
    with pytest.raises(ServiceError) as reasons:
        risk_revision_return(assessment=revision, user=world.dora)
    assert reasons.value.code == "reasons_required"
    revision = risk_revision_return(assessment=revision, user=world.dora, comment="Fire risk is understated.")
    assert revision.state == "due"
    revision = risk_revision_submit(assessment=revision, user=world.ama, rating="25")
    since = _last(rated)
    revision = risk_revision_validate(assessment=revision, user=world.dora)
    following = RiskAssessment.objects.get(activity=rated, number=2)
    assert following.revision_due == rated.crediting_start + relativedelta(years=10)  # after this one's
    assert _events(rated, since) == [("risk.transitioned", "dora", "submitted", "validated", {
        "transition": "validate_revision", "risk_assessment": 1, "rating": "25.00", "negligible": False,
        "previous_rating": "10.00", "next_revision_due": following.revision_due.isoformat()})]
    rated.refresh_from_db()
    assert (rated.risk_rating_percent, rated.risk_negligible) == (Decimal("25.00"), False)
    assert revision.validated_by == world.orgs["doe"] and revision.validated_at is not None
    assert not available_actions(world.dora, revision).names  # validated: terminal


def test_the_sb_asks_for_a_revision_after_a_reversal(world, rated):
    """Para 49: following a reversal's monitoring report the rating is revised: the SB opens it now."""
    revision_schedule(activity=rated, number=1)
    for persona in ("ama", "dora", "sam", "dina"):
        with pytest.raises(Refused):
            activity_risk_revision_require(activity=rated, user=getattr(world, persona), comment="Fire")
    with pytest.raises(ServiceError):
        activity_risk_revision_require(activity=rated, user=world.sofia, comment="")
    since = _last(rated)
    revision = activity_risk_revision_require(activity=rated, user=world.sofia, comment="Reversal of 12 May")
    assert (revision.state, revision.reason) == ("due", "reversal")
    assert _events(rated, since) == [("risk.transitioned", "sofia", "scheduled", "due", {
        "transition": "require_revision", "risk_assessment": 1, "reason": "reversal"})]
    with pytest.raises(ServiceError) as again:
        activity_risk_revision_require(activity=rated, user=world.sofia, comment="Again")
    assert again.value.code == "risk_revision_already_open"
