"""Crediting periods and the other PDD rules (rules.md §7.1; RMP 27(b), 31(f), 32), through
`activity_create` and `activity_update`. A refused draft stores nothing and records no event.

Date convention: a period of L years ends at the latest on start + L years - 1 day
(rules.md §7.1, CDM convention [UNCONFIRMED]).
"""
import datetime

import pytest
from dateutil.relativedelta import relativedelta

from methodologies.models import MethodologyVersion, RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity

from .. import factories as f
from .support import snapshot

S = datetime.date(2026, 1, 1)


def _last_day(start, years):
    return start + relativedelta(years=years) - datetime.timedelta(days=1)


@pytest.fixture
def removals(world):
    version = f.methodology_version("A6.4-AR-TEST", kind="removals", scope_number=14)
    return version


@pytest.fixture
def create(world):
    """activity_create with the PDD defaults; returns the activity or the ServiceError, and checks
    that a refusal stored nothing."""

    def attempt(version=None, **overrides):
        data = f.pdd_data(world.host, version or world.version, start_date=S, crediting_start=S,
                          crediting_end=_last_day(S, 5))
        if version is not None:
            data["sectoral_scope"] = version.methodology.sectoral_scopes.first()
        data.update(overrides)
        activities, events = Activity.objects.count(), Event.objects.count()
        try:
            return services.activity_create(user=world.ama, **data)
        except ServiceError as error:
            assert not isinstance(error, Refused)
            assert (Activity.objects.count(), Event.objects.count()) == (activities, events)
            return error

    return attempt


def _refused(result, field, match=""):
    assert isinstance(result, ServiceError), f"accepted: {result}"
    assert result.field == field, result.message
    assert match in result.message
    return result


def _accepted(result):
    assert isinstance(result, Activity), getattr(result, "message", result)
    return result


def _rules():
    return RuleSet.objects.in_force()


def test_crediting_may_not_start_before_2021(create):
    earliest = _rules().crediting_earliest_start
    assert earliest == datetime.date(2021, 1, 1)  # RMP 31(f)
    day_before = earliest - datetime.timedelta(days=1)
    _refused(create(start_date=day_before, crediting_start=day_before, crediting_end=_last_day(day_before, 5)),
             "crediting_start", "RMP 31(f)")
    _accepted(create(start_date=earliest, crediting_start=earliest, crediting_end=_last_day(earliest, 5)))


def test_renewable_reductions_at_most_five_years(create):
    years = _rules().reductions_renewable_years
    assert years == 5
    _refused(create(crediting_type="renewable", crediting_end=_last_day(S, years) + datetime.timedelta(days=1)),
             "crediting_end", "at most 5 years")
    activity = _accepted(create(crediting_type="renewable", crediting_end=_last_day(S, years)))
    assert activity.crediting_end == datetime.date(2030, 12, 31)


def test_fixed_reductions_at_most_ten_years(create):
    years = _rules().reductions_fixed_years
    assert years == 10
    _refused(create(crediting_type="fixed", crediting_end=_last_day(S, years) + datetime.timedelta(days=1)),
             "crediting_end", "at most 10 years")
    _accepted(create(crediting_type="fixed", crediting_end=_last_day(S, years)))


def test_removals_at_most_fifteen_years(create, removals):
    years = _rules().removals_renewable_years
    assert years == 15
    _refused(create(removals, crediting_end=_last_day(S, years) + datetime.timedelta(days=1)),
             "crediting_end", "at most 15 years")
    _accepted(create(removals, crediting_end=_last_day(S, years)))


def test_removals_cannot_have_a_fixed_period(create, removals):
    _refused(create(removals, crediting_type="fixed", crediting_end=_last_day(S, 10)), "crediting_type", "renewable")


def test_lengths_come_from_the_rule_set(create):
    RuleSet.objects.create(version="short", effective_from=datetime.date(2025, 8, 8), reductions_renewable_years=3)
    _refused(create(crediting_end=_last_day(S, 3) + datetime.timedelta(days=1)), "crediting_end", "at most 3 years")
    _accepted(create(crediting_end=_last_day(S, 3)))


@pytest.mark.parametrize("kind,rule_years", [("renewable", 5), ("fixed", 10)])
def test_host_may_impose_a_shorter_period(world, create, kind, rule_years):
    """RMP 27(b): the host may impose any shorter period."""
    world.host.crediting_period_max_years = 3
    world.host.save()
    _refused(create(crediting_type=kind, crediting_end=_last_day(S, rule_years)), "crediting_end", "at most 3 years")
    _refused(create(crediting_type=kind, crediting_end=_last_day(S, 3) + datetime.timedelta(days=1)), "crediting_end")
    _accepted(create(crediting_type=kind, crediting_end=_last_day(S, 3)))


def test_host_cap_longer_than_the_rule_does_not_lengthen_it(world, create):
    world.host.crediting_period_max_years = 20
    world.host.save()
    _refused(create(crediting_end=_last_day(S, 6)), "crediting_end", "at most 5 years")


def test_host_that_does_not_allow_renewal(world, create, removals):
    world.host.allows_renewal = False
    world.host.save()
    _refused(create(crediting_type="renewable"), "crediting_type", "does not allow renewable")
    _accepted(create(crediting_type="fixed", crediting_end=_last_day(S, 10)))
    # RMP 31(f): removals periods are the renewable kind; without renewal they simply run once.
    _accepted(create(removals, crediting_type="renewable", crediting_end=_last_day(S, 15)))


def test_crediting_cannot_start_before_the_activity(create):
    _refused(create(start_date=S + datetime.timedelta(days=1)), "crediting_start", "before the activity starts")
    _accepted(create(start_date=S - datetime.timedelta(days=1)))


