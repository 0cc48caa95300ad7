"""The filters of the public list of activities (pacm issue 9): host, methodology, sectoral scope,
type and state, plus the text search; newest or oldest first by key (paging.keyset_page)."""
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pacm.common.forms import TextField
from pacm.registry.public_filters import PublicFilter

from .cycle import ActivityState
from .selectors import PRIVATE_STATES

SEARCH_MAX = 100


class ActivityFilter(PublicFilter):
    q = TextField(required=False, max_length=SEARCH_MAX, label=_("Reference, title or host"))
    state = forms.ChoiceField(required=False, label=_("State"), choices=[("", _("Any"))] + [
        (value, label) for value, label in ActivityState.choices if value not in PRIVATE_STATES])
    field_order = ["q", "host", "methodology", "scope", "state", "sort"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # The search box finds a reference; this list holds projects only (programmes have their own).
        del self.fields["activity"], self.fields["type"]

    def queryset(self, rows):
        data = self.cleaned_data
        rows = rows.filter(self.activity_q(""))
        if data.get("state"):
            rows = rows.filter(state=data["state"])
        if data.get("q"):
            query = data["q"]
            rows = rows.filter(Q(reference__icontains=query) | Q(title__icontains=query)
                               | Q(host_party__name__icontains=query))
        return rows
