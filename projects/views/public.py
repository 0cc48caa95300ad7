"""Pages anyone may open: the public registry of activities, and the dashboard once logged in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from pacm.common.paging import uncounted_page
from pacm.parties.roles import ORG_KIND_ROLE, Role, user_kinds

from .. import selectors

DASHBOARD_PAGE = 25


def home(request):
    """The public registry: activities published for consultation and beyond."""
    # pacm issue 9: filtered (public_filters.ActivityFilter), newest or oldest first by key, paged by key.
    from pacm.common.paging import KeysetPage, keyset_page

    from ..public_filters import ActivityFilter

    form = ActivityFilter(request.GET)
    page = KeysetPage()
    if form.is_valid():
        activities = form.queryset(selectors.public_activities().select_related("host_party"))
        page = keyset_page(request, activities.order_by(), param="after", per_page=25, descending=form.descending)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    return render(request, "projects/home.html", {"page": page, "activities": page, "q": query, "form": form,
                                                  "filtered": form.is_valid() and form.active})


@login_required
def dashboard(request):
    """What waits for this user, with the days left, and the activities they are tied to."""
    kinds = user_kinds(request.user)  # one query: the ties the lists below can hold (issue 8)
    activities, periods = selectors.dashboard_queue(request.user, kinds=kinds)
    roles = frozenset(ORG_KIND_ROLE[kind] for kind in kinds)
    # pacm issue 8: every list a page at a time, in the order it is shown.
    # The queues are read a page at a time without a COUNT: the badge says "25+" past a page.
    activities = uncounted_page(request, activities, param="queue", per_page=DASHBOARD_PAGE)
    periods = uncounted_page(request, periods, param="periods", per_page=DASHBOARD_PAGE)
    # A6.4-STAN-METH-002 v01.0 paras 21-25, 43-58: observed events and report due dates that wait.
    from ..reversals.selectors import dashboard_queue as reversal_queue

    events, dues = reversal_queue(request.user)
    events = uncounted_page(request, events, param="events", per_page=DASHBOARD_PAGE)
    dues = uncounted_page(request, dues, param="dues", per_page=DASHBOARD_PAGE)
    queues = (activities, periods, events, dues)
    context = {
        "activities": activities,
        "periods": periods,
        "observed_events": events,
        "report_dues": dues,
        "queue_count": sum(len(queue) for queue in queues),
        "queue_more": any(queue.more for queue in queues),
        "is_participant": Role.PARTICIPANT in roles,
        "user_kinds": kinds,  # read once: the renewals queue's tag uses them too
        "has_activities": bool(roles & {Role.PARTICIPANT, Role.DOE, Role.DNA}),
    }
    if context["has_activities"]:
        context["my_activities"] = uncounted_page(
            request, selectors.activities_of_user(request.user, kinds=kinds), param="mine", per_page=DASHBOARD_PAGE
        )
    if request.user.is_authenticated:
        from ..transition.selectors import transition_requests_waiting

        context["transition_requests"] = uncounted_page(
            request, transition_requests_waiting(request.user), param="transitions", per_page=DASHBOARD_PAGE
        )
    if Role.SECRETARIAT in roles:
        context["fees_due"] = uncounted_page(request, selectors.fees_due(), param="fees", per_page=DASHBOARD_PAGE)
    return render(request, "projects/dashboard.html", context)
