"""Form helpers shared by every app's web forms (the lower layer: projects and the registry use them).

Every number, date and text is bounded where it enters (pacm.common.bounds): a date between 1990
and 2200, a quantity the columns and the later arithmetic can hold, a text that shows something;
digits of any script are read as ASCII digits and shown back so (issue 11).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import bounds

# Fields whose input is digits: any script's digits are normalised to ASCII where they enter.
DIGIT_FIELDS = (forms.IntegerField, forms.DecimalField, forms.DateField, forms.ModelChoiceField, forms.TypedChoiceField)


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, and `is-invalid` on the fields that carry errors.

    A bound form reads digits of any script as ASCII digits (bounds.digits_normalise), in its own
    copy of the data, so a page shown again shows the value as it was read.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self._digits_normalise()
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def _digits_normalise(self):
        data = self.data.copy()
        changed = False
        for name, field in self.fields.items():
            if not isinstance(field, DIGIT_FIELDS):
                continue
            key = self.add_prefix(name)
            if key not in data:
                continue
            if hasattr(data, "getlist"):
                values = data.getlist(key)
                normalised = [bounds.digits_normalise(v) for v in values]
                if normalised != values:
                    data.setlist(key, normalised)
                    changed = True
            else:
                normalised = bounds.digits_normalise(data[key])
                if normalised != data[key]:
                    data[key] = normalised
                    changed = True
        if changed:
            self.data = data

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def form_add_service_error(form, error):
    """Put a ServiceError's message(s) on the form fields they name (or on the form itself)."""
    errors = getattr(error, "errors", None) or {error.field: error.message}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date between bounds.DATE_MIN and DATE_MAX: later date arithmetic never overflows."""

    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", bounds.date_validators())
        super().__init__(**kwargs)
        self.widget.attrs.update(min=bounds.DATE_MIN.isoformat(), max=bounds.DATE_MAX.isoformat())


def whole_field(*, maximum, minimum=1, unit="", **kwargs):
    """A whole number in minimum..maximum; the maximum is said in words people read (10,000,000,000)."""
    messages = {"max_value": bounds.max_message(maximum, unit), **kwargs.pop("error_messages", {})}
    return forms.IntegerField(min_value=minimum, max_value=maximum, error_messages=messages, **kwargs)


def units_field(**kwargs):
    """A quantity of units or tonnes: at most bounds.UNITS_MAX."""
    return whole_field(maximum=bounds.UNITS_MAX, **kwargs)


def year_field(**kwargs):
    messages = {"min_value": bounds.year_message(), "max_value": bounds.year_message()}
    return forms.IntegerField(min_value=bounds.YEAR_MIN, max_value=bounds.YEAR_MAX, error_messages=messages, **kwargs)


class TextField(forms.CharField):
    """Text that shows something: NFC, trimmed of spaces and invisible characters at both ends;
    refused when it has no visible character or carries control characters."""

    def to_python(self, value):
        value = super().to_python(value)
        return bounds.text_clean(value) if value else value

    def clean(self, value):
        problem = bounds.text_problem(value) if isinstance(value, str) else None
        if problem:
            raise forms.ValidationError(problem, code="invisible")
        return super().clean(value)


def text_area(rows, **kwargs):
    return TextField(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class IdCheckMixin:
    """A choice by id: an id no column can hold is an invalid choice, before any query is made."""

    def _id_check(self, value):
        if not bounds.id_ok(value):
            raise forms.ValidationError(
                self.error_messages.get("invalid_choice", _("Select a valid choice.")),
                code="invalid_choice", params={"value": value},
            )


class ModelChoiceField(IdCheckMixin, forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            self._id_check(value)
        return super().to_python(value)


class ModelMultipleChoiceField(IdCheckMixin, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else ():
            if not bounds.id_ok(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)
