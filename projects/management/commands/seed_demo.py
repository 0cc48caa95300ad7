"""Demo data for `make run`: one login per role, two hosts, three methodologies, four activities.

Idempotent: reference rows are fetched or created by their natural keys, and each demo activity
is found by its title and, if missing or part-way, taken forward only through
`projects.services`, so a second run adds nothing. Demo only: every login shares one printed
password.
"""
import datetime

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from methodologies.models import Methodology, MethodologyVersion, SectoralScope
from pacm.common.uploads import sample_pdf
from pacm.demo.services import demo_mark
from pacm.parties.models import DOEAccreditation, Membership, Organisation, Party, PartyStatus

from ._demo_issued import demo_issued_activity
from ._demo_reversal import demo_reversal_activity

DEMO_PASSWORD = "pacm-demo"
K = Organisation.Kind

PARTIES = (
    # iso2, name, statuses (kind, valid_from, valid_to). Vanuatu left the LDC category on
    # 4 Dec 2020 and remains a SIDS: the dated statuses show how waivers follow the date.
    ("GH", "Ghana", ()),
    ("VU", "Vanuatu", (("ldc", datetime.date(1985, 1, 1), datetime.date(2020, 12, 3)),
                       ("sids", datetime.date(1994, 1, 1), None))),
)

ORGANISATIONS = (
    # key, name, kind, party iso2, authorized by its Party (RMP 41, 45)
    ("dev", "Kpone Green Energy Ltd (demo)", K.PARTICIPANT, "GH", True),
    ("dev2", "Efate Blue Carbon Ltd (demo)", K.PARTICIPANT, "VU", True),
    ("doe", "Terra Verification (demo DOE)", K.DOE, None, False),
    ("dna", "Ghana DNA (demo)", K.DNA, "GH", False),
    ("dna2", "Vanuatu DNA (demo)", K.DNA, "VU", False),
    ("sec", "UNFCCC secretariat (demo)", K.SECRETARIAT, None, False),
    ("sb", "Supervisory Body (demo)", K.SB, None, False),
    ("af", "Adaptation Fund (demo)", K.ADAPTATION_FUND, None, False),
)

DOE_SCOPES = (1, 3, 13, 14)
DOE_ACCREDITED = (datetime.date(2024, 1, 1), datetime.date(2029, 12, 31))

LOGINS = (
    # username, organisation key, what the person does
    ("developer", "dev", "activity participant (Ghana)"),
    ("developer2", "dev2", "activity participant (Vanuatu)"),
    ("doe", "doe", "DOE auditor"),
    ("dna", "dna", "DNA officer of Ghana"),
    ("dna2", "dna2", "DNA officer of Vanuatu"),
    ("secretariat", "sec", "secretariat officer (admin: rule sets)"),
    ("sb1", "sb", "Supervisory Body member"),
    ("sb2", "sb", "Supervisory Body member"),
    ("af", "af", "Adaptation Fund"),
)

METHODOLOGIES = (
    # code, title, kind, scope, version, valid_from. A6.4-AMM-001 comes with the migrations.
    ("DEMO-REM-001", "Afforestation and reforestation removals (DEMO ONLY, not an SB-approved methodology)",
     Methodology.Kind.REMOVALS, 14, "1.0", datetime.date(2024, 10, 9)),
    ("AMS-II.G", "Energy efficiency measures in thermal applications of non-renewable biomass "
     "(CDM methodology; transition example, demo dates)", Methodology.Kind.REDUCTIONS, 3, "13.0",
     datetime.date(2021, 1, 1)),
)

# The secretariat's staff group: it publishes rule sets and views everything else in the admin.
SECRETARIAT_GROUP = "Secretariat"
SECRETARIAT_VIEW_APPS = ("parties", "methodologies", "projects", "registry", "events")

