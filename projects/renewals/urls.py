from django.urls import path

from . import views

urlpatterns = [
    path("renewals/<int:pk>/", views.renewal_detail, name="renewal-detail"),
    path("renewals/<int:pk>/do/<str:name>/", views.renewal_act, name="renewal-act"),
    path("renewals/open/<str:kind>/<str:reference>/", views.renewal_open, name="renewal-open"),
]
