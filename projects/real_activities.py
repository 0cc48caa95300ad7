"""The mechanism's real activities, loaded by seed_demo from projects/fixtures/real_activities.yaml,
only through the services, each with its CDM reference and its source (pacm.demo.RealActivity).

- The five Bangladesh projects (A6.4-SBM016 para 37) take the transition path: requested before
  31 Dec 2023 (A6.4-PROC-AC-001 v06.0 para 12), published, the 28-day consultation, the host's
  approval, the addendum keeping AM0023 v4 (para 30), the fee, the checks, a review by an SB
  member, the SB's approval with modifications recorded by the secretariat from SBM016 item 4.2
  (paras 46(b), 47), accepted by the participants: approved (the appeal window waits for the CDM
  deregistration date, which no report gives: reading real-3).
- The PoAs (10415, 10430, 10431, 5962, 10576, 10471) are registered through the PoA path
  (A6.4-PROC-AC-003 v03.0 paras 16-90) with the decision and the fNRB and leakage values kept on
  their RealActivity row (reading real-2): a PoA's transition (reading transition-2) asks each
  host's maximum annual amount and its CPAs, which the SB's reports do not give.
- PoA 10471 (Myanmar) has one CP, a monitored batch and its first issuance, in Feb 2026.
- A two-country demo PoA (Ghana, Bangladesh) with per-host caps and one CP in each host.

The clock is moved (time-machine) so every timer passes as in real life. Idempotent: a row whose
RealActivity exists is skipped, so a second run adds nothing.
"""
import datetime
import pathlib
from decimal import Decimal

import time_machine
import yaml
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from pacm.common.uploads import sample_pdf

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "real_activities.yaml"
PDF = sample_pdf("pacm real-activity document (demo copy)")
UTC = datetime.UTC
# PROC-AC-001 v06.0 para 12: the requests were made by 31 Dec 2023; the day is not in the reports.
REQUESTED_AT = datetime.datetime(2023, 6, 1, 9, 0, tzinfo=UTC)
PERSONA_DOMAIN = "pacm.invalid"


def fixture_load(path=FIXTURE):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _noon(day):
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=UTC)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _timers_past(obj):
    """One timer pass just past `obj`'s due date."""
    from projects.timers import timers_run

    obj.refresh_from_db()
    with _at(obj.due_at + datetime.timedelta(minutes=1)):
        timers_run()
    obj.refresh_from_db()
    return obj