def test_crediting_period_cannot_end_before_it_starts(create):
    _refused(create(crediting_end=S - datetime.timedelta(days=1)), "crediting_end", "ends before it starts")


def test_unknown_crediting_type_is_refused(create):
    _refused(create(crediting_type="perpetual"), "crediting_type")


@pytest.mark.parametrize("change", [
    {"status": MethodologyVersion.Status.WITHDRAWN},
    {"status": MethodologyVersion.Status.ON_HOLD},
    {"valid_from": datetime.date(2099, 1, 1)},
    {"valid_to": datetime.date(2022, 12, 31)},
], ids=["withdrawn", "on-hold", "not-yet-valid", "expired"])
def test_methodology_version_must_be_applicable_today(world, create, change):
    """RMP 32: an SB-approved methodology version valid on the day."""
    MethodologyVersion.objects.filter(pk=world.version.pk).update(**change)
    _refused(create(MethodologyVersion.objects.get(pk=world.version.pk)), "methodology_version", "RMP 32")


def test_sectoral_scope_must_be_covered_by_the_methodology(create):
    _refused(create(sectoral_scope=f.scope(1)), "sectoral_scope", "does not apply to sectoral scope 1")


@pytest.mark.parametrize("annual", [0, -5, "40000", 12.5, True], ids=["zero", "negative", "text", "fraction", "bool"])
def test_estimated_annual_is_a_positive_whole_number(create, annual):
    _refused(create(estimated_annual=annual), "estimated_annual")


@pytest.mark.parametrize("field", ["title", "crediting_end", "methodology_version"])
def test_missing_fields_are_named(create, field):
    _refused(create(**{field: None}), field, "Fill in")


def test_all_problems_are_reported_together(create):
    result = _refused(create(sectoral_scope=f.scope(1), estimated_annual=0), "sectoral_scope")
    assert set(result.errors) == {"sectoral_scope", "estimated_annual"}


def test_only_participants_create_activities(world):
    for persona in ("dora", "dina", "sam", "sofia"):
        with pytest.raises(Refused):
            services.activity_create(user=world.people[persona], **f.pdd_data(world.host, world.version))
    assert Activity.objects.count() == 0 and Event.objects.count() == 0


def test_created_activity_is_a_draft_with_its_event(world, create):
    activity = _accepted(create())
    assert activity.state == A.DRAFT and activity.reference == f"A64-{activity.pk:06d}"
    assert list(activity.participants.all()) == [world.orgs["dev"]]
    (event,) = Event.objects.filter(stream=activity.stream)
    assert (event.kind, event.actor, event.organisation, event.to_state) == (
        EventKind.ACTIVITY_CREATED, world.ama, world.orgs["dev"], A.DRAFT)
    assert event.payload == {"reference": activity.reference, "title": activity.title}


# --- activity_update ---------------------------------------------------------------------

def test_update_applies_the_same_rules_and_records_what_changed(world, create):
    activity = _accepted(create())
    before = snapshot(activity)
    with pytest.raises(ServiceError) as error:
        services.activity_update(activity=activity, user=world.ama, crediting_end=_last_day(S, 6))
    assert error.value.field == "crediting_end"
    assert snapshot(activity) == before
    assert Activity.objects.get(pk=activity.pk).crediting_end == _last_day(S, 5)

    services.activity_update(activity=activity, user=world.ama, crediting_type="fixed",
                             crediting_end=_last_day(S, 10))
    after = Activity.objects.get(pk=activity.pk)
    assert (after.crediting_type, after.crediting_end) == ("fixed", _last_day(S, 10))
    event = Event.objects.filter(stream=activity.stream).order_by("-sequence").first()
    assert event.kind == EventKind.ACTIVITY_UPDATED and event.actor == world.ama
    assert event.payload == {
        "changed": ["crediting_end", "crediting_type"],
        "old": {"crediting_end": str(_last_day(S, 5)), "crediting_type": "renewable"},
        "new": {"crediting_end": str(_last_day(S, 10)), "crediting_type": "fixed"},
    }


def test_update_with_nothing_changed_records_nothing(world, create):
    activity = _accepted(create())
    count = Event.objects.count()
    services.activity_update(activity=activity, user=world.ama, title=activity.title)
    assert Event.objects.count() == count


@pytest.mark.parametrize("data", [{"crediting_start": None}, {"title": ""}, {"state": "registered"}],
                         ids=["none", "blank", "not-a-pdd-field"])
def test_update_with_bad_input_is_a_clear_error(world, create, data):
    activity = _accepted(create())
    before = snapshot(activity)
    with pytest.raises(ServiceError) as error:
        services.activity_update(activity=activity, user=world.ama, **data)
    assert not isinstance(error.value, Refused)
    assert snapshot(activity) == before
    assert Activity.objects.get(pk=activity.pk).state == A.DRAFT


def test_update_only_by_participants_of_this_activity(world, create):
    activity = _accepted(create())
    before = snapshot(activity)
    for persona in ("kofi", "dora", "otto", "dina", "nils", "sam", "sofia"):
        with pytest.raises(Refused):
            services.activity_update(activity=activity, user=world.people[persona], title="Hijacked")
    assert snapshot(activity) == before
    assert Activity.objects.get(pk=activity.pk).title != "Hijacked"


def test_update_only_while_draft(world, create):
    activity = _accepted(create(start_date=datetime.date.today() - datetime.timedelta(days=5),
                                crediting_start=datetime.date.today(),
                                crediting_end=_last_day(datetime.date.today(), 5)))
    services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    before = snapshot(activity)
    with pytest.raises(Refused, match="only while the activity is a draft"):
        services.activity_update(activity=activity, user=world.ama, title="Changed after notice")
    assert snapshot(activity) == before
