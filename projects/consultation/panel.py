"""What the consultation panel of a subject's page shows (projects.consultation).

Everyone reads the published comments (name and organisation, never the e-mail address), a
page at a time, each with the participants' answers and the DOE's assessments; anyone may
comment while the consultation is open; the participants and the DOE get the forms
`available_actions` offers them, one per comment.
"""
from django.db.models import Prefetch
from django.utils import timezone

from pacm.common.paging import page_get
from pacm.engine.offers import available_actions

from .forms import AnswerForm, AssessmentForm, CommentForm
from .models import Comment, CommentReply
from .subjects import subject_kind_of

COMMENTS_PAGE = 20
PAGE_PARAM = "comments"


def comment_prefix(write, comment):
    return f"{write}-{comment.number}"


def published_comments(subject):
    kind = subject_kind_of(subject)
    replies = CommentReply.objects.select_related("organisation").order_by("created_at", "pk")
    return (Comment.objects.filter(subject_kind=kind.key, subject_id=subject.pk, status=Comment.Status.PUBLISHED)
            .order_by("number").prefetch_related(Prefetch("replies", queryset=replies)))


def panel_build(*, request, subject, offers=None, bound=None):
    """The panel's context, or None when the subject has had no consultation to show."""
    bound = bound or {}
    kind = subject_kind_of(subject)
    window = kind.window(subject)
    is_open = window is not None and timezone.now() < window[1]
    page = page_get(request, published_comments(subject), param=PAGE_PARAM, per_page=COMMENTS_PAGE)
    if not is_open and not page.paginator.count:
        return None
    offers = offers if offers is not None else available_actions(request.user, subject)
    answerable = {c.pk for c in offers.items("answer_comment")}
    assessable = {c.pk for c in offers.items("assess_comment")}
    urls = kind.urls(subject)
    rows = []
    for comment in page:
        row = {"comment": comment, "replies": list(comment.replies.all()), "answer": None, "assess": None}
        if comment.pk in answerable:
            key = comment_prefix("answer", comment)
            row["answer"], row["answer_url"] = bound.get(key) or AnswerForm(prefix=key), urls["answer"](comment)
        if comment.pk in assessable:
            key = comment_prefix("assess", comment)
            row["assess"], row["assess_url"] = bound.get(key) or AssessmentForm(prefix=key), urls["assess"](comment)
        rows.append(row)
    return {
        "subject": subject,
        "window": window,
        "open": is_open,
        "form": (bound.get("comment") or CommentForm(prefix="gsc")) if is_open else None,
        "comment_url": urls["comment"],
        "rule": kind.rule,
        "button": kind.button,
        "page": page,
        "rows": rows,
    }
