from django.urls import path

from . import views

urlpatterns = [
    path("certificates/<slug:kind>/<int:subject_id>/", views.certificate_pdf, name="certificate-pdf"),
    path("verify/<str:code>/", views.certificate_verify, name="certificate-verify"),
]
