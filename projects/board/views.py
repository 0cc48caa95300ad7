"""The Board panel's write views: record a meeting decision, open an electronic one, vote.

Each calls one service of projects.board.services and goes back to the subject's page; bad
input shows the page again with the panel's form bound (request.board_bound, read by the
panel's template tag), a refusal is the middleware's 403 page.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused
from pacm.parties.roles import Role, user_roles

from ..models import Activity
from ..views.activity_page import activity_get_or_404, activity_page_render, activity_url, form_run
from ..views.period_page import period_get_or_404, period_page_render, period_url
from .forms import ElectronicDecisionForm, MeetingDecisionForm, VoteForm
from .models import Decision
from .pages import page_of
from .services import board_decision_open_electronic, board_decision_record_meeting, board_vote_cast
from .subjects import subject_kind_of

ANCHOR = "board"


def _later(subject):
    """The page functions of a later subject kind (pages.py), or None for an activity or a period."""
    kind = subject_kind_of(subject)
    return None if kind.key in ("activity", "period") else page_of(kind.key)


def _page(request, subject):
    later = _later(subject)
    if later is not None:
        return later[1](request, subject)
    if isinstance(subject, Activity):
        return activity_page_render(request, subject)
    return period_page_render(request, subject)


def _url(subject):
    later = _later(subject)
    if later is not None:
        return later[2](subject)
    return activity_url(subject, ANCHOR) if isinstance(subject, Activity) else period_url(subject, ANCHOR)


def _run(request, subject, *, key, form, call, success):
    def show_again():
        request.board_bound = {key: form}
        return _page(request, subject)

    return form_run(request, form=form, call=call, success=success, done_url=_url(subject), show_again=show_again)


def _proposals(request, subject, refusal):
    """Refused (403) before any input is read when the panel would not offer this form."""
    if Role.SECRETARIAT not in user_roles(request.user):
        raise Refused(refusal, code="only_secretariat")
    proposals = subject_kind_of(subject).proposals(subject)
    if not proposals:
        raise Refused(_("The Board has nothing to decide on %(subject)s now.") % {
            "subject": subject_kind_of(subject).describe(subject)}, code="board_has_nothing_decide")
    return proposals


def _record(request, subject):
    proposals = _proposals(request, subject, _("Only the secretariat may record a decision of the Board."))
    form = MeetingDecisionForm(request.POST, proposals=proposals, prefix="board-meeting")
    return _run(
        request, subject, key="meeting", form=form, success="Board decision recorded.",
        call=lambda data: board_decision_record_meeting(subject=subject, user=request.user, **data),
    )


def _open(request, subject):
    proposals = _proposals(request, subject, _("Only the secretariat may open an electronic decision of the Board."))
    form = ElectronicDecisionForm(request.POST, proposals=proposals, prefix="board-open")
    return _run(
        request, subject, key="open", form=form, success="Electronic decision opened: members may vote now.",
        call=lambda data: board_decision_open_electronic(subject=subject, user=request.user, **data),
    )


@require_POST
@login_required
def activity_board_record(request, reference):
    return _record(request, activity_get_or_404(user=request.user, reference=reference))


@require_POST
@login_required
def activity_board_open(request, reference):
    return _open(request, activity_get_or_404(user=request.user, reference=reference))


@require_POST
@login_required
def period_board_record(request, reference, number):
    return _record(request, period_get_or_404(user=request.user, reference=reference, number=number))


@require_POST
@login_required
def period_board_open(request, reference, number):
    return _open(request, period_get_or_404(user=request.user, reference=reference, number=number))


def _subject_get(request, kind, pk):
    """A later kind's subject, as its page finds it for this user (404 when hidden)."""
    return page_of(kind)[0](request.user, pk)


@require_POST
@login_required
def subject_board_record(request, kind, pk):
    return _record(request, _subject_get(request, kind, pk))


@require_POST
@login_required
def subject_board_open(request, kind, pk):
    return _open(request, _subject_get(request, kind, pk))


@require_POST
@login_required
def board_vote(request, pk):
    decision = Decision.objects.filter(pk=pk).first()
    if decision is None:
        raise Http404(_("No such Board decision."))
    subject = decision.subject
    # The same visibility as the subject's page: a hidden activity stays hidden.
    if decision.subject_kind not in ("activity", "period"):
        subject = _subject_get(request, decision.subject_kind, subject.pk)
    elif isinstance(subject, Activity):
        subject = activity_get_or_404(user=request.user, reference=subject.reference)
    else:
        subject = period_get_or_404(user=request.user, reference=subject.activity.reference, number=subject.number)
    form = VoteForm(request.POST, prefix="board-vote")
    return _run(
        request, subject, key="vote", form=form, success="Your vote is recorded.",
        call=lambda data: board_vote_cast(decision=decision, user=request.user, choice=data["choice"]),
    )
