"""Export downloads. Each view asks the page's own check (a public list: nobody; an account: its
holders, `pacm.registry.views._account_or_404`; "my activities": the user's ties; the AEF: the
Party's DNA and the secretariat) and hands the page's selector to the shared writer."""
import re

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
from pacm.registry import public_filters as filters
from pacm.registry.views import _account_or_404

from ..public_filters import ActivityFilter
from . import aef, lists
from .access import parties_reportable_by
from .writer import csv_zip_response, table_response, xlsx_response


def _filter_or_400(request, form_class):
    """The list page's own filter form over the export's query string: (form, None) when valid, else
    (None, a 400 page naming each bad filter), never a 500 (pacm issue 9)."""
    form = form_class(request.GET)
    if form.is_valid():
        return form, None
    problems = "; ".join(f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
                         for name, errors in form.errors.items())
    message = _("This export's filters are not valid (%(problems)s). Correct them on the list page.") % {
        "problems": problems}
    return None, render(request, "400.html", {"exception": message}, status=400)


def _public_export(request, *, form_class, sheet, fmt, basename):
    form, refused = _filter_or_400(request, form_class)
    return refused or table_response(sheet(form), fmt=fmt, basename=basename)


@require_GET
def public_activities(request, fmt):
    """The public activities, filtered as on the registry's home page (projects.public_filters)."""
    return _public_export(request, form_class=ActivityFilter, sheet=lists.public_activities_sheet, fmt=fmt,
                          basename="activities")


@require_GET
def public_issuances(request, fmt):
    return _public_export(request, form_class=filters.IssuanceFilter, sheet=lists.public_issuances_sheet, fmt=fmt,
                          basename="issuances")


@require_GET
def public_blocks(request, fmt):
    """The serial blocks, filtered as on the blocks page (?activity=, ?host=, ?vintage=, ...)."""
    reference = (request.GET.get("activity") or "").strip()[:filters.REFERENCE_MAX]
    basename = f"blocks-{re.sub(r'[^A-Za-z0-9-]', '', reference)}" if reference else "blocks"
    return _public_export(request, form_class=filters.BlockFilter, sheet=lists.public_blocks_sheet, fmt=fmt,
                          basename=basename)


@require_GET
def public_uses(request, fmt):
    return _public_export(request, form_class=filters.UseFilter, sheet=lists.public_uses_sheet, fmt=fmt,
                          basename="uses-and-cancellations")


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
        raise Http404(_("There is no such report that you may build."))
    sheets = aef.aef_sheets(party=party, year=year)
    basename = aef.aef_basename(party, year)
    if fmt == "zip":
        return csv_zip_response(sheets, filename=f"{basename}.zip")
    return xlsx_response(sheets, filename=f"{basename}.xlsx")
