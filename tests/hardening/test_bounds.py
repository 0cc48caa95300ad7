"""Issue 11, part 1: ordinary bad input is a clear message, never a 500, and writes nothing.

Each number and date is bounded where it enters (pacm.common.bounds): by the form, the admin's
model checks and the service, to what its column and every later computation can hold.
"""
import datetime

import pytest
from django.urls import reverse

from methodologies.models import RuleSet
from pacm.common import bounds
from pacm.common.errors import ServiceError
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity, AuthorizationStatement, HostApproval, MonitoringPeriod
from tests import factories as f
from tests.ops.test_admin_rule_sets import change_url, form_data

from .conftest import claims_post, counts, iso, observed_event, rows

TODAY = datetime.date.today()
HUGE = [2**63, 2**64, 10**30]


def pdd_post(world, **overrides):
    data = f.pdd_data(world.host, world.version)
    data.update(overrides)
    return {k: (v.pk if hasattr(v, "pk") else iso(v)) for k, v in data.items()}


def url(name, activity, **kw):
    return reverse(name, kwargs={"reference": activity.reference, **kw})


# --- Dates: 9999-12-31 and 0001-01-01 --------------------------------------------------------


@pytest.mark.parametrize("field", ["start_date", "crediting_start", "crediting_end"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2201-01-01", "1989-12-31"])
def test_a_pdd_date_out_of_range_is_a_clear_error(as_user, world, field, day):
    """9999-12-31 as the crediting start made `start + 5 years` overflow (a 500)."""
    before = rows()
    response = as_user(world.ama).post(reverse("activity-create"), pdd_post(world, **{field: day}))
    assert response.status_code == 200
    assert "Give a date between 1990-01-01 and 2200-12-31." in response.content.decode()
    assert rows() == before


def test_editing_the_crediting_start_to_9999_is_refused(as_user, world, activity):
    before = rows()
    response = as_user(world.ama).post(url("activity-edit", activity), pdd_post(world, crediting_start="9999-12-31"))
    assert response.status_code == 200 and "Give a date between" in response.content.decode()
    assert rows() == before


@pytest.mark.parametrize("field", ["start_date", "crediting_start", "crediting_end"])
def test_the_service_refuses_dates_out_of_range(world, field):
    """A direct call (a command, the shell) gets the same message, not an OverflowError."""
    with pytest.raises(ServiceError, match="Give a date between") as error:
        services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version,
                                                               **{field: datetime.date(9999, 12, 31)}))
    assert error.value.errors[field] == bounds.DATE_MESSAGE
    assert not Activity.objects.exists()


def test_the_dates_at_the_bounds_are_read(world):
    """The bounds themselves are dates the rules then judge (here: before 2021, RMP 31(f))."""
    with pytest.raises(ServiceError) as error:
        services.activity_create(user=world.ama, **f.pdd_data(
            world.host, world.version, start_date=bounds.DATE_MIN, crediting_start=bounds.DATE_MIN,
            crediting_end=bounds.DATE_MIN + datetime.timedelta(days=365)))
    assert "RMP 31(f)" in error.value.errors["crediting_start"]


def test_period_and_authorization_dates_are_bounded(world, registered):
    with pytest.raises(ServiceError, match="Give a date between"):
        services.authorization_statement_issue(activity=registered, user=world.dina, uses="ndc",
                                               effective_from=datetime.date(9999, 12, 31))
    with pytest.raises(ServiceError, match="Give a date between"):
        services.period_submit(activity=registered, user=world.ama, start=datetime.date(1, 1, 1),
                               end=datetime.date(9999, 12, 31), claims={2026: 10}, report=f.pdf())
    assert not MonitoringPeriod.objects.exists()


# --- The estimate: an `integer` column on PostgreSQL ------------------------------------------


@pytest.mark.parametrize("value", [2**31, 2**63, 2**64])
def test_an_estimate_no_column_holds_is_refused(as_user, world, value):
    """2**31 broke PostgreSQL's integer column, 2**63 SQLite's: both are refused the same way."""
    before = rows()
    response = as_user(world.ama).post(reverse("activity-create"), pdd_post(world, estimated_annual=str(value)))
    assert response.status_code == 200
    assert "At most 2,147,483,647 tonnes a year." in response.content.decode()
    assert rows() == before


def test_the_largest_estimate_is_stored(world):
    activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version,
                                                                     estimated_annual=bounds.ESTIMATE_MAX))
    assert Activity.objects.get(pk=activity.pk).estimated_annual == 2**31 - 1
    with pytest.raises(ServiceError, match="at most 2,147,483,647"):
        services.activity_update(activity=activity, user=world.ama, estimated_annual=2**31)


# --- Caps, claims, reversals: 2**63 and more -------------------------------------------------


