from django.urls import path

from . import views

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
]
