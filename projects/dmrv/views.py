"""The readings on the monitoring report form, and its "compute the claims" prefill (pacm issue 9).

The form page (projects.views.monitoring.period_submit) shows the readings of the period being
drafted a page at a time; `?compute=1&start=&end=` prefills the claims per vintage computed from
them (dmrv.compute). Nothing is saved here: the participants still check and submit the form."""
import datetime

from .selectors import claims_computed, next_period_number, readings_page


def _date(value):
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def readings_context(request, activity, *, start_default):
    """{"number", "readings", "computed", "claim_rows", "form_initial", "compute_start", "compute_end", "compute_error"}."""
    number = next_period_number(activity)
    context = {"number": number, "readings": readings_page(request, activity, number), "computed": None,
               "claim_rows": None, "form_initial": {}, "compute_start": start_default, "compute_end": None,
               "compute_error": None}
    if request.method == "GET" and request.GET.get("compute"):
        start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
        if start is None or end is None or end < start:
            context["compute_error"] = "Give the period's start and end (end on or after start) to compute the claims."
            return context
        computed = claims_computed(activity, number, start=start, end=end)
        context.update(computed=computed, compute_start=start, compute_end=end,
                       claim_rows=[{"vintage": v, "quantity": q} for v, q in computed.items()] or None,
                       form_initial={"start": start, "end": end})
    return context
