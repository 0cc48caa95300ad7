"""Export downloads. Each view asks the page's own check (a public list: nobody; an account: its
holders, `pacm.registry.views._account_or_404`; "my activities": the user's ties; the AEF: the
Party's DNA and the secretariat) and hands the page's selector to the shared writer."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from pacm.common import bounds
from pacm.common.errors import Refused
from pacm.common.forms import BootstrapMixin, year_field
from pacm.registry import selectors as registry
from pacm.registry.views import _account_or_404

from . import aef, lists
from .access import parties_reportable_by
from .writer import csv_zip_response, table_response, xlsx_response


@require_GET
def public_activities(request, fmt):
    return table_response(lists.public_activities_sheet(), fmt=fmt, basename="activities")


@require_GET
def public_issuances(request, fmt):
    return table_response(lists.public_issuances_sheet(), fmt=fmt, basename="issuances")


@require_GET
def public_blocks(request, fmt):
    """All blocks, or one activity's (?activity=, as the unit registry page filters them)."""
    reference = (request.GET.get("activity") or "").strip()[:40]
    activity = registry.block_activity(reference) if reference else None
    if reference and activity is None:
        raise Http404("No public activity has this reference.")
    basename = f"blocks-{activity['reference']}" if activity else "blocks"
    return table_response(lists.public_blocks_sheet(activity=activity), fmt=fmt, basename=basename)


@require_GET
def public_uses(request, fmt):
    return table_response(lists.public_uses_sheet(), fmt=fmt, basename="uses-and-cancellations")


@require_GET
@login_required
def account_holdings(request, number, fmt):
    account = _account_or_404(request.user, number)
    return table_response(lists.holdings_sheet(account), fmt=fmt, basename=f"holdings-{account.number}")


@require_GET
@login_required
def account_statement(request, number, fmt):
    account = _account_or_404(request.user, number)
    return table_response(lists.statement_sheet(account), fmt=fmt, basename=f"statement-{account.number}")


@require_GET
@login_required
def my_activities(request, fmt):
    return table_response(lists.my_activities_sheet(request.user), fmt=fmt, basename="my-activities")


# --- The AEF (decision 4/CMA.6 annex II) ----------------------------------------------------------

AEF_FORMATS = (("xlsx", gettext_lazy("XLSX, one sheet per table")), ("zip", gettext_lazy("CSV files (zip)")))


class AEFForm(BootstrapMixin, forms.Form):
    party = forms.ModelChoiceField(queryset=None, to_field_name="iso2", label=gettext_lazy("Party"))
    year = year_field(label=gettext_lazy("Reported year"))
    format = forms.ChoiceField(choices=AEF_FORMATS, label=gettext_lazy("Format"))

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties


def _reportable_or_refuse(user):
    parties = parties_reportable_by(user)
    if not parties.exists():
        raise Refused(_("Only a Party's DNA and the secretariat build the Party's AEF report."),
                      code="aef_not_permitted")
    return parties


@require_GET
@login_required
def aef_report(request):
    """Choose the Party (one's own; any for the secretariat) and the year; the download follows."""
    parties = _reportable_or_refuse(request.user)
    bound = bool(request.GET.get("party") or request.GET.get("year"))
    initial = {"year": timezone.localdate().year - 1, "format": "xlsx", "party": parties.first()}
    form = AEFForm(request.GET if bound else None, parties=parties, initial=initial)
    if bound and form.is_valid():
        data = form.cleaned_data
        return redirect(reverse("aef-download", kwargs={"iso2": data["party"].iso2, "year": data["year"],
                                                        "fmt": data["format"]}))
    return render(request, "exports/aef.html", {"form": form, "parties": parties})


@require_GET
@login_required
def aef_download(request, iso2, year, fmt):
    """The five tables for one Party and year, as one workbook or a zip of CSV files."""
    party = parties_reportable_by(request.user).filter(iso2=iso2).first()
    if party is None or fmt not in dict(AEF_FORMATS) or not bounds.YEAR_MIN <= year <= bounds.YEAR_MAX:
        raise Http404("There is no such report that you may build.")
    sheets = aef.aef_sheets(party=party, year=year)
    basename = aef.aef_basename(party, year)
    if fmt == "zip":
        return csv_zip_response(sheets, filename=f"{basename}.zip")
    return xlsx_response(sheets, filename=f"{basename}.xlsx")