class Cast:
    """The people and reference rows the loader acts with (fetched or created by natural keys)."""

    def __init__(self, data, *, password):
        from methodologies.models import Methodology, MethodologyVersion, SectoralScope
        from pacm.parties.models import DOEAccreditation, Membership, Organisation, Party

        K = Organisation.Kind
        User = get_user_model()
        self.password = password
        self.logins = []

        def user(username, org, role):
            person = User.objects.filter(username=username).first()
            if person is None:
                person = User.objects.create_user(username=username, password=password,
                                                  email=f"{username}@{PERSONA_DOMAIN}")
            Membership.objects.get_or_create(user=person, organisation=org, defaults={"is_admin": True})
            self.logins.append((username, org.name, role))
            return person

        self.parties, self.dnas = {}, {}
        for iso2, (name, dna_name) in data["hosts"].items():
            self.parties[iso2], _ = Party.objects.get_or_create(iso2=iso2, defaults=dict(
                name=name, dna_designated=True, has_ndc=True, sd_contribution_published=True,
                activity_types_published=True))
            dna_org, _ = Organisation.objects.get_or_create(name=dna_name, defaults=dict(
                kind=K.DNA, party=self.parties[iso2]))
            existing = User.objects.filter(memberships__organisation=dna_org).order_by("pk").first()
            self.dnas[iso2] = existing or user(f"dna-{iso2.lower()}", dna_org, f"DNA officer of {name}")
        self.versions = {}
        for code, (title, scope, version, _source) in data["methodologies"].items():
            methodology, _ = Methodology.objects.get_or_create(code=code, defaults=dict(
                title=title, kind=Methodology.Kind.REDUCTIONS))
            methodology.sectoral_scopes.add(SectoralScope.objects.get(number=scope))
            self.versions[code], _ = MethodologyVersion.objects.get_or_create(
                methodology=methodology, version=version,
                defaults=dict(status=MethodologyVersion.Status.APPROVED, valid_from=datetime.date(2021, 1, 1)))
        doe = data["doe"]
        self.doe_org, _ = Organisation.objects.get_or_create(name=doe["name"], defaults=dict(kind=K.DOE))
        # The scopes pacm knows (1-15); scope 16 of the accreditation has no row here.
        for scope in SectoralScope.objects.filter(number__in=doe["scopes"]).order_by("number"):
            DOEAccreditation.objects.get_or_create(
                organisation=self.doe_org, sectoral_scope=scope,
                defaults=dict(valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2030, 2, 13)))
        self.doe = (User.objects.filter(memberships__organisation=self.doe_org).order_by("pk").first()
                    or user("doe-cci", self.doe_org, "DOE auditor (Carbon Check, A6.4E-0001)"))
        sec = Organisation.objects.filter(kind=K.SECRETARIAT).order_by("pk").first()
        sb = Organisation.objects.filter(kind=K.SB).order_by("pk").first()
        self.sam = User.objects.filter(memberships__organisation=sec).order_by("pk").first()
        self.sb = User.objects.filter(memberships__organisation=sb).order_by("pk").first()
        self._participant_kind = K.PARTICIPANT

    def participant(self, row, iso2=None):
        """The row's participants (the report's name where the title gives one) and one login for them."""
        from pacm.parties.models import Organisation

        name = row.get("participant") or f"Participants of CDM {row['cdm_reference']}"
        org, _ = Organisation.objects.get_or_create(name=name, defaults=dict(
            kind=self._participant_kind, party=self.parties[iso2 or row["host"]], authorized_by_party=True))
        User = get_user_model()
        username = f"cdm-{row['cdm_reference'].lower()}"
        person = User.objects.filter(username=username).first()
        if person is None:
            person = User.objects.create_user(username=username, password=self.password,
                                              email=f"{username}@{PERSONA_DOMAIN}")
        from pacm.parties.models import Membership

        Membership.objects.get_or_create(user=person, organisation=org, defaults={"is_admin": True})
        return org, person


def real_activities_load(*, password, path=FIXTURE):
    """Load every row not loaded yet; returns (the RealActivity rows, the cast's logins)."""
    from pacm.demo.models import RealActivity

    data = fixture_load(path)
    with transaction.atomic():
        cast = Cast(data, password=password)
    meetings = {k: v["date"] for k, v in data["meetings"].items()}
    with _quiet():
        for row in data["activities"]:
            if RealActivity.objects.filter(cdm_reference=row["cdm_reference"]).exists():
                continue
            with transaction.atomic():
                if row["kind"] == "project":
                    _transition_load(cast, row, meetings)
                else:
                    _poa_load(cast, row, meetings)
        demo = data.get("demo_multi_country")
        if demo and not RealActivity.objects.filter(cdm_reference=demo["key"]).exists():
            with transaction.atomic():
                _multi_country_load(cast, demo)
    return list(RealActivity.objects.select_related("activity", "transition_request")), cast.logins


class _quiet:
    """The loader's own steps send no e-mail (seed_demo's rule); Celery tasks run eagerly."""

    def __enter__(self):
        from django.test.utils import override_settings

        self._settings = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        self._settings.enable()
        return self

    def __exit__(self, *exc):
        self._settings.disable()
        return False


