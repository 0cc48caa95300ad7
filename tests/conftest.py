"""Named personas, one per role, and the activity they work on.

- ama: activity participant at Kpone Green Energy (the activity's developer)
- kofi: activity participant at another developer (not on the activity)
- dora: DOE auditor at Terra Verification (engaged for the activity)
- otto: DOE auditor at another DOE (not engaged)
- dina: DNA officer of Ghana (the host)
- nils: DNA officer of another Party
- sam: secretariat officer
- sofia: Supervisory Body member
"""
import datetime

import pytest

from pacm.parties.models import Organisation
from projects import services
from projects.models import Activity

from . import factories as f


def pytest_configure(config):
    """The translation catalogs compiled when missing or stale (pacm issue 9; tests/catalogs.py):
    once, by the controlling process, before xdist's workers start."""
    if not hasattr(config, "workerinput"):
        from .catalogs import compile_stale

        compile_stale()


def pytest_collection_modifyitems(config, items):
    """A transactional test must restore the seeded rows (serialized_rollback): its flush empties the
    tables, and the post-migrate content types it leaves break the next serialized test's restore (an
    IntegrityError on django_content_type that once broke four later tests in CI)."""
    careless = [item.nodeid for item in items
                if (mark := item.get_closest_marker("django_db")) is not None
                and mark.kwargs.get("transaction") and not mark.kwargs.get("serialized_rollback")]
    if careless:
        raise pytest.UsageError("django_db(transaction=True) without serialized_rollback=True: " + ", ".join(careless))


K = Organisation.Kind


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Password hashing is deliberately slow; the personas do not need it to be.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    host = f.party("GH", "Ghana")
    other = f.party("KE", "Kenya")
    orgs = {
        "dev": f.organisation("Kpone Green Energy", K.PARTICIPANT, party=host, authorized_by_party=True),
        "dev2": f.organisation("Savannah Carbon", K.PARTICIPANT, party=other, authorized_by_party=True),
        "doe": f.organisation("Terra Verification", K.DOE),
        "doe2": f.organisation("Orbis Assurance", K.DOE),
        "dna": f.organisation("Ghana EPA (DNA)", K.DNA, party=host),
        "dna2": f.organisation("Kenya DNA", K.DNA, party=other),
        "sec": f.organisation("UNFCCC secretariat", K.SECRETARIAT),
        "sb": f.organisation("Supervisory Body", K.SB),
        "af": f.organisation("Adaptation Fund", K.ADAPTATION_FUND),
    }
    f.accredit(orgs["doe"], 13)
    f.accredit(orgs["doe2"], 13)
    people = {
        "ama": f.user("ama", orgs["dev"]),
        "kofi": f.user("kofi", orgs["dev2"]),
        "dora": f.user("dora", orgs["doe"]),
        "otto": f.user("otto", orgs["doe2"]),
        "dina": f.user("dina", orgs["dna"]),
        "nils": f.user("nils", orgs["dna2"]),
        "sam": f.user("sam", orgs["sec"]),
        "sofia": f.user("sofia", orgs["sb"]),
    }

    class World:
        pass

    w = World()
    w.host, w.other = host, other
    w.orgs = orgs
    w.__dict__.update(people)
    w.people = people
    w.version = f.methodology_version()
    return w


@pytest.fixture
def activity(world):
    return services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))


def advance(world, activity, until):
    """Drive `activity` through the cycle with the right people until it reaches state `until`."""
    import time_machine

    from projects.cycle import ActivityState as A
    from projects.timers import timers_run

    steps = [
        (A.DRAFT, lambda a: services.activity_notify_prior_consideration(activity=a, user=world.ama)),
        (A.PRIOR_CONSIDERATION, lambda a: (
            services.activity_engage_doe(activity=a, user=world.ama, doe=world.orgs["doe"]),
            services.activity_accept_engagement(activity=a, user=world.dora),
        )),
        (A.VALIDATION_CONTRACTED, lambda a: (
            services.document_upload(activity=a, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf")),
            services.activity_publish_for_consultation(activity=a, user=world.dora),
        )),
        (A.CONSULTATION, lambda a: _jump(timers_run, a, time_machine)),
        (A.UNDER_VALIDATION, lambda a: (
            services.document_upload(activity=a, user=world.dora, kind="validation_report", uploaded=f.pdf("vr.pdf")),
            services.activity_validate(activity=a, user=world.dora),
        )),
        (A.VALIDATED, lambda a: (
            services.host_approval_issue(
                activity=a, user=world.dina, sd_confirmation="Fosters SD.", ndc_relation="Within NDC scope.",
                authorized_participants=[world.orgs["dev"]],
            ),
            services.authorization_statement_issue(
                activity=a, user=world.dina, uses="ndc", effective_from=datetime.date(2021, 1, 1)
            ),
            services.activity_request_registration(activity=a, user=world.dora),
        )),
        (A.REGISTRATION_REQUESTED, lambda a: (
            _pay_registration(world, a),
            services.activity_start_completeness_check(activity=a, user=world.sam),
        )),
        (A.COMPLETENESS_CHECK, lambda a: services.activity_pass_completeness_check(activity=a, user=world.sam)),
        (A.INFORMATION_CHECK, lambda a: services.activity_pass_information_check(activity=a, user=world.sam)),
        (A.REVIEW_WINDOW, lambda a: _jump(timers_run, a, time_machine)),
        # PROC-AC-002 v03.0 para 89: the appeal window runs out, then the activity is registered.
        (A.REGISTRATION_APPROVED, lambda a: _jump(timers_run, a, time_machine)),
    ]
    for state, step in steps:
        activity = Activity.objects.get(pk=activity.pk)
        if activity.state == until:
            return activity
        assert activity.state == state, f"expected {state}, found {activity.state}"
        step(activity)
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.state == until, f"could not reach {until}; stopped at {activity.state}"
    return activity


def _jump(timers_run, activity, time_machine):
    """Move the clock past the activity's due date and run one timer pass there."""
    activity = Activity.objects.get(pk=activity.pk)
    with time_machine.travel(activity.due_at + datetime.timedelta(seconds=1), tick=False):
        timers_run()


def _pay_registration(world, activity):
    fee = activity.fees.get(kind="registration")
    if fee.status == "due":
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-001")


@pytest.fixture
def advance_to(world):
    return lambda activity, until: advance(world, activity, until)
