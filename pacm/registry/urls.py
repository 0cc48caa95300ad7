from django.urls import path

from . import public_views, views

ACCOUNT = "accounts/<str:number>/"

urlpatterns = [
    path("", views.public_registry, name="registry-units"),
    path("buffer-pool/", views.buffer_pool, name="registry-buffer-pool"),
    path("buffer-pool.csv", views.buffer_pool_csv, name="registry-buffer-pool-csv"),
    path("accounts/", views.account_list, name="registry-accounts"),
    path("accounts/open/", views.account_open, name="registry-account-open"),
    path(ACCOUNT, views.account_detail, name="registry-account"),
    path(ACCOUNT + "transfer/", views.account_transfer, name="registry-transfer"),
    path(ACCOUNT + "cancel/", views.account_cancel, name="registry-cancel"),
    path(ACCOUNT + "use/", views.account_use, name="registry-use"),
    # pacm issue 9: the public registry as buyers use it (public_views).
    path("serials/", public_views.serial_search, name="registry-serials"),
    path("blocks/", public_views.block_list, name="registry-blocks"),
    path("issuances/", public_views.issuance_list, name="registry-issuances"),
    path("uses/", public_views.use_list, name="registry-uses"),
    path("totals/", public_views.totals, name="registry-totals"),
]