def auth_post(**kw):
    data = {"auth-uses": "ndc", "auth-first_transfer": "", "auth-quantity_cap": "", "auth-vintage_from": "",
            "auth-vintage_to": "", "auth-change_terms": "", "auth-effective_from": "2026-01-01"}
    data.update({f"auth-{k}": v for k, v in kw.items()})
    return data


@pytest.fixture
def published(activity, advance_to):
    return advance_to(activity, A.CONSULTATION)


@pytest.mark.parametrize("value", HUGE)
def test_a_huge_quantity_cap_is_refused(as_user, world, published, value):
    response = as_user(world.dina).post(url("authorization-statement-issue", published),
                                        auth_post(quantity_cap=str(value)))
    assert response.status_code == 200
    assert "At most 10,000,000,000 units." in response.content.decode()
    assert not AuthorizationStatement.objects.exists()
    with pytest.raises(ServiceError, match="at most 10,000,000,000"):
        services.authorization_statement_issue(activity=published, user=world.dina, uses="ndc",
                                               effective_from=TODAY, quantity_cap=value)


def test_vintages_of_a_cap_are_years_within_the_bounds(as_user, world, published):
    response = as_user(world.dina).post(url("authorization-statement-issue", published),
                                        auth_post(vintage_from="1000", vintage_to="9999"))
    assert "Give a year between 1990 and 2200." in response.content.decode()
    with pytest.raises(ServiceError, match="Give a year between"):
        services.authorization_statement_issue(activity=published, user=world.dina, uses="ndc",
                                               effective_from=TODAY, vintage_from=32_768)
    assert not AuthorizationStatement.objects.exists()


@pytest.mark.parametrize("pk", [2**63, 2**64, -(2**70)])
def test_a_huge_participant_id_is_an_invalid_choice(as_user, world, published, pk):
    """An id no column holds made SQLite raise OverflowError inside the choice field (a 500)."""
    data = {"host-sd_confirmation": "Fosters SD.", "host-ndc_relation": "Within the NDC.",
            "host-authorized_participants": [str(world.orgs["dev"].pk), str(pk)]}
    response = as_user(world.dina).post(url("host-approval-issue", published), data)
    assert response.status_code == 200
    assert f"“{pk}” is not a valid value." in response.content.decode()
    assert not HostApproval.objects.exists()


@pytest.mark.parametrize("field", ["host_party", "methodology_version", "sectoral_scope"])
def test_a_huge_id_in_a_single_choice_is_an_invalid_choice(as_user, world, field):
    before = rows()
    response = as_user(world.ama).post(reverse("activity-create"), pdd_post(world, **{field: str(2**64)}))
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert rows() == before


@pytest.mark.parametrize("value", HUGE)
def test_a_huge_claim_is_refused(as_user, world, registered, value):
    start, end = registered.crediting_start, registered.crediting_start + datetime.timedelta(days=364)
    before = rows()
    response = as_user(world.ama).post(url("period-submit", registered),
                                       claims_post(start, end, [(start.year, value)]))
    assert response.status_code == 200
    assert "At most 10,000,000,000 t CO2e." in response.content.decode()
    assert rows() == before


def test_claims_together_stay_within_what_the_split_and_the_fee_can_hold(world, registered):
    """Each vintage within the bound is not enough: a period's claims add up within it too."""
    start = registered.crediting_start
    end = start + datetime.timedelta(days=800)
    claims = {start.year: bounds.UNITS_MAX, start.year + 1: 1}
    with pytest.raises(ServiceError, match="in all vintages together"):
        services.period_submit(activity=registered, user=world.ama, start=start, end=end, claims=claims,
                               report=f.pdf())
    assert not MonitoringPeriod.objects.exists()


@pytest.mark.parametrize("value", HUGE)
def test_a_huge_reversal_determination_is_refused(as_user, world, issued, value):
    """A reversal of 2**63 would overflow its column (a 500): the form and the service bound it
    (A6.4-STAN-METH-002 v01.0 para 48; pacm.common.bounds.UNITS_MAX)."""
    event = observed_event(world, issued, until="full_verified")
    before = rows()
    response = as_user(world.sofia).post(
        reverse("observed-event-write", kwargs={"reference": issued.reference, "number": event.number,
                                                "name": "determine_reversal"}),
        {"w-determine_reversal-authorized": str(value), "w-determine_reversal-contribution": "0",
         "w-determine_reversal-avoidable": "no", "w-determine_reversal-comment": "Fire",
         "w-determine_reversal-expected_state": event.state})
    assert response.status_code == 200
    assert "At most 10,000,000,000 t CO2e." in response.content.decode()
    assert rows() == before