PDF = sample_pdf("pacm demo PDD")


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print one login per role."

    def handle(self, *args, **options):
        with transaction.atomic():
            parties = self.parties_seed()
            orgs = self.organisations_seed(parties)
            users = self.users_seed(orgs)
            versions = self.methodologies_seed()
            self.secretariat_group_seed(users["secretariat"])
            # pacm issue 9: this database is a demo; its demo clock may move (pacm.demo).
            demo_mark()
        # The demo's own steps need no e-mail; the cycle's notifications stay on for real use.
        accounts = self.accounts_seed(orgs, users)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            activities = self.activities_seed(parties, orgs, users, versions)
            # 4. Registered, monitored, verified and issued, with units moved since (demo clock).
            # 3. Removals in Vanuatu: an observed event, the suspension, a verified reversal and its
            # remediation from the buffer pool (A6.4-STAN-METH-002 v01.0 paras 43-58).
            activities.append(demo_reversal_activity(
                parties=parties, orgs=orgs, users=users, versions=versions, account=accounts[1]))
            activities.append(demo_issued_activity(
                parties=parties, orgs=orgs, users=users, versions=versions,
                accounts={"dev": accounts[0], "dev2": accounts[1]},
            ))
            # 5. The buffer pool's first stress test (A6.4-STAN-METH-002 paras 60-61; projects.removals), once.
            from projects.removals.models import StressTest
            from projects.removals.stress import stress_test_run

            if not StressTest.objects.exists():
                stress_test_run(user=users["secretariat"], parameters={"largest": 3, "region": "asia_pacific"})
        # 6. The mechanism's real activities (issue 7): the SB's 2025 transition approvals, from
        # projects/fixtures/real_activities.yaml, each with its CDM reference and source.
        from projects.real_activities import real_activities_load

        real, real_logins = real_activities_load(password=DEMO_PASSWORD)
        self.logins_print(orgs, activities, accounts)
        self.real_print(real, real_logins)

    def real_print(self, rows, logins):
        out = self.stdout
        out.write("The mechanism's real activities (CDM reference, source, pacm record and state):")
        for row in rows:
            record = row.activity or row.transition_request
            state = record.get_state_display() if record else "-"
            out.write(f"  CDM {row.cdm_reference:<10} {row.source[:40]:<40} {record.reference if record else '-'}: {state}")
        out.write("  logins (same password): " + ", ".join(sorted({u for u, _, _ in logins} | {
            f"cdm-{r.cdm_reference.lower()}" for r in rows})))

    # --- reference data -------------------------------------------------------------------
    def parties_seed(self):
        parties = {}
        for iso2, name, statuses in PARTIES:
            party, _ = Party.objects.get_or_create(
                iso2=iso2,
                defaults=dict(name=name, dna_designated=True, has_ndc=True, sd_contribution_published=True,
                              activity_types_published=True),
            )
            for kind, valid_from, valid_to in statuses:
                PartyStatus.objects.get_or_create(
                    party=party, kind=kind, valid_from=valid_from, defaults={"valid_to": valid_to}
                )
            parties[iso2] = party
        return parties

    def organisations_seed(self, parties):
        orgs = {}
        for key, name, kind, iso2, authorized in ORGANISATIONS:
            orgs[key], _ = Organisation.objects.get_or_create(
                name=name, defaults=dict(kind=kind, party=parties.get(iso2), authorized_by_party=authorized)
            )
        valid_from, valid_to = DOE_ACCREDITED
        for number in DOE_SCOPES:
            DOEAccreditation.objects.get_or_create(
                organisation=orgs["doe"], sectoral_scope=SectoralScope.objects.get(number=number),
                defaults=dict(valid_from=valid_from, valid_to=valid_to),
            )
        return orgs

    def users_seed(self, orgs):
        User = get_user_model()
        users = {}
        for username, key, _ in LOGINS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username, password=DEMO_PASSWORD, email=f"{username}@pacm.invalid",
                    is_staff=(key == "sec"),
                )
            # pacm issue 9: each demo login administers its organisation's people (/account/).
            Membership.objects.get_or_create(user=user, organisation=orgs[key], defaults={"is_admin": True})
            users[username] = user
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(username="admin", email="admin@pacm.invalid", password=DEMO_PASSWORD)
        return users

    def methodologies_seed(self):
        versions = {"A6.4-AMM-001": MethodologyVersion.objects.get(methodology__code="A6.4-AMM-001", version="1.0")}
        for code, title, kind, scope, version, valid_from in METHODOLOGIES:
            methodology, _ = Methodology.objects.get_or_create(code=code, defaults=dict(title=title, kind=kind))
            methodology.sectoral_scopes.add(SectoralScope.objects.get(number=scope))
            versions[code], _ = MethodologyVersion.objects.get_or_create(
                methodology=methodology, version=version,
                defaults=dict(status=MethodologyVersion.Status.APPROVED, valid_from=valid_from),
            )
        return versions

    def secretariat_group_seed(self, user):
        group, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
        perms = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_VIEW_APPS, codename__startswith="view_")
        rule_set_perms = Permission.objects.filter(
            content_type__app_label="methodologies", codename__in=("add_ruleset", "change_ruleset")
        )
        group.permissions.add(*perms, *rule_set_perms)
        user.groups.add(group)

    # --- activities, only through the services ---------------------------------------------
    def activities_seed(self, parties, orgs, users, versions):
        from projects import services
        from projects.cycle import ActivityState as A
        from projects.models import Activity

        today = timezone.localdate()
        start = today - datetime.timedelta(days=30)

        def pdd(title, iso2, code, scope, location, annual, description, years):
            return dict(
                title=title, host_party=parties[iso2], methodology_version=versions[code],
                sectoral_scope=SectoralScope.objects.get(number=scope), location=location, start_date=start,
                crediting_type=Activity.CreditingType.RENEWABLE, crediting_start=start,
                crediting_end=start + relativedelta(years=years) - datetime.timedelta(days=1),
                estimated_annual=annual, description=description,
            )

        def ensure(user, data):
            activity = Activity.objects.filter(title=data["title"]).first()
            return activity or services.activity_create(user=user, **data)

        # 1. A draft: the participant can still edit the PDD and notify prior consideration.
        draft = ensure(users["developer"], pdd(
            "Kpone landfill gas flaring", "GH", "A6.4-AMM-001", 13, "Kpone, Greater Accra", 40_000,
            "Capture and flaring of landfill gas at the Kpone engineered landfill (demo).", 5,
        ))
        # 2. Taken to the global stakeholder consultation; the timer closes it (make timers).
        gsc = ensure(users["developer"], pdd(
            "Tamale improved cookstoves", "GH", "AMS-II.G", 3, "Tamale, Northern Region", 12_000,
            "Distribution of efficient cookstoves replacing three-stone fires (demo; CDM transition example).", 5,
        ))
        steps = {
            A.DRAFT: lambda a: services.activity_notify_prior_consideration(activity=a, user=users["developer"]),
            A.PRIOR_CONSIDERATION: lambda a: (
                services.activity_engage_doe(activity=a, user=users["developer"], doe=orgs["doe"]),
                services.activity_accept_engagement(activity=a, user=users["doe"]),
            ),
            A.VALIDATION_CONTRACTED: lambda a: (
                services.document_upload(
                    activity=a, user=users["developer"], kind="pdd", title="PDD (demo)",
                    uploaded=SimpleUploadedFile("pdd-demo.pdf", PDF, content_type="application/pdf"),
                ),
                services.activity_publish_for_consultation(activity=a, user=users["doe"]),
            ),
        }
        while (gsc := Activity.objects.get(pk=gsc.pk)).state in steps:
            steps[gsc.state](gsc)
        # 3. The removals activity in a SIDS host (fees waived, no SOP levy, 6/CMA.6 para 20) comes
        # with its observed event (demo_reversal_activity).
        return [draft, gsc]

    def accounts_seed(self, orgs, users):
        """A holding account per participant, opened by the DNA of the Party that authorized it
        (7/CMA.4 annex I para 33), on that Party's (demo) letter of authorization (PROC-REGS-001
        paras 27-31)."""
        import datetime

        from pacm.registry.models import Account, AccountKind
        from pacm.registry.services import account_open

        opened = []
        for key, dna in (("dev", "dna"), ("dev2", "dna2")):
            account = Account.objects.filter(organisation=orgs[key], kind=AccountKind.HOLDING).first()
            opened.append(account or account_open(
                kind=AccountKind.HOLDING, name=f"{orgs[key].name} holding account", organisation=orgs[key],
                user=users[dna], authorization_document=f"Demo letter of authorization {orgs[key].party.iso2}-001",
                authorization_date=datetime.date(2025, 1, 15),
            ))
        self.retirement_accounts_seed(opened, users)
        return opened

    def retirement_accounts_seed(self, holding, users):
        """pacm issue 9: "Retire for NDC use" goes into the retirement account of the Party a holding
        account is tied to (7/CMA.4 annex I para 44); each such Party's DNA opens one."""
        from pacm.parties.models import Organisation, Party
        from pacm.registry.models import Account, AccountKind
        from pacm.registry.services import account_open

        for party in Party.objects.filter(pk__in=sorted({a.owner_party_id for a in holding})).order_by("pk"):
            if Account.objects.filter(kind=AccountKind.RETIREMENT, party=party).exists():
                continue
            dna = next(u for u in users.values()
                       if u.memberships.filter(organisation__kind=Organisation.Kind.DNA,
                                               organisation__party=party).exists())
            account_open(kind=AccountKind.RETIREMENT, name=f"{party.name} retirement account", party=party,
                         user=dna)

    def logins_print(self, orgs, activities, accounts):
        out = self.stdout
        out.write("")
        out.write("pacm demo data loaded. Logins (demo only; every password is the same):")
        out.write(f"  {'username':<12} {'password':<10} {'organisation':<32} role")
        for username, key, role in LOGINS:
            out.write(f"  {username:<12} {DEMO_PASSWORD:<10} {orgs[key].name:<32} {role}")
        out.write(f"  {'admin':<12} {DEMO_PASSWORD:<10} {'-':<32} superuser (/admin/)")
        out.write("Demo activities:")
        for activity in activities:
            due = f", due {timezone.localtime(activity.due_at):%Y-%m-%d %H:%M}" if activity.due_at else ""
            out.write(f"  {activity.reference} {activity.title}: {activity.get_state_display()}{due}")
        out.write("Holding accounts: " + ", ".join(f"{a.number} ({a.organisation.name})" for a in accounts))
