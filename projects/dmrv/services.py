"""dMRV writes (pacm issue 9): a participant registers a signing key, its MRV system posts signed,
idempotent batches of readings for the period being drafted. Deny by default: only those whom
`available_actions` offers the activity's `submit_monitoring_report` (its participants, while it is
registered; RMP 50) register keys and post readings."""
import hashlib
import hmac
import json
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions

from ..models import Activity
from . import events
from .models import MonitoredParameter, MrvKey, Reading, ReadingBatch

WRITE = "submit_monitoring_report"  # the declaration that says who reports on the activity now
READINGS_MAX = 1000  # a batch's readings at most (a bound, not a rule of the mechanism)


def participant_require(*, user, activity):
    """Refused (403) unless the user reports on this activity now (the declaration's participants)."""
    _participant(user, activity, _("post monitoring readings"))


def _participant(user, activity, what):
    offers = available_actions(user, activity)
    offers.require(WRITE, what)
    return offers.get(WRITE).actor


def _locked(activity):
    return Activity.objects.select_for_update().get(pk=activity.pk)


def canonical_body(body):
    """The bytes the signature covers: the JSON body with sorted keys, no spaces, UTF-8."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature_of(secret, timestamp, body):
    """HMAC-SHA256 (hex) of `<timestamp>\\n<canonical body>` with the key's secret."""
    message = str(timestamp).encode() + b"\n" + canonical_body(body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def mrv_key_register(*, activity, user):
    """A new signing key for the activity: (row, secret); the secret is shown once."""
    with transaction.atomic():
        activity = _locked(activity)
        actor = _participant(user, activity, _("register an MRV signing key"))
        key = MrvKey.objects.create(activity=activity, organisation=actor.organisation, created_by=user,
                                    key_id="mrv_" + secrets.token_hex(8), secret=secrets.token_hex(32))
        events.mrv_key_registered(key=key, actor=actor)
    return key, key.secret


def signature_check(*, activity, key_id, timestamp, signature, body, now, window):
    """The live key of `activity` that signed `body` at `timestamp`, or a refusal with a stable code."""
    if not key_id or not signature or timestamp is None:
        raise Refused(_("Sign the batch: X-PACM-Key-Id, X-PACM-Timestamp and X-PACM-Signature."),
                      code="signature_missing")
    key = MrvKey.objects.filter(activity=activity, key_id=key_id, revoked_at__isnull=True).first()
    given = signature.removeprefix("sha256=")
    if key is None or not hmac.compare_digest(signature_of(key.secret, timestamp, body), given):
        raise Refused(_("The signature does not match this batch and key."), code="signature_invalid")
    if abs(now.timestamp() - int(timestamp)) > window:
        raise Refused(_("The batch was signed too long ago (or in the future): sign it again."),
                      code="signature_expired")
    return key


def readings_ingest(*, activity, number, user, key, client_key, body, readings, signed_at):
    """Store one batch of readings for period `number`: (batch, replayed). Only the period being
    drafted, the one after the last, takes readings; a submitted period refuses (RMP 50-51: the
    report is verified as submitted)."""
    digest = hashlib.sha256(canonical_body(body)).hexdigest()
    with transaction.atomic():
        activity = _locked(activity)
        earlier = ReadingBatch.objects.filter(activity=activity, client_key=client_key).first()
        if earlier is not None:
            if earlier.body_sha256 != digest:
                raise ServiceError(_("This Idempotency-Key was used for another batch."), code="idempotency_key_reused",
                                   field="Idempotency-Key")
            return earlier, True
        actor = _participant(user, activity, _("post monitoring readings"))
        last = activity.monitoring_periods.order_by("-number").values_list("number", flat=True).first() or 0
        if number <= last:
            raise ServiceError(_("Monitoring period %(number)s is submitted: it takes no more readings.")
                               % {"number": number}, code="period_not_open", params={"number": number})
        if number != last + 1:
            raise ServiceError(_("Readings go to the period being drafted, number %(next)s.") % {"next": last + 1},
                               code="period_not_next", params={"next": last + 1})
        declared = {p.code: p.unit for p in MonitoredParameter.objects.filter(
            methodology_version_id=activity.methodology_version_id)}
        for index, row in enumerate(readings):
            if row["parameter"] not in declared:
                raise ServiceError(_("The methodology version declares no parameter %(code)s.")
                                   % {"code": row["parameter"]}, field=f"readings.{index}.parameter",
                                   code="parameter_unknown")
            if row["unit"] != declared[row["parameter"]]:
                raise ServiceError(_("%(code)s is measured in %(unit)s.") % {"code": row["parameter"],
                                                                            "unit": declared[row["parameter"]]},
                                   field=f"readings.{index}.unit", code="unit_mismatch")
        batch = ReadingBatch.objects.create(
            activity=activity, period_number=number, key=key, client_key=client_key, body_sha256=digest,
            signed_at=signed_at, received_at=timezone.now(), submitted_by=user, count=len(readings))
        Reading.objects.bulk_create([Reading(batch=batch, activity=activity, period_number=number, **row)
                                     for row in readings])
        events.readings_received(batch=batch, actor=actor)
    return batch, False