def _record(row, *, activity=None, request=None, decision="", modifications="", fnrb=None, leakage=None):
    from pacm.demo.models import RealActivity

    return RealActivity.objects.create(
        cdm_reference=row.get("cdm_reference") or row["key"], kind=row.get("kind", "poa"), title=row["title"],
        source=row["source"], target_state=row["target_state"],
        not_in_source=", ".join(row.get("not_in_source", ())), activity=activity, transition_request=request,
        decision=decision, modifications=modifications,
        fnrb=Decimal(fnrb) if fnrb else None, leakage_factor=Decimal(leakage) if leakage else None,
    )


def _decision_label(row):
    d = row.get("decision") or {}
    return f"{d.get('meeting', '')} item {d.get('agenda_item', '')}: {d.get('outcome', '')}".strip()


# --- the transition path (projects; PoAs once it is built) ----------------------------------------

def _transition_load(cast, row, meetings):
    from methodologies.models import SectoralScope
    from projects.transition import services as ts

    decision = row["decision"]
    decided = _noon(meetings[decision["meeting"]])
    org, person = cast.participant(row)
    version = cast.versions[row["methodology"]]
    scope = SectoralScope.objects.get(number=cast_scope(version))
    with _at(REQUESTED_AT):
        request = ts.transition_request_create(
            user=person, kind=row["kind"], cdm_reference=row["cdm_reference"], title=row["title"],
            host_party=cast.parties[row["host"]], methodology_version=version, sectoral_scope=scope,
            location=cast.parties[row["host"]].name, estimated_annual=40_000, start_date=datetime.date(2014, 1, 1),
            crediting_type="renewable", cdm_crediting_start=datetime.date(2014, 6, 1),
            cdm_crediting_end=datetime.date(2021, 5, 31), renewals_remaining=2)
    with _at(decided - datetime.timedelta(days=200)):
        ts.transition_request_publish(request=_fresh(request), user=cast.sam)
    _timers_past(_fresh(request))  # para 17: the 28 days; the host's approval is awaited
    with _at(decided - datetime.timedelta(days=150)):
        ts.transition_request_approve_transition(
            request=_fresh(request), user=cast.dnas[row["host"]], sd_confirmation="Confirmed by the host Party.",
            ndc_relation="As the host Party's approval states.")
        ts.transition_request_submit_documentation(
            request=_fresh(request), user=person, documentation="addendum",
            summary=f"Addendum to the PDD keeping {row['methodology']} ({row['source']}).",
            fnrb=row.get("fnrb"), leakage_factor=row.get("leakage_factor"))
        if _fresh(request).fee_status == "due":
            ts.transition_request_record_fee_payment(request=_fresh(request), user=cast.sam,
                                                     reference=f"WIRE-CDM-{row['cdm_reference']}")
        ts.transition_request_start_completeness_check(request=_fresh(request), user=cast.sam)
        ts.transition_request_pass_completeness_check(request=_fresh(request), user=cast.sam)
        ts.transition_request_pass_substantive_check(request=_fresh(request), user=cast.sam)
        # Para 40: an SB member asks for review within the window; the SB decides at its meeting.
        ts.transition_request_request_review(request=_fresh(request), user=cast.sb,
                                             comment=f"For the SB's decision at {decision['meeting']}.")
    outcome = decision["outcome"]
    with _at(decided):
        ts.transition_request_board_decision_record(
            request=_fresh(request), user=cast.sam, transition=BOARD_WRITES[outcome], meeting=decision["meeting"],
            agenda_item=decision["agenda_item"], comment=decision.get("modifications") or row["source"])
    if outcome == "approved_with_modifications":
        with _at(decided + datetime.timedelta(days=1)):  # para 47: accepted within 7 days
            ts.transition_request_accept_modifications(request=_fresh(request), user=person)
    return _record(row, request=_fresh(request), decision=_decision_label(row),
                   modifications=decision.get("modifications", ""), fnrb=row.get("fnrb"),
                   leakage=row.get("leakage_factor"))


# The reports' outcomes and the machine's Board transitions (PROC-AC-001 v06.0 paras 46-49).
BOARD_WRITES = {"approved": "approve", "approved_with_modifications": "approve_with_modifications"}


