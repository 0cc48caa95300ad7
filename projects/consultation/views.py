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

from ..views.activity_page import activity_get_or_404, activity_page_render, activity_url, form_run
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
    return activity_page_render(request, subject, status=status)


def _run(request, subject, *, key, form, call, success):
    """`form_run` on the subject's page: the service once, bad input shown on the page again."""
    return form_run(request, form=form, call=call, success=success, done_url=activity_url(subject, ANCHOR),
                    show_again=lambda: _page(request, subject, {key: form}, 200))


def _limited(request, subject, form, error):
    """Too many comments: the page again with the message on the form, as a 429 with Retry-After."""
    form.add_error(None, error.message)
    response = _page(request, subject, {"comment": form}, 429)
    response["Retry-After"] = str(error.retry_after)
    return response


def _client_ip(request):
    return request.META.get("REMOTE_ADDR", "")


@require_POST
def activity_comment(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    window_require(activity)  # refused (403) with the dates before any input is read
    form = CommentForm(request.POST, prefix="gsc")
    thanks = _("Thank you. We sent a link to your e-mail address: your comment is published once you follow it.")
    if form.is_valid():
        if form.is_robot:
            messages.success(request, thanks)  # the honeypot: a robot is told what a person is, nothing is kept
            return redirect(activity_url(activity, ANCHOR))
        try:
            rate_require(ip=_client_ip(request), email=form.cleaned_data["email"])
        except RateLimited as error:
            return _limited(request, activity, form, error)
    return _run(
        request, activity, key="comment", form=form, success=thanks,
        call=lambda data: comment_submit(subject=activity, author_name=data["author_name"],
                                         organisation=data["organisation"], email=data["email"], text=data["text"],
                                         ip=_client_ip(request), user=request.user),
    )


def _published(activity, number):
    kind = subject_kind_of(activity)
    comment = Comment.objects.filter(subject_kind=kind.key, subject_id=activity.pk, number=number,
                                     status=Comment.Status.PUBLISHED).first()
    if comment is None:
        raise Http404("No such comment.")
    return comment


def _reply_view(request, reference, number, *, write, what, form_class, call, success):
    activity = activity_get_or_404(user=request.user, reference=reference)
    comment = _published(activity, number)
    available_actions(request.user, activity).require(write, what, item=comment)
    key = comment_prefix(write.split("_")[0], comment)
    form = form_class(request.POST, prefix=key)
    return _run(request, activity, key=key, form=form, success=success,
                call=lambda data: call(comment=comment, user=request.user, **data))


@require_POST
def activity_comment_answer(request, reference, number):
    return _reply_view(request, reference, number, write="answer_comment", what=_("answer this comment"),
                       form_class=AnswerForm, call=comment_answer, success=_("Answer recorded."))


@require_POST
def activity_comment_assess(request, reference, number):
    return _reply_view(request, reference, number, write="assess_comment", what=_("assess this comment"),
                       form_class=AssessmentForm, call=comment_assess, success=_("Assessment recorded."))


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
