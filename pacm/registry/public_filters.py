"""The filters of the public registry's lists (pacm issue 9): one GET form per list, bounded like
every form (pacm.common.bounds), and the querysets they select.

A bad value is a form error shown above the list, never a 500. Every list is ordered by its primary
key (newest or oldest first) and paged by key (pacm.common.paging.keyset_page); each filter on its
own is served by an index that leads with it and ends with the key (migration registry 0012).
"""
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pacm.common.forms import BootstrapMixin, TextField, year_field

from .models import AccountKind, AuthorizationStatus, LedgerEntry, TransactionKind, UnitBlock

NEWEST, OLDEST, SERIAL = "newest", "oldest", "serial"
SORTS = [(NEWEST, _("Newest first")), (OLDEST, _("Oldest first"))]
YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
REFERENCE_MAX = 20  # projects.Activity.reference

# Uses and cancellations: the moves into a retirement or cancellation account (7/CMA.4 annex I paras
# 44-45; RMP 43, 59, 61, 70; A6.4-STAN-METH-002 para 57), the public list of PROC-REGS-001 para 74(a).
USE_KINDS = (
    TransactionKind.RETIREMENT,
    TransactionKind.CANCELLATION_OIMP,
    TransactionKind.VOLUNTARY_CANCELLATION,
    TransactionKind.VOLUNTARY_OMGE_CANCELLATION,
    TransactionKind.OMGE_CANCELLATION,
    TransactionKind.ADMIN_CANCELLATION,
    TransactionKind.REVERSAL_REMEDIATION,
    TransactionKind.BUFFER_CANCELLATION,
    TransactionKind.REVERSAL_COMPENSATION,
)
# Of those, the ones a holder makes of its own units (7/CMA.4 annex I paras 44-45; RMP 43, 61, 70): each
# gets its retirement or cancellation certificate (projects.certificates, pacm issue 9).
HOLDER_USE_KINDS = frozenset({TransactionKind.RETIREMENT, TransactionKind.CANCELLATION_OIMP,
                              TransactionKind.VOLUNTARY_CANCELLATION, TransactionKind.VOLUNTARY_OMGE_CANCELLATION})


def _activities():
    """Every activity row, projects and programmes of activities alike (the default manager of
    projects.Activity shows projects only); pacm/ never imports projects/."""
    return UnitBlock._meta.get_field("activity").related_model._base_manager


def _any(choices):
    return [("", _("Any")), *choices]


def host_choices():
    from pacm.parties.models import Party

    return _any(list(Party.objects.order_by("name").values_list("iso2", "name")))


def methodology_choices():
    from methodologies.models import Methodology

    return _any(list(Methodology.objects.order_by("code").values_list("code", "code")))


def scope_choices():
    from methodologies.models import SectoralScope

    return _any([(str(n), f"{n}. {name}") for n, name in SectoralScope.objects.order_by("number").values_list(
        "number", "name")])


def type_choices():
    return _any(list(_activities().model._meta.get_field("kind").choices))


class PublicFilter(BootstrapMixin, forms.Form):
    """The filters every list of activities' units shares: host, methodology, sectoral scope, type."""

    host = forms.ChoiceField(required=False, label=_("Host Party"))
    activity = TextField(required=False, max_length=REFERENCE_MAX, label=_("Activity reference"))
    methodology = forms.ChoiceField(required=False, label=_("Methodology"))
    scope = forms.ChoiceField(required=False, label=_("Sectoral scope"))
    type = forms.ChoiceField(required=False, label=_("Type"))
    sort = forms.ChoiceField(required=False, choices=SORTS, label=_("Order"))

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.fields["host"].choices = host_choices()
        self.fields["methodology"].choices = methodology_choices()
        self.fields["scope"].choices = scope_choices()
        self.fields["type"].choices = type_choices()

    def activity_q(self, prefix):
        """The activity filters as a Q over `prefix` (the path from the list's rows to the activity)."""
        data, q = self.cleaned_data, Q()
        if data.get("host"):
            q &= Q(**{f"{prefix}host_party__iso2": data["host"]})
        if data.get("activity"):
            q &= Q(**{f"{prefix}reference__iexact": data["activity"]})
        if data.get("methodology"):
            q &= Q(**{f"{prefix}methodology_version__methodology__code": data["methodology"]})
        if data.get("scope"):
            q &= Q(**{f"{prefix}sectoral_scope__number": int(data["scope"])})
        if data.get("type"):
            q &= Q(**{f"{prefix}kind": data["type"]})
        return q

    @property
    def descending(self):
        return (self.cleaned_data.get("sort") or NEWEST) != OLDEST

    @property
    def active(self):
        return self.is_bound and any(value for name, value in self.cleaned_data.items() if name != "sort")


