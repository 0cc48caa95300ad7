"""The UN M49 region of each Party (the Statistics Division's "Standard country or area codes for
statistical use", region level), by ISO 3166 alpha-2 code. Data for the buffer pool's stress test
(A6.4-STAN-METH-002 v01.0 para 61: a significant loss event affecting the activities of a region)
and its composition; set on Parties by migration `parties.0003_party_region_m49`."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


_CODES = {
    Region.AFRICA: "DZ EG LY MA SD TN EH IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW AO CM CF "
                   "TD CG CD GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    Region.AMERICAS: "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI BZ CR SV GT "
                     "HN MX NI PA AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE BM CA GL PM US",
    Region.ASIA: "KZ KG TJ TM UZ CN HK MO KP JP MN KR TW BN KH ID LA MY MM PH SG TH TL VN AF BD BT IN IR MV NP PK "
                 "LK AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    Region.EUROPE: "BY BG CZ HU PL MD RO RU SK UA AX DK EE FO FI GG IS IE IM IT JE LV LT NO SJ SE GB AL AD BA HR GI "
                   "GR VA MT ME MK PT SM RS SI ES XK AT BE FR DE LI LU MC NL CH",
    Region.OCEANIA: "AU CX CC HM NZ NF FJ NC PG SB VU GU KI MH FM NR MP PW AS CK PF NU PN WS TK TO TV WF UM",
}
REGION_OF = {code: region.value for region, codes in _CODES.items() for code in codes.split()}


def region_of(iso2):
    """The M49 region of a Party by its code, or "" when the list does not hold it."""
    return REGION_OF.get((iso2 or "").upper(), "")
