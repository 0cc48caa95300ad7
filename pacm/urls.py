from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pacm.api.urls import api_urlpatterns
from pacm.people.language import language_set

# A database briefly away answers 503 with a clear message (pacm.common.views.server_error).
handler500 = "pacm.common.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The header's language switch (pacm issue 9): Django's set_language, and the signed-in person's profile.
    path("i18n/setlang/", language_set, name="set_language"),
    path("registry/", include("pacm.registry.urls")),
    path("", include("projects.board.urls")),
    path("", include("projects.consultation.urls")),
    path("", include("projects.transition.urls")),
    path("", include("projects.poa.urls")),
    path("", include("projects.reversals.urls")),
    path("", include("projects.certificates.urls")),
    path("", include("projects.renewals.urls")),
    path("", include("projects.removals.urls")),
    path("", include("projects.dmrv.urls")),
    path("notifications/", include("pacm.notifications.urls")),
    path("", include("projects.exports.urls")),  # pacm issue 9: exports and the AEF
    path("", include("pacm.people.urls")),
    path("", include("projects.urls")),
    *api_urlpatterns,
]