class BlockFilter(PublicFilter):
    vintage = year_field(required=False, label=_("Vintage"))
    status = forms.ChoiceField(required=False, choices=_any(AuthorizationStatus.choices), label=_("Authorization"))
    first_transferred = forms.ChoiceField(required=False, choices=YES_NO, label=_("First transferred"))
    account = forms.ChoiceField(required=False, choices=_any(AccountKind.choices), label=_("Account type"))
    sort = forms.ChoiceField(required=False, choices=[*SORTS, (SERIAL, _("Serial number (one activity)"))],
                             label=_("Order"))

    def clean(self):
        data = super().clean()
        if data.get("sort") == SERIAL and not data.get("activity"):
            self.add_error("sort", _("Give an activity reference to order its blocks by serial number."))
        return data

    def queryset(self, rows):
        """`rows` (blocks) narrowed by the filters. The host filter reads the block's own column."""
        data = self.cleaned_data
        q = Q()
        if data.get("host"):
            q &= Q(host_party__iso2=data["host"])
        activity_filters = {k: data.get(k) for k in ("activity", "methodology", "scope", "type")}
        if any(activity_filters.values()):
            activities = _activities().filter(self.activity_q("")).values("pk")
            q &= Q(activity_id__in=activities)
        if data.get("vintage"):
            q &= Q(vintage=data["vintage"])
        if data.get("status"):
            q &= Q(authorization_status=data["status"])
        if data.get("first_transferred"):
            q &= Q(first_transferred=data["first_transferred"] == "yes")
        if data.get("account"):
            q &= Q(account__kind=data["account"])
        return rows.filter(q)


class IssuanceFilter(PublicFilter):
    def queryset(self, rows):
        """Issuance transactions narrowed to the activities the filters select."""
        q = self.activity_q("issuance__period__activity__")
        return rows.filter(q) if q else rows


class UseFilter(PublicFilter):
    use = forms.ChoiceField(required=False, label=_("Use or cancellation"),
                            choices=_any([(str(kind), TransactionKind(kind).label) for kind in USE_KINDS]))
    vintage = year_field(required=False, label=_("Vintage"))
    sort = None  # newest first only: the list is the union of one index per kind (paging.keyset_union_page)

    def kinds(self):
        use = self.cleaned_data.get("use")
        return [use] if use else list(USE_KINDS)

    def queryset(self, rows):
        """Transactions of the uses' kinds narrowed to those that moved units of the selected activities
        and vintage: through their entries (the block's activity, the entry's vintage)."""
        q = self.activity_q("block__activity__")
        if self.cleaned_data.get("vintage"):
            q &= Q(vintage=self.cleaned_data["vintage"])
        if q:
            rows = rows.filter(pk__in=LedgerEntry.objects.filter(q).values("transaction_id"))
        return rows

    @property
    def descending(self):
        return True


class TotalsFilter(BootstrapMixin, forms.Form):
    vintage = year_field(required=False, label=_("Vintage"))
    status = forms.ChoiceField(required=False, choices=_any(AuthorizationStatus.choices), label=_("Authorization"))

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
