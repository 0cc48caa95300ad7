"""dMRV through the API (pacm issue 9): the activity's declared writes `register_mrv_key` (the
secret in the answer's `result`, once) and `revoke_mrv_key` (`inputs.key_id`) through
`POST /activities/{reference}/actions/{name}`; `POST /activities/{reference}/mrv-keys` (deprecated)
registers a key too; `POST /activities/{reference}/periods/{number}/readings` takes a
signed, idempotent batch of readings for the period being drafted.

Signature: `X-PACM-Signature: sha256=<hex>`, HMAC-SHA256 with the key's secret over
`<X-PACM-Timestamp>\\n<canonical body>` (the JSON body with sorted keys, separators "," and ":",
UTF-8, non-ASCII as is; `services.canonical_body`), `X-PACM-Key-Id` naming the key, the timestamp in
Unix seconds within PACM_DMRV_SIGNATURE_WINDOW_SECONDS of the server's clock. `Idempotency-Key`
(16-64 of A-Z a-z 0-9 _ -): the same key and body answer the first batch again (replayed), the same
key with another body is a 409 problem. Found by `pacm.api.apps` (autodiscovery of `api_routes`).
"""
import datetime
import json

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Path as PathParam

from pacm.api.actions import Answer, api_write
from pacm.api.api import ERRORS, api
from pacm.api.auth import SIGNED_IN, ApiAuth
from pacm.api.problems import ApiProblem
from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.common.submission import KEY_PATTERN
from pacm.engine.offers import available_actions

from ..api_routes import activity_before_body, activity_or_404
from ..machines import ACTIVITY
from . import services

router = Router(tags=["monitoring data (dMRV)"])
REF = PathParam(..., max_length=40, pattern=r"^[A-Za-z0-9-]+$")
NUMBER = PathParam(..., ge=1, le=2**31 - 1)
WINDOW_DEFAULT = 300  # seconds a signature stays fresh (a setting, not a rule of the mechanism)


class ReadingIn(Schema):
    parameter: str = Field(..., min_length=1, max_length=60)
    value: str = Field(..., pattern=r"^-?\d{1,18}(\.\d{1,6})?$", description="A decimal, as text (exact)")
    unit: str = Field(..., min_length=1, max_length=20)
    measured_at: datetime.datetime = Field(..., description="With its time zone (RFC 3339)")
    source: str = Field(..., min_length=1, max_length=100, description="The device or data source id")


class ReadingsIn(Schema):
    readings: list[ReadingIn] = Field(..., min_length=1, max_length=services.READINGS_MAX)


class BatchOut(Schema):
    batch: int
    monitoring_period: int
    readings: int
    batch_sha256: str
    received_at: str
    replayed: bool = Field(False, description="A repeat of the Idempotency-Key with the same body: nothing stored")


class KeyOut(Schema):
    key_id: str
    secret: str = Field(description="Shown once: keep it in your MRV system")


@router.post("/{reference}/mrv-keys", response={200: KeyOut, **ERRORS}, auth=SIGNED_IN, url_name="mrv_key_register",
             operation_id="mrv_key_register", deprecated=True,
             summary="Register a signing key for your MRV system (shown once); "
                     "use POST /activities/{reference}/actions/register_mrv_key")
def mrv_key_register(request, reference: str = REF):
    activity = activity_or_404(request.auth.user, reference)
    available_actions(request.auth.user, activity).require(services.REGISTER, _("register an MRV signing key"))
    key, secret = services.mrv_key_register(activity=activity, user=request.auth.user)
    return {"key_id": key.key_id, "secret": secret}


# The keys' declared writes through `POST /activities/{reference}/actions/{name}` (pacm.api.actions).

def _key_register(obj, user, body, item):
    """No inputs. The answer's `result` holds the key id and its secret: shown in this answer only."""
    key, secret = services.mrv_key_register(activity=obj, user=user)
    return Answer(result={"key_id": key.key_id, "secret": secret})


KEY_ID_MAX = 40  # "mrv_" and 16 hex digits today; a bound on what is looked up


def _key_revoke(obj, user, body, item):
    """inputs: key_id (one of the activity's live keys). An unknown key is a 404; a key already
    revoked a 409 (the present state), nothing recorded."""
    key_id = body.inputs.get("key_id")
    if not isinstance(key_id, str) or not key_id or len(key_id) > KEY_ID_MAX:
        raise ServiceError(_("Name the key to revoke (its key id)."), field="key_id", code="invalid_input")
    try:
        key = services.mrv_key_revoke(activity=obj, key_id=key_id, user=user)
    except ServiceError as error:
        status = {"mrv_key_unknown": 404, "mrv_key_already_revoked": 409}.get(error.code)
        if status is None:
            raise
        raise ApiProblem(status, error.code, error.message, field="key_id") from None
    return Answer(result={"key_id": key.key_id, "revoked_at": key.revoked_at.isoformat()})


