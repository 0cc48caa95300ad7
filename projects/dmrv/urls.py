from django.urls import path

from . import keys_views

ACTIVITY = "activities/<str:reference>/mrv-keys/"

urlpatterns = [
    # pacm issue 9: the activity's MRV signing keys (the readings endpoint's HMAC keys).
    path(ACTIVITY, keys_views.mrv_keys, name="mrv-keys"),
    path(ACTIVITY + "<str:key_id>/revoke/", keys_views.mrv_key_revoke, name="mrv-key-revoke"),
]
