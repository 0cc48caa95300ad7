"""What each kind of document attests, read from the records it rests on (never from a form).

One `Kind` per document: `load(subject_id)` finds the record, or None when it does not (yet) call
for the document (an activity not registered, an issuance not executed, a transfer that is no
use); `attest(subject)` returns the `Attestation` the PDF and the verification page both print, so
the two never say different things. `public` kinds are public documents (pacm issue 9: the
registration certificate, the issuance statement, the retirement or cancellation certificate);
the host's letter and statement are seen by whoever sees the activity (the activity page shows
the same records).
"""
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pacm.events.models import Event, EventKind
from pacm.registry.models import AccountKind, LedgerEntry, LedgerTransaction, TransactionKind
from pacm.registry.public_filters import HOLDER_USE_KINDS
from pacm.registry.serials import serial_format
from projects.cycle import ActivityState as A
from projects.models import Activity, AuthorizationStatement, HostApproval, IssuanceRequest

from .models import DocumentKind

# The moves that end a unit's life at its holder's hand, one set for the registry and its certificates.
USE_KINDS = HOLDER_USE_KINDS
REGISTERED_STATES = (A.REGISTERED, A.DEREGISTERED)
# A document lists at most this many serial ranges; the rest are counted (a use of a whole account
# may take thousands of blocks). The verification page lists the same rows.
RANGES_MAX = 500


@dataclass
class Attestation:
    title: str
    heading: str
    statement: str
    facts: list  # [(label, value)]
    attested_at: object
    activity: object = None
    ranges: list = field(default_factory=list)  # [{"serial", "vintage", "quantity", "status"}]
    ranges_more: int = 0


def _date(value):
    """In the active language's one date format (pacm/formats)."""
    return formats.date_format(value, "DATE_FORMAT") if value else "–"


