from django.urls import path

from . import views

urlpatterns = [
    path("transitions/", views.transition_list, name="transition-list"),
    path("transitions/new/", views.transition_create, name="transition-create"),
    path("transitions/<int:pk>/", views.transition_detail, name="transition-detail"),
    path("transitions/<int:pk>/do/<str:name>/", views.transition_act, name="transition-act"),
]
