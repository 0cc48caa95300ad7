"""The real volumes the workload replays: the Berkeley Voluntary Registry Offsets Database.

Haya et al., Voluntary Registry Offsets Database v2025-12, Berkeley Carbon Trading Project,
University of California, Berkeley; CC BY-SA 4.0 (/work/shared/data/vrod/README.md). Only the
projects with at least one issuance whose country maps to a Party code are used.
"""
import csv
import gzip
import os
from dataclasses import dataclass

VROD_PATH = os.environ.get("PACM_VROD", "/work/shared/data/vrod/projects.csv.gz")
YEARS = range(1996, 2026)

# Country name as the VROD writes it -> ISO 3166 alpha-2. Names that are not a Party
# ("International", territories, Taiwan) are left out, and so are their projects.
ISO2 = {
    "Angola": "AO", "Argentina": "AR", "Australia": "AU", "Austria": "AT", "Bangladesh": "BD", "Belize": "BZ",
    "Benin": "BJ", "Bolivia": "BO", "Brazil": "BR", "Bulgaria": "BG", "Burkina Faso": "BF", "Burundi": "BI",
    "Cambodia": "KH", "Cameroon": "CM", "Canada": "CA", "Central African Republic": "CF", "Chad": "TD",
    "Chile": "CL", "China": "CN", "Colombia": "CO", "Comoros": "KM", "Congo": "CG", "Costa Rica": "CR",
    "Côte d'Ivoire": "CI", "Cyprus": "CY", "DRC": "CD", "Denmark": "DK", "Dominican Republic": "DO",
    "Ecuador": "EC", "Egypt": "EG", "El Salvador": "SV", "Eritrea": "ER", "Estonia": "EE", "Ethiopia": "ET",
    "Fiji": "FJ", "France": "FR", "Gambia": "GM", "Georgia": "GE", "Germany": "DE", "Ghana": "GH",
    "Guatemala": "GT", "Guinea": "GN", "Guinea-Bissau": "GW", "Guyana": "GY", "Haiti": "HT", "Honduras": "HN",
    "Iceland": "IS", "India": "IN", "Indonesia": "ID", "Iraq": "IQ", "Israel": "IL", "Kazakhstan": "KZ",
    "Kenya": "KE", "Laos": "LA", "Lesotho": "LS", "Liberia": "LR", "Madagascar": "MG", "Malawi": "MW",
    "Malaysia": "MY", "Mali": "ML", "Mauritania": "MR", "Mauritius": "MU", "Mexico": "MX", "Mongolia": "MN",
    "Morocco": "MA", "Mozambique": "MZ", "Myanmar": "MM", "Namibia": "NA", "Nepal": "NP", "Netherlands": "NL",
    "New Zealand": "NZ", "Nicaragua": "NI", "Niger": "NE", "Nigeria": "NG", "Oman": "OM", "Pakistan": "PK",
    "Panama": "PA", "Papua New Guinea": "PG", "Paraguay": "PY", "Peru": "PE", "Philippines": "PH",
    "Romania": "RO", "Russia": "RU", "Rwanda": "RW", "Senegal": "SN", "Sierra Leone": "SL", "Singapore": "SG",
    "Somalia": "SO", "South Africa": "ZA", "South Korea": "KR", "Sri Lanka": "LK", "Sudan": "SD",
    "Switzerland": "CH", "Tajikistan": "TJ", "Tanzania": "TZ", "Thailand": "TH", "Timor-Leste": "TL",
    "Togo": "TG", "Türkiye": "TR", "Uganda": "UG", "United Arab Emirates": "AE", "United Kingdom": "GB",
    "United States": "US", "Uruguay": "UY", "Uzbekistan": "UZ", "Viet Nam": "VN", "Zambia": "ZM",
    "Zimbabwe": "ZW",
}
# Approximate LDC and SIDS lists, only so that the workload exercises the SOP exemption and fee
# waiver paths in realistic proportion; not a statement of any Party's status.
LDC = set("AF AO BD BJ BF BI KH CF TD KM CD DJ ER ET GM GN GW HT KI LA LS LR MG MW ML MR MZ MM NP NE RW SN SL "
          "SB SO SS SD TL TG TV UG TZ YE ZM".split())
SIDS = set("MU FJ BZ GY DO SG PG KM TL GW HT".split())

# VROD scope -> the sectoral scope the bench methodology is filed under.
SCOPE = {
    "Renewable Energy": 1, "Household & Community": 3, "Industrial & Commercial": 4, "Chemical Processes": 5,
    "Transportation": 7, "Carbon Capture & Storage": 10, "Waste Management": 13, "Forestry & Land Use": 14,
    "Agriculture": 15,
}


@dataclass(frozen=True)
class Project:
    project_id: str
    kind: str  # Reduction, Mixed, Impermanent Removal, Long-Duration Removal
    scope: int
    country: str
    iso2: str
    estimated_annual: int
    issued: tuple  # non-zero yearly issued volumes, in year order
    retired: tuple  # non-zero yearly retired volumes, in year order


def _int(value):
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def projects_load(path=VROD_PATH):
    """Projects with at least one issuance and a host that maps to a Party code."""
    result = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            issued = tuple(v for v in (_int(row[f"issued_{y}"]) for y in YEARS) if v > 0)
            iso2 = ISO2.get(row["country"])
            if not issued or iso2 is None:
                continue
            retired = tuple(v for v in (_int(row[f"retired_{y}"]) for y in YEARS) if v > 0)
            result.append(Project(
                project_id=row["project_id"], kind=row["kind"], scope=SCOPE.get(row["scope"], 1),
                country=row["country"], iso2=iso2, estimated_annual=_int(row["estimated_annual"]),
                issued=issued, retired=retired,
            ))
    return result


def retired_volumes(projects):
    """Every non-zero yearly retirement volume: the size distribution the transfers draw from."""
    return [v for p in projects for v in p.retired]
