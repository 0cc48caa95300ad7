"""The host's approval (RMP 40-41) and authorization statement (RMP 42; 6/CMA.6 paras 10-11;
2/CMA.3 annex para 2): issued by the host Party's DNA only, versioned, never edited."""
import datetime

import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from projects import services
from projects.models import AuthorizationStatement, HostApproval
from projects.services.approvals import authorization_in_force

from .support import PERSONAS, last_sequence, new_events, snapshot

Uses, FT = AuthorizationStatement.Uses, AuthorizationStatement.FirstTransfer


def _approve(world, activity, user=None, **kw):
    data = dict(sd_confirmation="Jobs and cleaner air in Kpone.", ndc_relation="Waste sector, NDC 2.0 measure 4.",
                authorized_participants=[world.orgs["dev"]])
    data.update(kw)
    return services.host_approval_issue(activity=activity, user=user or world.dina, **data)


def _authorize(world, activity, user=None, **kw):
    data = dict(uses=Uses.NDC, effective_from=datetime.date(2026, 1, 1))
    data.update(kw)
    return services.authorization_statement_issue(activity=activity, user=user or world.dina, **data)


def test_host_dna_approves_and_the_event_says_so(world, activity):
    since = last_sequence(activity)
    approval = _approve(world, activity, renewal_approved=True)
    assert (approval.version, approval.dna, approval.renewal_approved) == (1, world.orgs["dna"], True)
    assert list(approval.authorized_participants.all()) == [world.orgs["dev"]]
    (event,) = new_events(activity, since)
    assert (event.kind, event.actor, event.organisation, event.role) == (
        EventKind.HOST_APPROVAL_ISSUED, world.dina, world.orgs["dna"], "dna")
    assert event.payload == {"version": 1, "supersedes": None, "renewal_approved": True, "sop_exemption_opt_out": False,
                             "authorized_participants": ["Kpone Green Energy"]}


def test_only_the_hosts_dna_approves_or_authorizes(world, activity):
    before = snapshot(activity)
    for persona in PERSONAS:
        if persona == "dina":
            continue
        with pytest.raises(Refused):
            _approve(world, activity, user=world.people[persona])
        with pytest.raises(Refused):
            _authorize(world, activity, user=world.people[persona])
    assert snapshot(activity) == before


def test_a_new_approval_is_a_new_version_and_the_old_one_stays(world, activity):
    first = _approve(world, activity)
    second = _approve(world, activity, sd_confirmation="Revised SD confirmation.", renewal_approved=True)
    assert (first.version, second.version) == (1, 2)
    old = HostApproval.objects.get(pk=first.pk)
    assert (old.sd_confirmation, old.renewal_approved) == ("Jobs and cleaner air in Kpone.", False)
    assert HostApproval.objects.filter(activity=activity).count() == 2


@pytest.mark.parametrize("change,field", [
    ({"sd_confirmation": "  "}, "sd_confirmation"),
    ({"ndc_relation": None}, "ndc_relation"),
    ({"authorized_participants": []}, "authorized_participants"),
    ({"authorized_participants": None}, "authorized_participants"),
], ids=["no-sd", "no-ndc", "nobody", "none"])
def test_approval_needs_its_content(world, activity, change, field):
    before = snapshot(activity)
    with pytest.raises(ServiceError) as error:
        _approve(world, activity, **change)
    assert error.value.field == field and not isinstance(error.value, Refused)
    assert snapshot(activity) == before


@pytest.mark.parametrize("org", ["dev2", "doe"])
def test_only_this_activitys_participants_can_be_authorized(world, activity, org):
    """RMP 41: the host authorizes the activity's participants, not any organisation."""
    before = snapshot(activity)
    with pytest.raises(ServiceError, match="RMP 41"):
        _approve(world, activity, authorized_participants=[world.orgs["dev"], world.orgs[org]])
    assert snapshot(activity) == before


def test_no_approval_or_statement_for_a_closed_activity(world, activity):
    services.activity_withdraw(activity=activity, user=world.ama, comment="Abandoned.")
    before = snapshot(activity)
    with pytest.raises(Refused, match="closed"):
        _approve(world, activity)
    with pytest.raises(Refused, match="closed"):
        _authorize(world, activity)
    assert snapshot(activity) == before


# --- authorization statement --------------------------------------------------------------

