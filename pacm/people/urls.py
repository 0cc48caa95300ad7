from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .reset import RateLimitedPasswordResetView

# Password reset: Django's views with pacm's templates. The same page answers for an address
# that has no login (no enumeration), rate limited per address and per client (pacm.people.reset); the link is Django's signed, single-use, time-limited token.
password_reset = [
    path("accounts/password-reset/", RateLimitedPasswordResetView.as_view(
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt"), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = password_reset + [
    path("account/", views.account, name="account"),
    path("account/notifications/", views.account_notifications, name="account-notifications"),
    path("account/organisations/<int:pk>/", views.organisation_people, name="organisation-people"),
    path("account/organisations/<int:pk>/invite/", views.organisation_invite, name="organisation-invite"),
    path("account/organisations/<int:pk>/members/<int:user_pk>/<str:write>/", views.organisation_member_write,
         name="organisation-member-write"),
    path("account/organisations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
         views.organisation_invitation_revoke, name="organisation-invitation-revoke"),
    path("account/invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
