"""`{% board_panel activity %}` / `{% board_panel period %}`: the Board panel of a subject's page."""
from django import template

from ..panel import panel_build

register = template.Library()


@register.inclusion_tag("board/panel.html", takes_context=True)
def board_panel(context, subject):
    request = context.get("request")
    bound = getattr(request, "board_bound", None) if request is not None else None
    user = getattr(request, "user", None)
    return {"panel": panel_build(subject=subject, user=user, bound=bound), "csrf_token": context.get("csrf_token")}
