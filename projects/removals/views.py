"""Pages of the removals standard: the termination of post-crediting monitoring (para 28) and the
buffer pool's stress tests (paras 60-61). Every post goes through the service, which checks the
same declaration again."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pacm.common.errors import Refused
from pacm.common.paging import page_get
from pacm.engine.offers import available_actions
from pacm.parties.roles import Role, actor_for_role

from ..reversals.forms import write_form
from ..reversals.views import _pressable
from ..views.activity_page import activity_get_or_404, activity_page_render, activity_url, form_run, form_submit
from . import services
from .forms import StressTestForm, TerminationRequestForm
from .machine import TERMINATION
from .models import MonitoringTermination, StressTest
from .stress import GROUPS, stress_test_run

PER_PAGE = 20


@require_POST
@login_required
def termination_request(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    available_actions(request.user, activity).require("request_monitoring_termination",
                                                      _("ask to end post-crediting monitoring"))
    form = TerminationRequestForm(request.POST, request.FILES, prefix="termination")
    return form_submit(
        request, activity=activity, key="termination", form=form, anchor="post-crediting",
        call=lambda data: services.termination_request(activity=activity, user=request.user, **data),
        success=_("Request sent: the Supervisory Body decides whether post-crediting monitoring may end "
                  "(A6.4-STAN-METH-002 para 28)."),
    )


@require_POST
@login_required
def termination_write(request, reference, number, name):
    spec = _pressable(TERMINATION, name)
    activity = activity_get_or_404(user=request.user, reference=reference)
    termination = MonitoringTermination.objects.select_related("activity").filter(activity=activity,
                                                                                 number=number).first()
    if termination is None:
        raise Http404(_("There is no such request."))
    available_actions(request.user, termination).require(name, spec.label.lower())
    form = write_form(spec, termination, request.POST)
    return form_run(
        request, form=form,
        call=lambda data: TERMINATION.call(name, termination, user=request.user, **form.service_kwargs()),
        success=_("%(write)s: done.") % {"write": spec.label}, done_url=activity_url(activity, "post-crediting"),
        show_again=lambda: activity_page_render(request, activity,
                                                bound={f"termination-{termination.number}-{name}": form}),
    )


def _overseer(user):
    """The secretariat or an SB member (para 60), or a 403."""
    if not (actor_for_role(user, Role.SECRETARIAT) or actor_for_role(user, Role.SB)):
        raise Refused(_("Only the secretariat and the Supervisory Body see the buffer's stress tests."),
                      code="not_permitted", params={"what": "stress_tests"})


@login_required
def stress_tests(request):
    """The tests run so far (newest first) and the form that runs the next one."""
    _overseer(request.user)
    form = StressTestForm(request.POST or None, prefix="stress")

    def page(status=200):
        latest = StressTest.objects.order_by("-id").first()
        return render(request, "removals/stress_tests.html", {
            "form": form, "latest": latest,
            "page": page_get(request, StressTest.objects.select_related("rule_set").order_by("-id"), per_page=PER_PAGE),
            # The form is the "run the stress test" the engine offers on the latest test (or the first).
            "may_run": latest is None or available_actions(request.user, latest).has("run_stress_test"),
        }, status=status)

    if request.method != "POST":
        return page()
    return form_run(
        request, form=form, call=lambda data: stress_test_run(user=request.user, parameters=form.parameters()),
        success=_("Stress test recorded: the newest in the list."), done_url=reverse("stress-tests"),
        show_again=lambda: page(status=400),
    )


@require_GET
@login_required
def stress_test_detail(request, pk):
    _overseer(request.user)
    test = StressTest.objects.select_related("rule_set").filter(pk=pk).first()
    if test is None:
        raise Http404(_("No such stress test."))
    scenarios = [
        {**s, "rows": [(g, s["loss"][g], test.results["pool"][g], s["covered"][g], s["shortfall"][g],
                        s["coverage_percent"][g]) for g in GROUPS]}
        for s in test.results["scenarios"]
    ]
    return render(request, "removals/stress_test_detail.html", {"test": test, "scenarios": scenarios})
