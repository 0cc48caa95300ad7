from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..selectors import dashboard_queue, public_activities


def home(request):
    return render(request, "projects/home.html", {"activities": public_activities()[:50]})


@login_required
def dashboard(request):
    activities, periods = dashboard_queue(request.user)
    return render(request, "projects/dashboard.html", {"activities": activities, "periods": periods})
