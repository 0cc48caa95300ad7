"""`/api/v1/` (the NinjaAPI and its docs) and the page where a person manages their tokens."""
from django.urls import path

from . import views
from .api import api

api_urlpatterns = [
    path("api/v1/", api.urls),
    path("account/tokens/", views.tokens_page, name="api-tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="api-token-revoke"),
]