def test_statement_versions_increase_and_old_versions_stay(world, activity):
    since = last_sequence(activity)
    v1 = _authorize(world, activity, uses=Uses.MITIGATION_CONTRIBUTION)
    v2 = _authorize(world, activity, uses=Uses.OIMP, first_transfer=FT.ISSUANCE, quantity_cap=50_000,
                    vintage_from=2026, vintage_to=2028, effective_from=datetime.date(2027, 1, 1),
                    change_terms="Revocable for future vintages only.")
    assert (v1.version, v2.version) == (1, 2)
    assert AuthorizationStatement.objects.get(pk=v1.pk).uses == Uses.MITIGATION_CONTRIBUTION
    events = new_events(activity, since)
    assert [e.kind for e in events] == [EventKind.AUTHORIZATION_ISSUED] * 2
    assert events[1].actor == world.dina and events[1].organisation == world.orgs["dna"]
    assert events[1].payload == {"version": 2, "supersedes": 1, "uses": "oimp", "first_transfer": "issuance", "quantity_cap": 50_000,
                                 "vintage_from": 2026, "vintage_to": 2028, "effective_from": "2027-01-01"}


@pytest.mark.parametrize("uses", [Uses.OIMP, Uses.BOTH])
def test_oimp_needs_a_first_transfer_definition(world, activity, uses):
    """RMP 42; 2/CMA.3 annex para 2(b): authorization, issuance, or use/cancellation."""
    before = snapshot(activity)
    for bad in ("", FT.INTERNATIONAL_TRANSFER, "whenever"):
        with pytest.raises(ServiceError, match="Define the first transfer") as error:
            _authorize(world, activity, uses=uses, first_transfer=bad)
        assert error.value.field == "first_transfer"
    assert snapshot(activity) == before
    for version, good in enumerate((FT.AUTHORIZATION, FT.ISSUANCE, FT.USE_OR_CANCELLATION), start=1):
        statement = _authorize(world, activity, uses=uses, first_transfer=good)
        assert (statement.version, statement.first_transfer) == (version, good)


def test_ndc_use_means_the_first_international_transfer(world, activity):
    """2/CMA.3 annex para 2(a), whatever the form said."""
    statement = _authorize(world, activity, uses=Uses.NDC, first_transfer=FT.ISSUANCE)
    assert AuthorizationStatement.objects.get(pk=statement.pk).first_transfer == FT.INTERNATIONAL_TRANSFER


def test_mitigation_contribution_clears_cap_and_vintages(world, activity):
    """7/CMA.4 annex I para 29(b): MC units are not authorized, so no authorization terms."""
    statement = AuthorizationStatement.objects.get(pk=_authorize(
        world, activity, uses=Uses.MITIGATION_CONTRIBUTION, first_transfer=FT.ISSUANCE, quantity_cap=10,
        vintage_from=2026, vintage_to=2027).pk)
    assert (statement.first_transfer, statement.quantity_cap, statement.vintage_from, statement.vintage_to) == (
        "", None, None, None)
    assert not statement.is_authorized


@pytest.mark.parametrize("change,field", [
    ({"uses": "everything"}, "uses"),
    ({"uses": None}, "uses"),
    ({"quantity_cap": 0}, "quantity_cap"),
    ({"vintage_from": 2028, "vintage_to": 2026}, "vintage_to"),
    ({"effective_from": None}, "effective_from"),
    ({"effective_from": "soon"}, "effective_from"),
    ({"quantity_cap": "lots"}, "quantity_cap"),
    ({"vintage_from": "2026"}, "vintage_from"),
], ids=["unknown-use", "no-use", "zero-cap", "vintages-reversed", "no-date", "not-a-date", "text-cap",
        "text-vintage"])
def test_bad_statement_input_is_a_clear_error(world, activity, change, field):
    before = snapshot(activity)
    with pytest.raises(ServiceError) as error:
        _authorize(world, activity, **change)
    assert error.value.field == field and not isinstance(error.value, Refused)
    assert snapshot(activity) == before


def test_statement_in_force_follows_the_effective_date(world, activity):
    """7/CMA.4 annex I para 38: the statement valid at issuance sets the units' status."""
    v1 = _authorize(world, activity, uses=Uses.NDC, effective_from=datetime.date(2026, 1, 1))
    v2 = _authorize(world, activity, uses=Uses.MITIGATION_CONTRIBUTION, effective_from=datetime.date(2027, 1, 1))
    assert authorization_in_force(activity=activity, on_date=datetime.date(2025, 12, 31)) is None
    assert authorization_in_force(activity=activity, on_date=datetime.date(2026, 6, 1)).pk == v1.pk
    assert authorization_in_force(activity=activity, on_date=datetime.date(2027, 1, 1)).pk == v2.pk


def test_approval_and_statement_do_not_change_the_state(world, activity):
    before = snapshot(activity)
    _approve(world, activity)
    _authorize(world, activity)
    after = snapshot(activity)
    assert (after["state"], after["due_at"]) == (before["state"], before["due_at"])
    assert after["events"] == before["events"] + 2
    assert Event.objects.filter(stream=activity.stream, kind=EventKind.ACTIVITY_TRANSITIONED).count() == 0