def _moment(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") + " UTC" if value else "–"


def _yes(value):
    return _("yes") if value else _("no")


def _methodology(activity):
    mv = activity.methodology_version
    return f"{mv.methodology.code} v{mv.version}: {mv.methodology.title}"


def _activity_facts(activity):
    return [
        (_("Activity"), f"{activity.reference} {activity.title}"),
        (_("Host Party"), activity.host_party.name),
        (_("Methodology"), _methodology(activity)),
    ]


def _ranges(entries):
    rows = []
    for entry in entries[:RANGES_MAX]:
        rows.append({"serial": serial_format(entry), "vintage": entry.vintage, "quantity": intcomma(entry.quantity),
                     "status": entry.block.get_authorization_status_display()})
    return rows


def _entries(transactions):
    return (LedgerEntry.objects.filter(transaction__in=transactions)
            .select_related("block__activity", "block__host_party", "block__component").order_by("transaction_id", "vintage", "serial_start"))


def _activity_qs():
    # The base manager: a PoA is an Activity row too (its registration certificate, issue 9).
    return Activity._base_manager.select_related("host_party", "methodology_version__methodology", "sectoral_scope",
                                           "validation_doe")


# --- The kinds ------------------------------------------------------------------------------------

class Kind:
    name = ""
    public = True

    def load(self, subject_id):
        raise NotImplementedError

    def attest(self, subject):
        raise NotImplementedError

    @staticmethod
    def activity_of(subject):
        return subject.activity if hasattr(subject, "activity") else None


class Registration(Kind):
    name = DocumentKind.REGISTRATION

    def load(self, subject_id):
        return _activity_qs().filter(pk=subject_id, state__in=REGISTERED_STATES).first()

    @staticmethod
    def _registered_at(activity):
        """The registration's event; an activity created registered (a CDM transition) has none: its creation."""
        at = (Event.objects.filter(activity=activity, kind=EventKind.ACTIVITY_TRANSITIONED, to_state=A.REGISTERED)
              .order_by("sequence").values_list("created_at", flat=True).first())
        return at or activity.created_at

    @staticmethod
    def activity_of(subject):
        return subject

    def attest(self, activity):
        if activity.kind == Activity.Kind.POA:
            return self._attest_poa(activity)
        registered_at = self._registered_at(activity)
        participants = ", ".join(activity.participants.order_by("name").values_list("name", flat=True))
        facts = [
            (_("Reference"), activity.reference),
            (_("Title"), activity.title),
            (_("Host Party"), activity.host_party.name),
            (_("Activity participants"), participants),
            (_("Methodology"), _methodology(activity)),
            (_("Sectoral scope"), str(activity.sectoral_scope)),
            (_("Location"), activity.location),
            (_("Crediting period"), f"{activity.get_crediting_type_display()}: {_date(activity.crediting_start)} "
                                    f"– {_date(activity.crediting_end)}"),
            (_("Validated by"), activity.validation_doe.name if activity.validation_doe_id else "–"),
            (_("Registered on"), _date(registered_at)),
        ]
        return Attestation(
            title=_("Certificate of registration"), heading=f"{activity.reference} {activity.title}",
            statement=_("The Article 6.4 mechanism registry certifies that the activity described below was "
                        "registered as an Article 6.4 activity (A6.4-PROC-AC-002)."),
            facts=facts, attested_at=registered_at, activity=activity,
        )


    def _attest_poa(self, poa):
        """PROC-AC-003 v03.0 paras 16, 85-90: the PoA as registered: its CME, hosts and PoA period
        (the crediting periods are the CPs', on their inclusion certificates)."""
        registered_at = (Event.objects.filter(activity=poa, kind__in=[EventKind.ACTIVITY_TRANSITIONED, "poa.transitioned"],
                                              to_state=A.REGISTERED)
                         .order_by("sequence").values_list("created_at", flat=True).first()) or poa.created_at
        cme = ", ".join(poa.participants.order_by("name").values_list("name", flat=True))
        hosts = ", ".join(poa.poa_hosts.order_by("position", "pk").values_list("party__name", flat=True))
        facts = [
            (_("Reference"), poa.reference),
            (_("Title"), poa.title),
            (_("Coordinating and managing entity"), cme),
            (_("Host Parties"), hosts or poa.host_party.name),
            (_("Methodology"), _methodology(poa)),
            (_("Sectoral scope"), str(poa.sectoral_scope)),
            (_("PoA period"), f"{_date(poa.crediting_start)} – {_date(poa.crediting_end)}"),
            (_("Validated by"), poa.validation_doe.name if poa.validation_doe_id else "–"),
            (_("Registered on"), _date(registered_at)),
        ]
        return Attestation(
            title=_("Certificate of registration of a programme of activities"),
            heading=f"{poa.reference} {poa.title}",
            statement=_("The Article 6.4 mechanism registry certifies that the programme of activities described "
                        "below was registered as an Article 6.4 PoA (A6.4-PROC-AC-003)."),
            facts=facts, attested_at=registered_at, activity=poa,
        )


class CPInclusion(Kind):
    """PROC-AC-003 v03.0 paras 120-124: a component project included in its PoA, with its host
    and its own crediting period (STAN-AC-004 v03.0 para 127). Public, as the CP's page is."""

    name = DocumentKind.CP_INCLUSION

    def load(self, subject_id):
        from projects.poa.models import ComponentProject

        return (ComponentProject.objects.select_related("poa__methodology_version__methodology", "poa__host_party",
                                                        "host__party", "doe")
                .filter(pk=subject_id, included_at__isnull=False).first())

    @staticmethod
    def activity_of(cp):
        return cp.poa

    def attest(self, cp):
        poa = cp.poa
        participants = ", ".join(cp.participants.order_by("name").values_list("name", flat=True))
        facts = [
            (_("Component project"), f"{cp.reference} {cp.title}"),
            (_("Programme of activities"), f"{poa.reference} {poa.title}"),
            (_("Host Party"), cp.host.party.name),
            (_("Activity participants"), participants or "–"),
            (_("Methodology"), _methodology(poa)),
            (_("Location"), cp.location),
            (_("Crediting period"), f"{cp.get_crediting_type_display()}: {_date(cp.crediting_start)} "
                                    f"– {_date(cp.crediting_end)}"),
            (_("Validated by"), cp.doe.name if cp.doe_id else "–"),
            (_("Included on"), _date(cp.included_at)),
        ]
        return Attestation(
            title=_("Certificate of inclusion of a component project"), heading=f"{cp.reference} {cp.title}",
            statement=_("The Article 6.4 mechanism registry certifies that the component project described below "
                        "was included in the registered programme of activities named (A6.4-PROC-AC-003)."),
            facts=facts, attested_at=cp.included_at, activity=poa,
        )


def _per_component(request, entries):
    """PROC-AC-003 v03.0 para 220: a PoA batch's statement says, per CP, the units verified and the
    serial ranges issued for it (the first RANGES_MAX ranges, as the table below)."""
    from projects.poa.models import ComponentClaim

    verified = {}
    for claim in ComponentClaim.objects.filter(period=request.period).select_related("component").order_by(
            "component__number", "vintage"):
        row = verified.setdefault(claim.component.reference, [claim.component.title, 0, []])
        row[1] += claim.verified if claim.verified is not None else claim.claimed
    for entry in entries:
        component = entry.block.component
        if component is not None and component.reference in verified:
            verified[component.reference][2].append(serial_format(entry))
    facts = []
    for reference, (title, quantity, serials) in verified.items():
        facts.append((f"{reference} {title}", _("%(quantity)s verified; serials %(serials)s") % {
            "quantity": intcomma(quantity), "serials": ", ".join(serials) or "–"}))
    return facts


class Issuance(Kind):
    name = DocumentKind.ISSUANCE

    def load(self, subject_id):
        return (IssuanceRequest.objects.select_related(
            "period__activity__host_party", "period__activity__methodology_version__methodology", "rule_set")
            .filter(pk=subject_id, issued_at__isnull=False).first())

    @staticmethod
    def activity_of(request):
        return request.period.activity

    def attest(self, request):
        period, activity = request.period, request.period.activity
        issued = LedgerTransaction.objects.filter(issuance=request, kind=TransactionKind.ISSUANCE)
        entries = list(_entries(issued)[:RANGES_MAX + 1])
        more = max(0, _entries(issued).count() - RANGES_MAX) if len(entries) > RANGES_MAX else 0
        facts = [
            *_activity_facts(activity),
            (_("Monitoring period"), f"MP{period.number}: {_date(period.start)} – {_date(period.end)}"),
            (_("Issued on"), _moment(request.issued_at)),
            (_("Units issued"), intcomma(request.gross)),
            (_("Share of proceeds to the Adaptation Fund"), intcomma(request.share_of_proceeds)),
            (_("Cancelled for overall mitigation in global emissions"), intcomma(request.omge)),
            (_("Reversal Risk Buffer Pool"), intcomma(request.buffer or 0)),
            (_("Forwarded to the participants"), intcomma(request.net)),
            (_("Rule set applied"), request.rule_set.version if request.rule_set_id else "–"),
        ]
        if activity.kind == Activity.Kind.POA:
            facts += _per_component(request, entries)
        return Attestation(
            title=_("Issuance statement"), heading=f"{activity.reference} MP{period.number}",
            statement=_("The Article 6.4 mechanism registry states that it issued the A6.4ERs below for the "
                        "monitoring period named, with the deductions applied on issuance."),
            facts=facts, attested_at=request.issued_at, activity=activity, ranges=_ranges(entries), ranges_more=more,
        )


class Use(Kind):
    name = DocumentKind.USE

    def load(self, subject_id):
        return (LedgerTransaction.objects.select_related("to_account__party")
                .filter(pk=subject_id, kind__in=sorted(USE_KINDS)).first())

    @staticmethod
    def activity_of(row):
        """The activity when the use took units of one activity only (a use may take several)."""
        ids = set(LedgerEntry.objects.filter(transaction=row).values_list("block__activity_id", flat=True)[:2])
        return Activity._base_manager.filter(pk__in=ids).first() if len(ids) == 1 else None

    def attest(self, row):
        entries = list(_entries([row.pk])[:RANGES_MAX + 1])
        more = max(0, _entries([row.pk]).count() - RANGES_MAX) if len(entries) > RANGES_MAX else 0
        target = row.to_account
        if target.kind == AccountKind.RETIREMENT:
            into = _("the retirement account of %(party)s") % {"party": target.party.name}
        else:
            into = AccountKind(target.kind).label
        activities = sorted({e.block.activity.reference for e in entries})
        facts = [
            (_("Transaction"), row.get_kind_display()),
            (_("Date"), _moment(row.created_at)),
            (_("Units"), intcomma(row.quantity)),
            (_("Purpose"), row.purpose or "–"),
            (_("Beneficiary"), row.beneficiary or "–"),
            (_("Activities"), ", ".join(activities)),
            (_("Moved into"), into),
            (_("First transfer"), _yes(row.first_transfer)),
        ]
        retirement = row.kind == TransactionKind.RETIREMENT
        title = _("Retirement certificate") if retirement else _("Cancellation certificate")
        return Attestation(
            title=title, heading=f"{row.get_kind_display()} · {intcomma(row.quantity)} A6.4ERs",
            statement=_("The Article 6.4 mechanism registry certifies that the A6.4ERs below were transferred to "
                        "a retirement or cancellation account, from which they can never move again "
                        "(7/CMA.4 annex I para 45)."),
            facts=facts, attested_at=row.created_at, activity=self.activity_of(row), ranges=_ranges(entries),
            ranges_more=more,
        )


class HostRecord(Kind):
    """A version the host's DNA issued (append-only): shown to whoever sees the activity."""

    model = None
    public = False

    def load(self, subject_id):
        return (self.model.objects.select_related("activity__host_party", "dna",
                                                  "activity__methodology_version__methodology")
                .filter(pk=subject_id).first())

    @staticmethod
    def issued_facts(record):
        return [
            *_activity_facts(record.activity),
            (_("Designated national authority"), record.dna.name),
            (_("Version"), str(record.version)),
            (_("Issued on"), _moment(record.issued_at)),
        ]


class HostApprovalLetter(HostRecord):
    name = DocumentKind.HOST_APPROVAL
    model = HostApproval

    def attest(self, approval):
        activity = approval.activity
        participants = ", ".join(approval.authorized_participants.order_by("name").values_list("name", flat=True))
        facts = [
            *self.issued_facts(approval),
            (_("How the activity fosters sustainable development"), approval.sd_confirmation),
            (_("How the activity relates to the NDC"), approval.ndc_relation),
            (_("Future renewal of the crediting period approved"), _yes(approval.renewal_approved)),
            (_("Opts out of the LDC/SIDS share-of-proceeds exemption"), _yes(approval.sop_exemption_opt_out)),
            (_("Participants authorized"), participants or "–"),
        ]
        return Attestation(
            title=_("Letter of approval"), heading=f"{activity.reference} · v{approval.version}",
            statement=_("The host Party, through its designated national authority, approves the activity below "
                        "and authorizes the participants named (RMP 40-41), as recorded in the registry."),
            facts=facts, attested_at=approval.issued_at, activity=activity,
        )


class AuthorizationLetter(HostRecord):
    name = DocumentKind.AUTHORIZATION
    model = AuthorizationStatement

    def attest(self, st):
        activity = st.activity
        vintages = "–"
        if st.vintage_from or st.vintage_to:
            vintages = f"{st.vintage_from or '…'} – {st.vintage_to or '…'}"
        facts = [
            *self.issued_facts(st),
            (_("Effective from"), _date(st.effective_from)),
            (_("Authorization"), st.get_uses_display()),
            (_("First transfer"), st.get_first_transfer_display() or "–"),
            (_("Quantity authorized"), intcomma(st.quantity_cap) if st.quantity_cap else _("no cap")),
            (_("Vintages"), vintages),
            (_("Changes"), st.change_terms or "–"),
        ]
        return Attestation(
            title=_("Statement of authorization"), heading=f"{activity.reference} · v{st.version}",
            statement=_("The host Party's statement on the authorization of A6.4ERs from the activity below "
                        "(RMP 42; 6/CMA.6 paras 10-11), as recorded in the registry."),
            facts=facts, attested_at=st.issued_at, activity=activity,
        )


KINDS = {k.name: k for k in (Registration(), Issuance(), Use(), HostApprovalLetter(), AuthorizationLetter(),
                              CPInclusion())}


def kind_of(name):
    return KINDS.get(name)
