"""The buffer pool's stress tests (A6.4-STAN-METH-002 v01.0 paras 60-61; issue 10): the secretariat
runs them, the SB oversees them; no one else opens these pages (deny by default)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pacm.common.errors import Refused, ServiceError
from pacm.common.forms import form_add_service_error
from pacm.common.paging import page_get
from pacm.common.submission import submit_once
from pacm.engine.offers import available_actions
from pacm.parties.roles import Role, actor_for_role

from ..forms import StressTestForm
from ..models import StressTest
from ..services.stress_test import GROUPS, stress_test_run

PER_PAGE = 20


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
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = submit_once(
                    request, form=form,
                    call=lambda: stress_test_run(user=request.user, parameters=form.parameters()),
                    done=lambda test: (reverse("stress-test-detail", kwargs={"pk": test.pk}),
                                       _("Stress test %(number)s recorded.") % {"number": test.pk}),
                )
            except Refused:
                raise
            except ServiceError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, outcome.message)
                return redirect(outcome.url)
        messages.error(request, _("Nothing was saved: see the message on the form below."))
    page = page_get(request, StressTest.objects.select_related("rule_set").order_by("-id"), per_page=PER_PAGE)
    latest = page.object_list[0] if page.number == 1 and page.object_list else None
    return render(request, "projects/stress_tests.html", {
        "form": form, "page": page, "latest": latest,
        # The form is the "run the stress test" the engine offers on the latest test (or the first).
        "may_run": latest is None or available_actions(request.user, latest).has("run_stress_test"),
    }, status=400 if request.method == "POST" else 200)


@require_GET
@login_required
def stress_test_detail(request, pk):
    _overseer(request.user)
    test = StressTest.objects.select_related("rule_set").filter(pk=pk).first()
    if test is None:
        raise Http404("No such stress test.")
    scenarios = [
        {**s, "rows": [(g, s["loss"][g], test.results["pool"][g], s["covered"][g], s["shortfall"][g],
                        s["coverage_percent"][g]) for g in GROUPS]}
        for s in test.results["scenarios"]
    ]
    return render(request, "projects/stress_test_detail.html", {"test": test, "scenarios": scenarios})
