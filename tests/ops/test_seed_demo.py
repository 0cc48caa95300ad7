"""`python manage.py seed_demo` (run by `make run`): one login per role, idempotent, services only."""
import datetime
import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q

from methodologies.models import Methodology, MethodologyVersion
from pacm.events.models import Event, EventKind
from pacm.parties.models import DOEAccreditation, Membership, Organisation, Party, PartyStatus
from pacm.registry.models import Account
from projects.cycle import ActivityState as A
from projects.management.commands.seed_demo import DEMO_PASSWORD, LOGINS, ORGANISATIONS
from projects.models import Activity, Document

# The loader's own logins besides one per real activity ("cdm-<reference>").
REAL_LOGINS = ("dna-bd", "dna-mm", "dna-zz", "doe-cci")
MODELS = (Party, PartyStatus, Organisation, DOEAccreditation, Membership, Methodology, MethodologyVersion,
          Activity, Document, Event, Account)

EXPECTED_KIND = {
    "developer": "participant", "developer2": "participant", "doe": "doe", "dna": "dna", "dna2": "dna",
    "secretariat": "secretariat", "sb1": "sb", "sb2": "sb", "af": "af",
}


def counts():
    return {m.__name__: m.objects.count() for m in (*MODELS, get_user_model())}


def test_a_second_run_adds_nothing(demo):
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
    # The real activities (tests/ops/test_real_activities.py) come with their own logins (their PoAs
    # are not in Activity.objects, the projects' manager).
    real_users = get_user_model().objects.filter(Q(username__startswith="cdm-") | Q(username__in=REAL_LOGINS)).count()
    assert first["Activity"] == 4 and first["User"] == len(LOGINS) + 1 + real_users


def test_one_login_per_role_with_the_printed_password(demo):
    User = get_user_model()
    for username, _, _ in LOGINS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        kinds = list(Organisation.objects.filter(memberships__user=user).values_list("kind", flat=True))
        assert kinds == [EXPECTED_KIND[username]], username
        assert username in demo and DEMO_PASSWORD in demo
    assert set(EXPECTED_KIND) == {u for u, _, _ in LOGINS}
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)


def test_secretariat_may_publish_rule_sets_and_only_view_the_rest(demo):
    sec = get_user_model().objects.get(username="secretariat")
    assert sec.is_staff and not sec.is_superuser
    assert sec.has_perms(["methodologies.add_ruleset", "methodologies.change_ruleset", "methodologies.view_ruleset"])
    assert sec.has_perms(["projects.view_activity", "parties.view_party", "registry.view_account"])
    assert not sec.has_perm("methodologies.delete_ruleset")
    assert not sec.has_perm("parties.change_party")
    assert not get_user_model().objects.get(username="developer").is_staff


def test_reference_data(demo):
    doe = Organisation.objects.get(kind="doe", name="Terra Verification (demo DOE)")
    assert sorted(doe.accreditations.values_list("sectoral_scope__number", flat=True)) == [1, 3, 13, 14]
    assert all(a.valid_to for a in doe.accreditations.all())
    # Vanuatu: LDC until its graduation on 4 Dec 2020, SIDS throughout (7/CMA.4 annex I para 58).
    vu = Party.objects.get(iso2="VU")
    assert vu.statuses.get(kind="ldc").valid_to == datetime.date(2020, 12, 3)
    assert vu.is_ldc_or_sids(datetime.date.today())
    assert not Party.objects.get(iso2="GH").is_ldc_or_sids(datetime.date.today())
    participants = Organisation.objects.filter(kind="participant", authorized_by_party=True,
                                               name__in=[o[1] for o in ORGANISATIONS])
    assert participants.count() == 2
    for org in participants:  # one holding account each (7/CMA.4 annex I para 33)
        assert Account.objects.get(organisation=org).kind == "holding"
    assert Methodology.objects.get(code="DEMO-REM-001").kind == "removals"
    assert "DEMO" in Methodology.objects.get(code="DEMO-REM-001").title
    assert Methodology.objects.get(code="AMS-II.G").sectoral_scopes.get().number == 3
    assert Methodology.objects.filter(code="A6.4-AMM-001").count() == 1


