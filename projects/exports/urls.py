"""Export URLs: every list as .csv and .xlsx (two names per list, `<name>-csv` and `<name>-xlsx`),
the public registry's under /registry/export/, and the AEF for a Party's DNA."""
from django.urls import path

from . import views
from .writer import FORMATS

ACCOUNT = "registry/accounts/<str:number>/export/"


def both(route, view, name):
    return [path(f"{route}.{fmt}", view, {"fmt": fmt}, name=f"{name}-{fmt}") for fmt in FORMATS]


urlpatterns = [
    *both("registry/export/activities", views.public_activities, "export-public-activities"),
    *both("registry/export/issuances", views.public_issuances, "export-public-issuances"),
    *both("registry/export/blocks", views.public_blocks, "export-public-blocks"),
    *both("registry/export/uses", views.public_uses, "export-public-uses"),
    *both(ACCOUNT + "holdings", views.account_holdings, "export-account-holdings"),
    *both(ACCOUNT + "statement", views.account_statement, "export-account-statement"),
    *both("exports/my-activities", views.my_activities, "export-my-activities"),
    path("exports/aef/", views.aef_report, name="aef-report"),
    path("exports/aef/<str:iso2>/<int:year>.<str:fmt>", views.aef_download, name="aef-download"),
]