def cast_scope(version):
    return version.methodology.sectoral_scopes.order_by("number").first().number


# --- the PoA path -----------------------------------------------------------------------------------

def _poa_register(cast, *, org, person, title, hosts, version, start, description, criteria):
    """Prior consideration to registered (PROC-AC-003 v03.0 paras 16-90), from `start`; `hosts`:
    {iso2: maximum annual amount of all its CPs (paras 25(d), 26)}."""
    from methodologies.models import SectoralScope
    from projects import services
    from projects.poa import services as poa
    from projects.poa.models import PoAHost

    parties = [cast.parties[iso2] for iso2 in hosts]
    with _at(start):
        programme = poa.poa_create(
            user=person, organisation=org, title=title, hosts=parties, methodology_version=version,
            sectoral_scope=SectoralScope.objects.get(number=cast_scope(version)),
            location=", ".join(p.name for p in parties), period_start=datetime.date(2021, 1, 1),
            period_end=datetime.date(2040, 12, 31), estimated_annual=sum(hosts.values()), description=description,
            typical_cps="A distributor's programme in one region of a host Party.", criteria=criteria)
        poa.poa_notify_prior_consideration(poa=programme, user=person)
        poa.poa_engage_doe(poa=programme, user=person, doe=cast.doe_org)
        poa.poa_accept_engagement(poa=programme, user=cast.doe)
        services.document_upload(activity=programme, user=person, kind="pdd", title="PoA-DD", uploaded=_pdf("poa-dd.pdf"))
        services.document_upload(activity=programme, user=person, kind="generic_cp_dd", title="Generic CP-DD",
                                 uploaded=_pdf("generic-cp-dd.pdf"))
        poa.poa_publish_for_consultation(poa=programme, user=cast.doe)
    programme = _timers_past(programme)  # para 21: the 28-day consultation
    with _at(programme.state_entered_at + datetime.timedelta(days=3)):
        services.document_upload(activity=programme, user=cast.doe, kind="validation_report",
                                 title="Validation report", uploaded=_pdf("vr.pdf"))
        poa.poa_validate(poa=programme, user=cast.doe)
        for iso2, cap in hosts.items():
            poa.poa_host_approve(poa=programme, user=cast.dnas[iso2], host=PoAHost.objects.get(
                poa=programme, party=cast.parties[iso2]), max_annual=cap, sd_confirmation="Confirmed by the host Party.",
                ndc_relation="As the host Party's approval states.", renewal_approved=True)
        first = next(iter(hosts))
        services.authorization_statement_issue(activity=programme, user=cast.dnas[first], uses="ndc",
                                               effective_from=datetime.date(2021, 1, 1))
        poa.poa_request_registration(poa=programme, user=cast.doe)
        for fee in programme.fees.filter(kind="registration", status="due"):
            services.fee_record_payment(fee=fee, user=cast.sam, reference=f"WIRE-{programme.reference}")
        programme.refresh_from_db()
        poa.poa_start_completeness_check(poa=programme, user=cast.sam)
        poa.poa_pass_completeness_check(poa=programme, user=cast.sam)
        poa.poa_pass_information_check(poa=programme, user=cast.sam)
    programme = _timers_past(programme)  # the review window: deemed approved
    programme = _timers_past(programme)  # the appeal window: registered
    return programme


