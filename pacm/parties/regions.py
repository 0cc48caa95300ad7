"""The United Nations regional group of each Party, by ISO 3166 alpha-2 code (data, not a rule).

A6.4-STAN-METH-002 v01.0 para 54 publishes the Reversal Risk Buffer Pool's composition by region;
pacm reads "region" as the five UN regional groups the UNFCCC uses (reading risk-buffer-9). A Party
saved without a region takes it from here; the admin may set it otherwise.
"""

_GROUPS = {
    "africa": "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML "
              "MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW",
    "asia_pacific": "AF BH BD BT BN KH CN CY FJ IN ID IR IQ JP JO KZ KI KW KG LA LB MY MV MH FM MN MM NR NP KP OM "
                    "PK PW PG PH QA KR WS SA SB LK SY TJ TH TL TO TM TV AE UZ VU VN YE",
    "eastern_europe": "AL AM AZ BY BA BG HR CZ EE GE HU LV LT ME MK MD PL RO RU RS SK SI UA",
    "grulac": "AG AR BS BB BZ BO BR CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC VC SR TT UY VE",
    "weog": "AD AT BE DK FI FR DE GR IS IE IT LI LU MT MC NL NO PT SM ES SE CH TR GB AU CA NZ IL US",
}
REGION_BY_ISO2 = {iso2: region for region, codes in _GROUPS.items() for iso2 in codes.split()}


def region_of(iso2):
    return REGION_BY_ISO2.get((iso2 or "").upper(), "")
