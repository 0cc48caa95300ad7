"""The consultation's views: comment (anyone, while the consultation is open), confirm the
e-mail address (the signed link), answer (the participants) and assess (the DOE) a comment.

Bad input shows the subject's page again with the form bound (request.consultation_bound, read
by the panel's template tag); a refusal is the middleware's 403 page; too many comments a 429.
"""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions

from ..views.activity_page import activity_get_or_404, form_run
from .forms import AnswerForm, AssessmentForm, CommentForm
from .models import Comment
from .panel import comment_prefix
from .services import (
    RateLimited,
    comment_answer,
    comment_assess,
    comment_confirm,
    comment_from_token,
    comment_submit,
    rate_require,
    window_require,
)
from .subjects import SUBJECTS, subject_kind_of

ANCHOR = "consultation"
TOKEN_MAX = 400  # a real token is about 80 characters


def _page(request, subject, bound, status):
    request.consultation_bound = bound
    return subject_kind_of(subject).render(request, subject, status)


def _url(subject):
    return f"{subject_kind_of(subject).url(subject)}#{ANCHOR}"


def _run(request, subject, *, key, form, call, success):
    """`form_run` on the subject's page: the service once, bad input shown on the page again."""
    return form_run(request, form=form, call=call, success=success, done_url=_url(subject),
                    show_again=lambda: _page(request, subject, {key: form}, 200))


def _limited(request, subject, form, error):
    """Too many comments: the page again with the message on the form, as a 429 with Retry-After."""
    form.add_error(None, error.message)
    response = _page(request, subject, {"comment": form}, 429)
    response["Retry-After"] = str(error.retry_after)
    return response


def _client_ip(request):
    return request.META.get("REMOTE_ADDR", "")


def comment_view(request, subject):
    """The comment form's post, for any subject kind."""
    window_require(subject)  # refused (403) with the dates before any input is read
    form = CommentForm(request.POST, prefix="gsc")
    thanks = _("Thank you. We sent a link to your e-mail address: your comment is published once you follow it.")
    if form.is_valid():
        if form.is_robot:
            messages.success(request, thanks)  # the honeypot: a robot is told what a person is, nothing is kept
            return redirect(_url(subject))
        try:
            rate_require(ip=_client_ip(request), email=form.cleaned_data["email"])
        except RateLimited as error:
            return _limited(request, subject, form, error)
    return _run(
        request, subject, key="comment", form=form, success=thanks,
        call=lambda data: comment_submit(subject=subject, author_name=data["author_name"],
                                         organisation=data["organisation"], email=data["email"], text=data["text"],
                                         ip=_client_ip(request), user=request.user),
    )


def _published(subject, number):
    kind = subject_kind_of(subject)
    comment = Comment.objects.filter(subject_kind=kind.key, subject_id=subject.pk, number=number,
                                     status=Comment.Status.PUBLISHED).first()
    if comment is None:
        raise Http404(_("No such comment."))
    return comment


def reply_view(request, subject, number, *, write, what, form_class, call, success):
    """An answer's or an assessment's post, for any subject kind."""
    comment = _published(subject, number)
    available_actions(request.user, subject).require(write, what, item=comment)
    key = comment_prefix(write.split("_")[0], comment)
    form = form_class(request.POST, prefix=key)
    return _run(request, subject, key=key, form=form, success=success,
                call=lambda data: call(comment=comment, user=request.user, **data))


ANSWER = {"write": "answer_comment", "form_class": AnswerForm, "call": comment_answer}
ASSESS = {"write": "assess_comment", "form_class": AssessmentForm, "call": comment_assess}


# The activity's routes: resolve the activity as its page does (a hidden one is a 404).
@require_POST
def activity_comment(request, reference):
    return comment_view(request, activity_get_or_404(user=request.user, reference=reference))


@require_POST
def activity_comment_answer(request, reference, number):
    return reply_view(request, activity_get_or_404(user=request.user, reference=reference), number, **ANSWER,
                      what=_("answer this comment"), success=_("Answer recorded."))


@require_POST
def activity_comment_assess(request, reference, number):
    return reply_view(request, activity_get_or_404(user=request.user, reference=reference), number, **ASSESS,
                      what=_("assess this comment"), success=_("Assessment recorded."))


@require_http_methods(["GET", "POST"])
def comment_confirm_page(request, token):
    """GET shows the comment and a button (mail scanners follow links: a GET publishes nothing);
    POST publishes it. A bad or expired link is a 404 page that says so."""
    if len(token) > TOKEN_MAX:
        raise Http404(_("This confirmation link is not valid."))
    try:
        comment = comment_from_token(token)
    except ServiceError as error:
        return render(request, "consultation/confirm.html", {"problem": error.message}, status=404)
    kind = SUBJECTS[comment.subject_kind]
    subject = kind.get(comment.subject_id)
    if request.method == "POST":
        try:
            comment = comment_confirm(token=token)
        except Refused as error:
            return render(request, "consultation/confirm.html", {"problem": error.message}, status=403)
        except ServiceError as error:
            return render(request, "consultation/confirm.html", {"problem": error.message}, status=400)
        messages.success(request, _("Your comment is published as comment %(number)s.") % {"number": comment.number})
        return redirect(f"{kind.url(subject)}#{ANCHOR}")
    return render(request, "consultation/confirm.html",
                  {"comment": comment, "subject_label": kind.describe(subject), "subject_url": kind.url(subject)})


# The PoA's routes (A6.4-PROC-AC-003 v03.0 paras 21-22, 29; STAN-AC-005 para 42): the PoA page's
# own lookup (a PoA hidden from this user is a 404).
def _poa(request, reference):
    from ..poa.views import _poa_or_404

    return _poa_or_404(request.user, reference)


@require_POST
def poa_comment(request, reference):
    return comment_view(request, _poa(request, reference))


@require_POST
def poa_comment_answer(request, reference, number):
    return reply_view(request, _poa(request, reference), number, **ANSWER, what=_("answer this comment"),
                      success=_("Answer recorded."))


@require_POST
def poa_comment_assess(request, reference, number):
    return reply_view(request, _poa(request, reference), number, **ASSESS, what=_("assess this comment"),
                      success=_("Assessment recorded."))


# The transition request's routes (A6.4-PROC-AC-001 v06.0 paras 17-18): its page's lookup (the
# public sees a request once it is published).
def _transition(request, pk):
    from ..transition.views import request_get_or_404

    return request_get_or_404(user=request.user, pk=pk)


@require_POST
def transition_comment(request, pk):
    return comment_view(request, _transition(request, pk))


@require_POST
def transition_comment_answer(request, pk, number):
    return reply_view(request, _transition(request, pk), number, **ANSWER, what=_("answer this comment"),
                      success=_("Answer recorded."))
