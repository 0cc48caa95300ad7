"""What a consultation is on: one entry per kind of subject, as the engine's machine registry.

A subject kind names its model, the machine its answers and assessments are declared on (the
rows `declarations.consultation_actions` returns, put in the machine's actions), and
`window(obj)`: the (opens, closes) of the consultation open on it now, or None. The activity is
the first; a PoA or a CDM transition request registers its own kind (`consultation_subject_register`)
and puts `consultation_actions(...)` in its machine: the models, services, views and panel need
no change.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from pacm.common.errors import ServiceError


@dataclass(frozen=True)
class ConsultationSubject:
    key: str
    model: type
    # (obj) -> (opens_at, closes_at) of the consultation open on it, or None when there is none.
    window: Callable
    # (obj) -> what people read: "A64-000012".
    describe: Callable
    # (obj) -> the public page the comments are published on.
    url: Callable
    # (obj) -> the activity whose event stream records the comment's events, or None.
    event_activity: Callable = lambda obj: None
    # (obj) -> the panel's form actions: {"comment": url, "answer": (comment) -> url, "assess": ...}.
    urls: Callable = None
    # (request, obj, status) -> the subject's page, shown again with a bound form.
    render: Callable = None
    # The paragraph that opens the consultation, as the page and the refusals cite it.
    rule: str = "A6.4-PROC-AC-002 para 20"
    # The comment form's button: what is commented on.
    button: str = "Comment on this activity"
    # Whether the DOE assesses the participants' answers (an activity's and a PoA's validation);
    # a transition request's answers are recorded, not assessed (reading gsc-poa-3).
    assessed: bool = True

    def get(self, pk):
        obj = self.model.objects.filter(pk=pk).first()
        if obj is None:
            raise ServiceError(_("No such consultation."), code="no_such_consultation")
        return obj


SUBJECTS = {}


def consultation_subject_register(kind):
    SUBJECTS[kind.key] = kind
    return kind


def subject_kind_of(obj):
    # A proxy with its own subject kind (a PoA is an Activity row) is found before its parent's.
    for kind in SUBJECTS.values():
        if type(obj) is kind.model:
            return kind
    for kind in SUBJECTS.values():
        if isinstance(obj, kind.model):
            return kind
    raise ServiceError(_("Nobody comments on this kind of record."), code="no_consultation_kind")


def activity_window(activity):
    """PROC-AC-002 v03.0 para 20 (and PROC-AC-003 v03.0 para 21 for a PoA, an Activity row too):
    comments within 28 days (RuleSet.gsc_days, the `gsc` timer of publish_for_consultation) of the
    design document's publication: open while the activity is in consultation and its due date has
    not passed (the timer pass may close it a minute later)."""
    from ..cycle import ActivityState

    if activity.state != ActivityState.CONSULTATION or activity.due_at is None:
        return None
    return activity.state_entered_at, activity.due_at


def panel_urls(prefix, kwargs, *, assessed=True):
    """The panel's form actions of a subject whose routes are named `<prefix>comment`,
    `<prefix>answer` and `<prefix>assess` (None: its answers are not assessed)."""
    from django.urls import reverse

    def numbered(name):
        return lambda c: reverse(prefix + name, kwargs={**kwargs, "number": c.number})

    return {"comment": reverse(prefix + "comment", kwargs=kwargs), "answer": numbered("answer"),
            "assess": numbered("assess") if assessed else None}


def _activity_urls(activity):
    return panel_urls("consultation-", {"reference": activity.reference})


def _activity_render(request, activity, status):
    from ..views.activity_page import activity_page_render

    return activity_page_render(request, activity, status=status)


def subjects_register():
    from django.urls import reverse

    from ..models import Activity

    consultation_subject_register(ConsultationSubject(
        key="activity", model=Activity, window=activity_window, describe=lambda a: a.reference,
        url=lambda a: reverse("activity-detail", kwargs={"reference": a.reference}), event_activity=lambda a: a,
        urls=_activity_urls, render=_activity_render,
    ))
    from .subjects_more import more_subjects_register

    more_subjects_register()
