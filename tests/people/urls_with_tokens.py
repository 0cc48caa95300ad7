"""pacm's URLs plus a stand-in for the api-v1 branch's tokens page (named `api-tokens`)."""
from django.http import HttpResponse
from django.urls import path

from pacm.urls import handler500  # noqa: F401
from pacm.urls import urlpatterns as pacm_urlpatterns

urlpatterns = [path("account/tokens/", lambda request: HttpResponse("tokens"), name="api-tokens"), *pacm_urlpatterns]
