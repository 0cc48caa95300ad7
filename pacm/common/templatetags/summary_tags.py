"""`{% subject_summary subject as summary %}`: the page summary of pacm.engine.summary (pacm issue 9)."""
from django import template

register = template.Library()


@register.simple_tag
def subject_summary(subject):
    from pacm.engine.summary import subject_summary as summary

    return summary(subject)