def test_the_service_refuses_a_reversal_no_column_holds(world, issued):
    from projects.reversals import services as rev

    event = observed_event(world, issued, until="full_verified")
    before = rows()
    with pytest.raises(ServiceError, match="at most 10,000,000,000"):
        rev.event_determine_reversal(event=event, user=world.sofia, authorized=2**63, contribution=0,
                                     avoidable=True, comment="Fire")
    assert rows() == before


# --- Rule sets: timers, lengths, fees ---------------------------------------------------------


@pytest.fixture
def in_force(db):
    return RuleSet.objects.in_force(TODAY)


@pytest.mark.parametrize("field, value, message", [
    ("gsc_days", "99999999", "Give a whole number of days of at most 3,650."),
    ("appeal_days", "3651", "Give a whole number of days of at most 3,650."),
    ("reductions_fixed_years", "30000", "Give a whole number of years of at most 100."),
    ("max_renewals", "99999", "Give a whole number of renewals of at most 10."),
    ("registration_tier2_max_tonnes", "9999999999999", "Give a whole number of at most 2,147,483,647."),
    ("issuance_fee_per_unit_usd", "9999.9999", "At most USD 99.9999 per unit."),
    ("crediting_earliest_start", "9999-12-31", "Give a date between 1990-01-01 and 2200-12-31."),
    ("crediting_earliest_start", "0001-01-01", "Give a date between 1990-01-01 and 2200-12-31."),
    ("effective_from", "9999-12-31", "Give a date between 1990-01-01 and 2200-12-31."),
])
def test_the_admin_refuses_a_rule_set_the_cycle_cannot_compute_with(admin_client, in_force, field, value, message):
    """Published with 99,999,999 consultation days, a rule set made every later publication
    for consultation overflow (now + days): it is refused where it is typed."""
    data = form_data(in_force, **{"_saveasnew": "Save as new", "version": "next", "effective_from": TODAY, field: value})
    response = admin_client.post(change_url(in_force), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RuleSet.objects.filter(version="next").exists()


def test_the_longest_timer_still_gives_a_due_date(admin_client, in_force, world, activity, advance_to):
    """At the bound the arithmetic holds: publication for consultation is due in 3,650 days."""
    data = form_data(in_force, **{"_saveasnew": "Save as new", "version": "long", "effective_from": TODAY,
                                  "gsc_days": str(bounds.TIMER_DAYS_MAX)})
    assert admin_client.post(change_url(in_force), data).status_code == 302
    activity = advance_to(activity, A.CONSULTATION)
    assert (activity.due_at - activity.state_entered_at).days == 3650


def test_the_model_checks_every_timer_and_date_of_a_rule_set(db):
    """RuleSet.bounds_errors goes by the kind of field: one added later is bounded too."""
    rule_set = RuleSet(version="x", effective_from=TODAY, gsc_days=99_999_999, completeness_check_days=-1,
                       crediting_earliest_start=datetime.date(1, 1, 1),
                       prior_consideration_transitional_deadline=datetime.date(9999, 12, 31))
    assert set(rule_set.bounds_errors()) == {"gsc_days", "completeness_check_days", "crediting_earliest_start",
                                             "prior_consideration_transitional_deadline"}
    assert RuleSet(version="y", effective_from=TODAY).bounds_errors() == {}


def test_a_methodology_version_date_is_bounded(db):
    from django.core.exceptions import ValidationError

    version = f.methodology_version()
    version.valid_to = datetime.date(9999, 12, 31)
    with pytest.raises(ValidationError, match="Give a date between"):
        version.full_clean()


def test_counts_helper_sees_every_table(world):
    assert counts()["projects.Activity"] == 0 and counts()["parties.Organisation"] == len(world.orgs)


def test_every_web_form_field_is_bounded():
    """Each number has a maximum, each date the bounds' validators, each free text is a TextField
    (visible characters) and each choice by id checks the id: a form added later is held to it."""
    import inspect

    from django import forms as django_forms

    from pacm.common import forms as common_forms
    from pacm.registry import forms as registry_forms
    from pacm.registry import public_filters
    from projects import forms as project_forms
    from projects import public_filters as activity_filters

    unbounded = []
    for module in (project_forms, registry_forms, public_filters, activity_filters):
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, django_forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for field_name, field in form.base_fields.items():
                where = f"{name}.{field_name}"
                if isinstance(field, django_forms.IntegerField) and field.max_value is None:
                    unbounded.append(where)
                elif isinstance(field, django_forms.DateField) and not isinstance(field, project_forms.DateField):
                    unbounded.append(where)
                elif isinstance(field, django_forms.ModelChoiceField) and not isinstance(field, common_forms.IdCheckMixin):
                    unbounded.append(where)
                elif (type(field) is django_forms.CharField and not field.widget.is_hidden):
                    unbounded.append(where)
    assert unbounded == []
