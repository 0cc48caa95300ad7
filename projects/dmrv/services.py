"""dMRV writes (pacm issue 9): a participant registers a signing key, its MRV system posts signed,
idempotent batches of readings for the period being drafted. Deny by default: only those whom
`available_actions` offers the activity's `submit_monitoring_report` (its participants, while it is
registered; RMP 50) post readings; the keys are the activity's own declared writes
`register_mrv_key` and `revoke_mrv_key`, offered to the same participants in the same state."""
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
from ..services.base import action_run
from . import events
from .models import MonitoredParameter, MrvKey, Reading, ReadingBatch
from .selectors import next_period_number

WRITE = "submit_monitoring_report"  # the declaration that says who reports on the activity now
REGISTER, REVOKE = "register_mrv_key", "revoke_mrv_key"  # the keys' own declared writes (projects/cycle.py)
READINGS_MAX = 1000  # a batch's readings at most (a bound, not a rule of the mechanism)


def participant_require(*, user, activity, what=None):
    """Refused (403) unless the user reports on this activity now (the declaration's participants)."""
    return _participant(user, activity, what or _("post monitoring readings"))


def _period_check(activity, number, *, submitted=True):
    """The one check of a readings' period number: only the period being drafted, the one after the
    last submitted, takes readings. `period_not_next` for a number past it (no period at all);
    with `submitted`, `period_not_open` for a submitted one (RMP 50-51: the report is verified as
    submitted)."""
    drafted = next_period_number(activity)
    if number > drafted:
        raise ServiceError(_("Readings go to the period being drafted, number %(next)s.") % {"next": drafted},
                           code="period_not_next", field="number", params={"next": drafted})
    if submitted and number < drafted:
        raise ServiceError(_("Monitoring period %(number)s is submitted: it takes no more readings.")
                           % {"number": number}, code="period_not_open", field="number", params={"number": number})


def readings_period_require(*, user, activity, number):
    """Before a batch is read (deny by default): refused (403) unless the user reports on the
    activity now, then `period_not_next` for a number that names no period. A submitted period is
    refused by `readings_ingest` under the activity's lock, after a repeated batch is answered."""
    participant_require(user=user, activity=activity)
    _period_check(activity, number, submitted=False)


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
    """A new signing key for the activity: (row, secret); the secret is shown once. The activity's
    declared write `register_mrv_key` (projects/cycle.py: its participants, while registered)."""
    def apply(obj, actor):
        key = MrvKey.objects.create(activity=obj, organisation=actor.organisation, created_by=user,
                                    key_id="mrv_" + secrets.token_hex(8), secret=secrets.token_hex(32))
        events.mrv_key_registered(key=key, actor=actor)
        return key

    key = action_run(subject=activity, name=REGISTER, user=user, apply=apply)
    return key, key.secret


def mrv_key_revoke(*, activity, key_id, user):
    """Revoke one of the activity's signing keys: its signatures are refused from now on
    (`mrv_key_revoked`). The declared write `revoke_mrv_key`. A key of another activity is as
    unknown as a missing one; a second revocation is refused (`mrv_key_already_revoked`) and
    records nothing."""
    def apply(obj, actor):
        key = MrvKey.objects.select_for_update().filter(activity=obj, key_id=key_id).first()
        if key is None:
            raise ServiceError(_("This activity has no signing key %(key_id)s.") % {"key_id": key_id},
                               code="mrv_key_unknown", field="key_id", params={"key_id": key_id})
        if key.revoked_at is not None:
            raise ServiceError(_("Key %(key_id)s is already revoked.") % {"key_id": key.key_id},
                               code="mrv_key_already_revoked", field="key_id", params={"key_id": key.key_id})
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        events.mrv_key_revoked(key=key, actor=actor)
        return key

    return action_run(subject=activity, name=REVOKE, user=user, apply=apply)


def signature_check(*, activity, key_id, timestamp, signature, body, now, window):
    """The live key of `activity` that signed `body` at `timestamp`, or a refusal with a stable code."""
    if not key_id or not signature or timestamp is None:
        raise Refused(_("Sign the batch: X-PACM-Key-Id, X-PACM-Timestamp and X-PACM-Signature."),
                      code="signature_missing")
    key = MrvKey.objects.filter(activity=activity, key_id=key_id).first()
    given = signature.removeprefix("sha256=")
    if key is None or not hmac.compare_digest(signature_of(key.secret, timestamp, body), given):
        raise Refused(_("The signature does not match this batch and key."), code="signature_invalid")
    if key.revoked_at is not None:  # said only to whoever holds the secret: the signature matched
        raise Refused(_("Key %(key_id)s was revoked: register a new key and sign with it.") % {"key_id": key.key_id},
                      code="mrv_key_revoked", params={"key_id": key.key_id})
    if abs(now.timestamp() - int(timestamp)) > window:
        raise Refused(_("The batch was signed too long ago (or in the future): sign it again."),
                      code="signature_expired")
    return key


def readings_ingest(*, activity, number, user, key, client_key, body, readings, signed_at):
    """Store one batch of readings for period `number`: (batch, replayed). Only the period being
    drafted takes readings (`_period_check`)."""
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
        _period_check(activity, number)  # again under the lock: a report may have been submitted since
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
