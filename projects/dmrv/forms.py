"""The MRV keys page's one form: a new signing key (no field: the one-time submission key alone)."""
from django import forms

from pacm.common.submission import SubmissionKeyMixin


class MrvKeyCreateForm(SubmissionKeyMixin, forms.Form):
    pass
