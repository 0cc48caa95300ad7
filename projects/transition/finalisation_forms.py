"""Forms of the finalisation request's steps (A6.4-PROC-AC-001 v06.0 para 55, footnote 18;
projects/transition/finalisation.py), each on one provisional row (`item`), bounded where they enter."""
from django import forms
from django.utils.translation import gettext_lazy as _

from pacm.common import bounds
from pacm.common.forms import BootstrapMixin, TextField, text_area, whole_field
from pacm.common.submission import SubmissionKeyMixin

from .finalisation import DECISIONS
from .machine import TRANSITION_MACHINE as M


class ItemForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    item = whole_field(maximum=bounds.BIGINT_MAX, widget=forms.HiddenInput)


class ReasonsItemForm(ItemForm):
    comment = text_area(2, max_length=5000, label=_("Reasons"))


class DecisionForm(ItemForm):
    """Para 46: the SB's decision as its meeting report records it."""

    decision = forms.ChoiceField(choices=[(k, _("Approve") if k == "approve" else _("Reject")) for k in DECISIONS],
                                 label=_("Decision"))
    meeting = TextField(max_length=20, label=_("Meeting"), help_text=_('Numbered as its report is, e.g. "SBM019".'))
    agenda_item = TextField(max_length=20, label=_("Agenda item"), help_text=_('e.g. "4.2"'))
    comment = text_area(3, max_length=5000, label=_("Reasons"))


class PeriodForm(ItemForm):
    """The revised monitoring report (para 55(a)(i)) as the registered activity's monitoring report."""

    report = forms.FileField(label=_("Revised monitoring report"), help_text=_("A PDF or office document."))


def _form(cls):
    return lambda data, request_obj: cls(data, prefix="t")


FORMS = {
    "return_finalisation": (_form(ReasonsItemForm), lambda r, u, d: M.call(
        "return_finalisation", r, user=u, provisional=d["item"], comment=d["comment"])),
    "pass_finalisation_checks": (_form(ItemForm), lambda r, u, d: M.call(
        "pass_finalisation_checks", r, user=u, provisional=d["item"])),
    "request_finalisation_review": (_form(ReasonsItemForm), lambda r, u, d: M.call(
        "request_finalisation_review", r, user=u, provisional=d["item"], comment=d["comment"])),
    "decide_finalisation": (_form(DecisionForm), lambda r, u, d: M.call(
        "decide_finalisation", r, user=u, provisional=d["item"], decision=d["decision"], meeting=d["meeting"],
        agenda_item=d["agenda_item"], comment=d["comment"])),
    "submit_finalised_period": (_form(PeriodForm), lambda r, u, d: M.call(
        "submit_finalised_period", r, user=u, provisional=d["item"], report=d["report"])),
}
