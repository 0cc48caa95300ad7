"""Helpers of the dMRV tests: a declared parameter, a registered key, a signed POST."""
import json
import time

from django.test import Client

from projects.dmrv.models import MonitoredParameter
from projects.dmrv.services import mrv_key_register, signature_of

CLAIMED = "ER_y"  # the version's parameter whose readings are the reductions (t CO2e)


def declare(activity):
    MonitoredParameter.objects.create(methodology_version=activity.methodology_version, code=CLAIMED,
                                      unit="tCO2e", claimed=True)
    MonitoredParameter.objects.create(methodology_version=activity.methodology_version, code="EG_y",
                                      unit="MWh", claimed=False)


def readings_body(*rows):
    return {"readings": [
        {"parameter": p, "value": v, "unit": u, "measured_at": at, "source": "meter-7"} for p, v, u, at in rows]}


def signed_post(client, url, body, *, key_id, secret, client_key="batch-0000000000000001", timestamp=None,
                signature=None, headers=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    sig = signature if signature is not None else "sha256=" + signature_of(secret, timestamp, body)
    sent = {"HTTP_IDEMPOTENCY_KEY": client_key, "HTTP_X_PACM_KEY_ID": key_id,
            "HTTP_X_PACM_TIMESTAMP": str(timestamp), "HTTP_X_PACM_SIGNATURE": sig, **(headers or {})}
    return client.post(url, json.dumps(body), content_type="application/json", **sent)


def key_of(activity, user):
    key, secret = mrv_key_register(activity=activity, user=user)
    return key.key_id, secret


__all__ = ["CLAIMED", "Client", "declare", "key_of", "readings_body", "signed_post"]
