"""The consultation's writes, declared once for any machine whose subject takes comments.

A machine puts `*consultation_actions(kind="activity", states=...)` in its actions: publishing
a confirmed comment (run as the public, no button), the participants' answer and the DOE's
assessment, each an action on one comment (`items`). Imports of models are deferred: the cycle
tables import this module before the apps are ready.
"""
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A
from pacm.parties.roles import Role


def _comments(kind, handling):
    def items(subject):
        from .models import Comment

        return list(Comment.objects.filter(subject_kind=kind, subject_id=subject.pk, status=Comment.Status.PUBLISHED,
                                           handling=handling).order_by("number"))

    return items


def _handling_is(handling):
    return lambda comment, actor: comment.status == "published" and comment.handling == handling


def _waiting(kind, handling):
    def q():
        from django.db.models import Exists, OuterRef, Q

        from .models import Comment

        return Q(Exists(Comment.objects.filter(subject_kind=kind, subject_id=OuterRef("pk"), status="published",
                                               handling=handling)))

    return q


def consultation_actions(*, kind, states, assessed=True, refusal=None):
    """The actions of a subject that takes comments; `states`: where answers and assessments are
    taken (for an activity, the consultation and validation: PROC-AC-002 v03.0 para 27,
    STAN-AC-003 para 90). `assessed=False` (a CDM transition request, PROC-AC-001 v06.0 paras
    16-18, which ask no answer): the participants may answer, nobody waits for it, no DOE assesses."""
    refusal = refusal or _("Comments are answered and assessed only during the consultation and the validation.")
    if not assessed:
        return (
            A("publish_comment", None, {Role.PUBLIC}, _("Publish a confirmed comment"), internal=True,
              refusal=_("This consultation's subject is closed: the comment can no longer be published.")),
            A("answer_comment", states, {Role.PARTICIPANT}, _("Answer the comment"), refusal=refusal,
              items=_comments(kind, "answer_due"), item_ok=_handling_is("answer_due")),
        )
    return (
        # PROC-AC-002 v03.0 para 21: a confirmed comment is published; it counts when it was
        # submitted within the window (docs/rules-coverage.md, reading gsc-2), so any open state.
        A("publish_comment", None, {Role.PUBLIC}, _("Publish a confirmed comment"), internal=True,
          refusal=_("This consultation's subject is closed: the comment can no longer be published.")),
        # STAN-AC-002 para 92: the participants say how each comment was taken into account.
        A("answer_comment", states, {Role.PARTICIPANT}, _("Answer the comment"), refusal=refusal,
          items=_comments(kind, "answer_due"), item_ok=_handling_is("answer_due"), pending=True,
          waiting=_waiting(kind, "answer_due")),
        # STAN-AC-003 para 90: the DOE determines whether it was taken into due account.
        A("assess_comment", states, {Role.DOE}, _("Assess how the comment was taken into account"), refusal=refusal,
          items=_comments(kind, "assessment_due"), item_ok=_handling_is("assessment_due"), pending=True,
          waiting=_waiting(kind, "assessment_due")),
    )


def comments_taken_into_account(kind, subject):
    """None when every published comment of `subject` is taken into due account (the DOE's
    assessment, STAN-AC-003 para 90); otherwise the message that says how many wait."""
    from django.utils.translation import ngettext

    from .models import Comment

    waiting = (Comment.objects.filter(subject_kind=kind, subject_id=subject.pk, status="published")
               .exclude(handling="taken").count())
    if not waiting:
        return None
    return ngettext(
        "%(count)s stakeholder comment is not yet assessed by the DOE as taken into due account (A6.4-STAN-AC-003 para 90).",
        "%(count)s stakeholder comments are not yet assessed by the DOE as taken into due account (A6.4-STAN-AC-003 para 90).",
        waiting,
    ) % {"count": waiting}
