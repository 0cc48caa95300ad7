"""Form helpers shared by every app's web forms (the lower layer: projects and the registry use them)."""

from django import forms


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, and `is-invalid` on the fields that carry errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

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
