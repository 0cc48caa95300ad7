from django.urls import path

from . import views

ACTIVITY = "activities/<str:reference>/post-crediting/"

urlpatterns = [
    # A6.4-STAN-METH-002 v01.0 para 28: ending post-crediting monitoring.
    path(ACTIVITY + "request/", views.termination_request, name="termination-request"),
    path(ACTIVITY + "<int:number>/do/<str:name>/", views.termination_write, name="termination-write"),
    # Paras 60-61: the buffer pool's stress tests.
    path("buffer/stress-tests/", views.stress_tests, name="stress-tests"),
    path("buffer/stress-tests/<int:pk>/", views.stress_test_detail, name="stress-test-detail"),
]