api_write(ACTIVITY, services.REGISTER)(_key_register)
api_write(ACTIVITY, services.REVOKE)(_key_revoke)


# A submitted period is a conflict (it existed, it is closed); a number past the one being drafted is
# no period at all (404).
PERIOD_STATUS = {"period_not_open": 409, "period_not_next": 404}


def _period_problem(error):
    """The API's answer to a ServiceError about the period: its status, or the error itself."""
    status = PERIOD_STATUS.get(error.code)
    return error if status is None else ApiProblem(status, error.code, error.message, field="number")


def _batch_out(batch, replayed):
    return {"batch": batch.pk, "monitoring_period": batch.period_number, "readings": batch.count,
            "batch_sha256": batch.body_sha256, "received_at": batch.received_at.isoformat(), "replayed": replayed}


def _reading_row(index, reading):
    if reading.measured_at.tzinfo is None:
        raise ServiceError(_("Give the time zone of the measurement."), field=f"readings.{index}.measured_at",
                           code="measured_at_naive")
    bounds.date_check(reading.measured_at.date(), field=f"readings.{index}.measured_at")
    if reading.measured_at > timezone.now():
        raise ServiceError(_("A reading is measured before it is posted."), field=f"readings.{index}.measured_at",
                           code="measured_in_future")
    from decimal import Decimal

    return {"parameter": reading.parameter, "value": Decimal(reading.value), "unit": reading.unit,
            "measured_at": reading.measured_at, "source": reading.source}


def _reads_on(user, *, reference, **_path):
    """Before the body is read and validated (deny by default): the activity visible (404), the caller
    one who reports on it (403 `not_offered`); then ninja's 422 for a body of the wrong shape."""
    activity = activity_before_body(user, reference)
    services.participant_require(user=user, activity=activity)
    return activity


READS_ON = ApiAuth(anonymous=False, check=_reads_on)


@router.post("/{reference}/periods/{number}/readings", response={200: BatchOut, **ERRORS}, auth=READS_ON,
             url_name="readings_post", operation_id="readings_post",
             summary="Post a signed batch of monitoring readings for the period being drafted")
def readings_post(request, body: ReadingsIn, reference: str = REF, number: int = NUMBER):
    user, activity = request.auth.user, request.auth.subject  # visible, the caller reports on it (_reads_on)
    try:  # before the headers are read: the caller again, then the period (one check, the service's)
        services.readings_period_require(user=user, activity=activity, number=number)
    except ServiceError as error:  # a Refused (403) passes as it is
        raise _period_problem(error) from None
    client_key = (request.headers.get("Idempotency-Key") or "").strip()
    if not KEY_PATTERN.fullmatch(client_key):
        raise ApiProblem(400, "idempotency_key_required", _("Send an Idempotency-Key header (16-64 of A-Z a-z 0-9 _ -)."),
                         field="Idempotency-Key")
    raw = json.loads(request.body)  # the body as sent (ninja has validated its shape)
    stamp = (request.headers.get("X-PACM-Timestamp") or "").strip()
    if stamp and not stamp.isdigit():
        raise ServiceError(_("X-PACM-Timestamp is Unix seconds."), field="X-PACM-Timestamp", code="timestamp_invalid")
    window = getattr(settings, "PACM_DMRV_SIGNATURE_WINDOW_SECONDS", WINDOW_DEFAULT)
    key = services.signature_check(activity=activity, key_id=(request.headers.get("X-PACM-Key-Id") or "").strip(),
                                   timestamp=int(stamp) if stamp else None, body=raw,
                                   signature=(request.headers.get("X-PACM-Signature") or "").strip(),
                                   now=timezone.now(), window=window)
    rows = [_reading_row(i, r) for i, r in enumerate(body.readings)]
    try:
        batch, replayed = services.readings_ingest(
            activity=activity, number=number, user=user, key=key, client_key=client_key, body=raw, readings=rows,
            signed_at=datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC))
    except ServiceError as error:
        if error.code == "idempotency_key_reused":
            raise ApiProblem(409, error.code, error.message, field="Idempotency-Key") from None
        raise _period_problem(error) from None
    return _batch_out(batch, replayed)


api.add_router("/activities", router)