def test_activities_come_from_the_services(demo):
    """Each demo activity has its creation event, and every state it is in was reached by events."""
    states = dict(Activity.objects.filter(real_activity__isnull=True).values_list("title", "state"))
    assert states == {
        "Kpone landfill gas flaring": A.DRAFT,
        "Tamale improved cookstoves": A.CONSULTATION,
        "Efate mangrove restoration": A.REGISTERED,
        "Kumasi landfill gas to power": A.REGISTERED,
    }
    for activity in Activity.objects.filter(real_activity__isnull=True):
        assert activity.events.filter(kind=EventKind.ACTIVITY_CREATED).count() == 1
    gsc = Activity.objects.get(title="Tamale improved cookstoves")
    path = list(gsc.events.exclude(to_state="").order_by("sequence").values_list("to_state", flat=True))
    assert path == [A.DRAFT, A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.CONSULTATION]
    assert gsc.due_at is not None and gsc.documents.filter(kind="pdd").exists()
    assert "A64-" in demo and "Global stakeholder consultation" in demo


def test_the_issued_demo_activity_balances(demo):
    """The registered demo activity was issued through the task and its units moved since."""
    from pacm.events.services import chain_verify
    from pacm.registry.selectors import ledger_totals
    from projects.models import IssuanceRequest

    kumasi = Activity.objects.get(title="Kumasi landfill gas to power")
    request = IssuanceRequest.objects.get(period__activity=kumasi)
    assert request.period.state == "issued" and request.gross == 33_500
    # SOP 5 % rounded down, the participants' 3 % OMGE election rounded up (policy.md §1).
    assert (request.share_of_proceeds, request.omge, request.net) == (1_675, 1_005, 30_820)
    totals = ledger_totals()
    assert totals["issued"] == totals["held"]  # units never vanish, the real activities' included
    # The demo activities' own units (the seed also loads the real CDM-transition activities,
    # projects/real_activities.py, whose PoA 10471 was issued): Kumasi's 33,500 and Efate's 4,000
    # (test_the_removals_demo_goes_through_a_reversal).
    from pacm.registry.models import UnitBlock
    efate = Activity.objects.get(title="Efate mangrove restoration")
    own = UnitBlock.objects.filter(activity__in=[kumasi, efate]).select_related("account")
    by_kind = {}
    for block in own:
        by_kind[block.account.kind] = by_kind.get(block.account.kind, 0) + block.quantity
    issued = IssuanceRequest.objects.filter(period__activity__in=[kumasi, efate], period__state="issued")
    assert sum(r.gross for r in issued) == sum(by_kind.values()) == 33_500 + 4_000
    assert by_kind["voluntary_cancellation"] == totals["by_kind"]["voluntary_cancellation"] == 500
    assert chain_verify(kumasi.stream) == []


def test_the_removals_demo_goes_through_a_reversal(demo):
    """A6.4-STAN-METH-002 v01.0 paras 43-58: Efate's cyclone was notified, the units suspended, a
    reversal of 300 t verified and determined, remediated from the pool, the suspension lifted."""
    from pacm.events.services import chain_verify
    from pacm.registry.models import LedgerTransaction, Suspension
    from projects.reversals.models import ObservedEvent

    efate = Activity.objects.get(title="Efate mangrove restoration")
    event = ObservedEvent.objects.get(activity=efate)
    assert (event.state, event.late, event.magnitude, event.cancelled, event.shortfall) == ("closed", False, 300, 300, 0)
    assert event.full_report is not None and event.avoidable is False
    suspension = Suspension.objects.get(activity=efate)
    assert suspension.lifted_at is not None and suspension.lifted_at > suspension.started_at
    remediation = LedgerTransaction.objects.get(kind="reversal_remediation")
    assert remediation.quantity == 300 and remediation.purpose.startswith("Remediation of reversals")
    transitions = [e.payload["transition"] for e in efate.events.filter(kind=EventKind.OBSERVED_EVENT_TRANSITIONED)
                   .order_by("sequence")]
    assert transitions == ["suspend_units", "conclude_reversal", "submit_full_report", "verify_full_report",
                           "determine_reversal", "cancel_from_buffer", "lift_suspension"]
    assert chain_verify(efate.stream) == []


def test_the_demo_has_run_the_buffer_stress_test(demo):
    """A6.4-STAN-METH-002 v01.0 paras 60-61: the pool's first stress test, run once by the secretariat;
    Efate (Vanuatu, Asia-Pacific) is in its region-wide scenario."""
    from projects.removals.models import StressTest

    test = StressTest.objects.get()
    assert (test.state, test.run_by, test.parameters["region"]) == ("current", "secretariat", "asia_pacific")
    region = next(s for s in test.results["scenarios"] if s["key"] == "region")
    assert Activity.objects.get(title="Efate mangrove restoration").pk in region["activity_ids"]
    call_command("seed_demo", stdout=io.StringIO())
    assert StressTest.objects.count() == 1
