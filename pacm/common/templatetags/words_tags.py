"""Machine codes as words a person reads (pacm issue 9, "People"): the timeline's actors, payload
keys and coded values. The labels come from the machine declarations (pacm.engine.machines), so
a new state or step reads as its declared label without a change here."""
from functools import cache

from django import template
from django.utils.translation import gettext as _

register = template.Library()

# Words of a payload key that are acronyms, written as the documents write them.
_ACRONYMS = {"doe": "DOE", "dna": "DNA", "omge": "OMGE", "sop": "SOP", "ndc": "NDC", "sha256": "SHA-256", "cp": "CP",
             "poa": "PoA", "sb": "SB", "cdm": "CDM", "aef": "AEF", "id": "ID", "url": "URL", "fnrb": "fNRB",
             "pdd": "PDD", "ca": "CA", "itmo": "ITMO", "iso2": "ISO code"}


@cache
def _codes():
    """{code: label} for every state and write of every registered machine (states win)."""
    from pacm.engine.machines import machines

    labels = {}
    for machine in reversed(machines()):
        labels.update({name: write.label for name, write in machine.writes.items()})
    for machine in reversed(machines()):
        labels.update(dict(machine.states.choices))
    return labels


def code_label(code):
    """The declared label of a state or step code, or None when it is none."""
    return _codes().get(code) if isinstance(code, str) else None


@register.filter
def actor_display(label):
    """'timer:close_consultation' → 'Deadline passed (Close the consultation)'; 'board:…' → the SB's decision."""
    label = str(label or "")
    kind, _sep, rest = label.partition(":")
    if not _sep:
        return label
    if kind == "timer":
        return _("Deadline passed (%(step)s)") % {"step": code_label(rest) or rest.replace("_", " ")}
    if kind == "board":
        return _("Supervisory Body (%(decision)s)") % {"decision": rest}
    if kind == "public":
        return rest
    return label


@register.filter
def payload_label(key):
    """'monitoring_period' (or 'monitoring period') → 'Monitoring period'; acronyms kept."""
    words = str(key).replace("_", " ").split()
    if not words:
        return ""
    shown = [_ACRONYMS.get(w.lower(), w) for w in words]
    if shown[0] == words[0]:
        shown[0] = shown[0][:1].upper() + shown[0][1:]
    return " ".join(shown)


@register.filter
def code_words(value):
    """A value that is a state or step code reads as its label; other values as they are."""
    return code_label(value) or value
