"""What the monitoring report form shows of the readings, and the claims computed from them."""
from django.db.models import Max

from pacm.common.paging import keyset_page

from .compute import claims_from_readings
from .models import MonitoredParameter, MrvKey, Reading

READINGS_PAGE = 50
KEYS_PAGE = 25


def next_period_number(activity):
    return (activity.monitoring_periods.order_by("-number").values_list("number", flat=True).first() or 0) + 1


def keys_page(request, activity):
    """The activity's signing keys, newest first, a page at a time, each with `last_used` (its last
    batch received, or None) and its creator's username: one query, never the secret."""
    keys = (MrvKey.objects.filter(activity=activity).defer("secret").select_related("created_by", "organisation")
            .annotate(last_used=Max("batches__received_at")))
    return keyset_page(request, keys, key="id", param="keys_before", per_page=KEYS_PAGE)


def readings_of(activity, number):
    return Reading.objects.filter(activity=activity, period_number=number)


def readings_page(request, activity, number):
    """The readings of the period being drafted, newest first, a page at a time (one query)."""
    return keyset_page(request, readings_of(activity, number), key="id", param="readings_before",
                       per_page=READINGS_PAGE)


def claims_computed(activity, number, *, start, end):
    """{vintage: units} from the readings of the version's claimed parameters (dmrv.compute)."""
    claimed = set(MonitoredParameter.objects.filter(methodology_version_id=activity.methodology_version_id,
                                                    claimed=True).values_list("code", flat=True))
    rows = readings_of(activity, number).filter(parameter__in=claimed).values_list("parameter", "value", "measured_at")
    return claims_from_readings(rows.iterator(), claimed=claimed, start=start, end=end)