def _cp_include(cast, programme, *, iso2, title, annual, person, at, implementer):
    """A CP notified, validated and included (PROC-AC-003 v03.0 paras 91-126), crediting from a month on."""
    from projects.poa import services as poa
    from projects.poa.models import PoAHost

    crediting_start = (at + datetime.timedelta(days=30)).date()
    with _at(at):
        cp = poa.poa_notify_inclusion(
            poa=programme, user=person, title=title, host=PoAHost.objects.get(poa=programme, party=cast.parties[iso2]),
            participants=[implementer], doe=cast.doe_org, location=cast.parties[iso2].name,
            technologies="Improved biomass cookstoves.", start_date=crediting_start, crediting_type="renewable",
            crediting_start=crediting_start,
            crediting_end=crediting_start.replace(year=crediting_start.year + 5) - datetime.timedelta(days=1),
            estimated_annual=annual)
        poa.cp_start_validation(cp=cp, user=cast.doe)
        poa.cp_document_upload(cp=cp, user=person, kind="cp_dd", uploaded=_pdf(f"cp-dd-{cp.number}.pdf"))
        poa.cp_document_upload(cp=cp, user=cast.doe, kind="cp_validation_report", uploaded=_pdf(f"cp-vr-{cp.number}.pdf"))
        poa.cp_document_upload(cp=cp, user=cast.doe, kind="cp_inclusion_form", uploaded=_pdf(f"cp-if-{cp.number}.pdf"))
        cp.refresh_from_db()
        poa.cp_validate(cp=cp, user=cast.doe, criteria=list(programme.eligibility_criteria.all()))
        cp.refresh_from_db()
        poa.cp_upload_inclusion(cp=cp, user=cast.doe, crediting_start=cp.crediting_start, crediting_end=cp.crediting_end)
        cp.refresh_from_db()
        poa.cp_include(cp=cp, user=cast.sam, reference=f"WIRE-{cp.reference}")
    cp.refresh_from_db()
    return cp


CRITERIA = ["The CP distributes devices of a type the PoA-DD lists.", "The CP lies within one host Party's territory."]


def _poa_load(cast, row, meetings):
    decision = row["decision"]
    decided = _noon(meetings[decision["meeting"]])
    org, person = cast.participant(row)
    description = (f"CDM PoA {row['cdm_reference']} ({row['source']}): {_decision_label(row)}. Loaded through the "
                   "A6.4 PoA path while a PoA's transition is not built (docs/rules-coverage.md real-2).")
    if row.get("fnrb"):
        description += f" fNRB {row['fnrb']}, leakage discount factor {row['leakage_factor']} (re-evaluated)."
    issuance = row.get("first_issuance")
    # Registered before the decision's meeting; 10471's a year before its first issuance.
    start = (_noon(issuance["date"]) - datetime.timedelta(days=330)) if issuance else decided - datetime.timedelta(days=100)
    programme = _poa_register(cast, org=org, person=person, title=row["title"], hosts={row["host"]: 250_000},
                              version=cast.versions[row["methodology"]], start=start, description=description,
                              criteria=CRITERIA)
    if issuance:
        _first_issuance(cast, programme, row, org=org, person=person)
    programme.refresh_from_db()
    return _record(row, activity=programme, decision=_decision_label(row),
                   modifications=decision.get("modifications", ""), fnrb=row.get("fnrb"),
                   leakage=row.get("leakage_factor"))


