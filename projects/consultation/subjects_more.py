"""The consultation's other subjects (issue 7, third round): a PoA's PoA-DD and a CDM transition
request, each registered as a subject kind beside the activity (`subjects.py`).

- A PoA (A6.4-PROC-AC-003 v03.0 paras 20-22): comments within 28 days of the PoA-DD's
  publication (the PoA machine's `gsc` timer), published where the PoA-DD is displayed; the
  participants take them into account in the PoA-DD (para 29) and the DOE determines whether they
  were taken into due account (A6.4-STAN-AC-005 para 42): answered and assessed as an activity's.
- A transition request (A6.4-PROC-AC-001 v06.0 paras 16-18): comments within 28 days of the
  request's publication (`transition_gsc`), published where the request is displayed (para 18).
  The procedure asks no answer of anyone: the participants may record one, nobody assesses it
  (docs/rules-coverage.md, gsc-poa-3).
"""
from django.urls import reverse
from django.utils.translation import gettext_noop

from .subjects import ConsultationSubject, activity_window, consultation_subject_register, panel_urls


def _poa_urls(poa):
    return panel_urls("poa-consultation-", {"reference": poa.reference})


def _poa_render(request, poa, status):
    from ..poa.views import poa_page_render

    return poa_page_render(request, poa, status=status)


def _transition_window(request_obj):
    """PROC-AC-001 v06.0 para 17: within 28 days of the request's publication (`transition_gsc`)."""
    from ..transition.cycle import TransitionState

    if request_obj.state != TransitionState.CONSULTATION or request_obj.due_at is None:
        return None
    return request_obj.published_at or request_obj.state_entered_at, request_obj.due_at


def _transition_urls(request_obj):
    return panel_urls("transition-consultation-", {"pk": request_obj.pk}, assessed=False)


def _transition_render(request, request_obj, status):
    from ..transition.views import transition_page_render

    return transition_page_render(request, request_obj, status=status)


def more_subjects_register():
    from ..poa.models import Programme
    from ..transition.models import TransitionRequest

    consultation_subject_register(ConsultationSubject(
        key="poa", model=Programme, window=activity_window, describe=lambda p: p.reference,
        url=lambda p: reverse("poa-detail", kwargs={"reference": p.reference}), event_activity=lambda p: p,
        urls=_poa_urls, render=_poa_render, rule="A6.4-PROC-AC-003 para 21",
        button=gettext_noop("Comment on this programme of activities"),
    ))
    consultation_subject_register(ConsultationSubject(
        key="transition", model=TransitionRequest, window=_transition_window, describe=lambda r: r.label,
        url=lambda r: reverse("transition-detail", kwargs={"pk": r.pk}), event_activity=lambda r: r.activity,
        urls=_transition_urls, render=_transition_render, rule="A6.4-PROC-AC-001 para 17",
        button=gettext_noop("Comment on this transition request"), assessed=False,
    ))