def _first_issuance(cast, programme, row, *, org, person):
    """One CP, one batch monitored to the end of 2025, verified, requested and issued in Feb 2026."""
    from pacm.registry.models import Account, AccountKind
    from pacm.registry.services import account_open
    from projects import services
    from projects.models import MonitoringPeriod
    from projects.poa import services as poa
    from projects.poa.issuance import poa_period_submit

    issuance = row["first_issuance"]
    cp = _cp_include(cast, programme, iso2=row["host"], title=f"{cast.parties[row['host']].name} cookstoves (CP 1)",
                     annual=120_000, person=person, at=programme.state_entered_at + datetime.timedelta(days=2),
                     implementer=org)
    end = datetime.date(issuance["vintage"], 12, 31)
    with _at(_noon(end + datetime.timedelta(days=5))):
        account = Account.objects.filter(organisation=org, kind=AccountKind.HOLDING).first() or account_open(
            kind=AccountKind.HOLDING, name=f"{org.name} holding account", organisation=org,
            user=cast.dnas[row["host"]], authorization_document=f"Letter of authorization CDM {row['cdm_reference']}",
            authorization_date=datetime.date(2025, 1, 15))
        # 7/CMA.4 annex I para 44: the Party of a holding account has its retirement account.
        party = cast.parties[row["host"]]
        if not Account.objects.filter(kind=AccountKind.RETIREMENT, party=party).exists():
            account_open(kind=AccountKind.RETIREMENT, name=f"{party.name} retirement account", party=party,
                         user=cast.dnas[row["host"]])
        poa.poa_engage_verification_doe(poa=programme, user=person, doe=cast.doe_org)
        period = poa_period_submit(poa=programme, user=person, start=cp.crediting_start, end=end,
                                   claims={cp.reference: {issuance["vintage"]: issuance["units"]}},
                                   report=_pdf("monitoring-report.pdf"))
        services.period_start_verification(period=period, user=cast.doe)
        services.document_upload(activity=programme, user=cast.doe, kind="verification_report",
                                 uploaded=_pdf("verification-report.pdf"), period=period)
        period.refresh_from_db()
        services.period_certify(period=period, user=cast.doe, verified=None,
                                verified_by_cp={cp.reference: {issuance["vintage"]: issuance["units"]}})
        period.refresh_from_db()
    # Timed so that the appeal window closes, and the units are issued, on the day the press reports.
    with _at(_issuance_requested_at(issuance)):
        period.refresh_from_db()
        services.period_request_issuance(period=period, user=cast.doe, units_requested=period.verified_total,
                                         lines=[{"account": account.number, "percent": "100"}])
        period.refresh_from_db()
        for fee in period.fees.filter(status="due"):
            services.fee_record_payment(fee=fee, user=cast.sam, reference=f"WIRE-{programme.reference}-MP1")
        services.period_confirm_issuance_request(period=period, user=person)  # pacm issue 9
        services.period_start_issuance_checks(period=period, user=cast.sam)
        services.period_pass_issuance_checks(period=MonitoringPeriod.objects.get(pk=period.pk), user=cast.sam)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    period = _timers_past(period)  # the issuance review window: approved
    from projects.timers import timers_run

    with _at(period.due_at + datetime.timedelta(minutes=1)):
        timers_run()  # the appeal window closed: the issuance task runs (eagerly) on commit
        # Inside an outer transaction (seed_demo's test) on-commit work waits: run the idempotent task body.
        services.issuance_process(period_id=period.pk)
    return MonitoringPeriod.objects.get(pk=period.pk)


def _issuance_requested_at(issuance):
    """The request day that puts the issuance on `issuance["date"]`: the rule set's review and appeal windows before it."""
    from methodologies.models import RuleSet

    on = issuance["date"]
    rules = RuleSet.objects.in_force(on)
    days = rules.timer_days("issuance_review") + rules.timer_days("appeal")
    return _noon(on - datetime.timedelta(days=days)) - datetime.timedelta(hours=1)


def _multi_country_load(cast, demo):
    from pacm.parties.models import Organisation

    first = next(iter(demo["hosts"]))
    row = {"cdm_reference": demo["key"], "title": demo["title"], "host": first,
           "participant": "Two-country cookstoves CME (demo)"}
    org, person = cast.participant(row)
    programme = _poa_register(cast, org=org, person=person, title=demo["title"], hosts=demo["hosts"],
                              version=cast.versions[demo["methodology"]],
                              start=timezone.now() - datetime.timedelta(days=150),
                              description="A multi-country PoA with a maximum per host (PROC-AC-003 v03.0 para 26). "
                                          "DEMO ONLY: not a real activity.", criteria=CRITERIA)
    at = programme.state_entered_at + datetime.timedelta(days=1)
    for iso2, title, annual in demo["cps"]:
        _cp_include(cast, programme, iso2=iso2, title=title, annual=annual, person=person, at=at, implementer=org)
    assert Organisation.objects.filter(pk=org.pk).exists()
    return _record({**demo, "kind": "poa"}, activity=programme, decision="")


