"""pacm's Celery app for the worker that tests/ops/test_worker_issuance.py starts and kills.

Kombu's Redis transport keeps the unacknowledged messages of every worker on a Redis database
in one hash; a worker started with a 5 s visibility timeout would put back in their queues the
in-flight tasks of every other worker on the broker (another `make test-services` included).
Keys named after this worker's queue keep the restore to its own messages. It also looks for
expired ones every second rather than every 100 s (kombu's interval x throttle defaults), so a
redelivery takes about the visibility timeout.
"""
import os

from pacm.celery import app

_queue = os.environ["CELERY_TASK_DEFAULT_QUEUE"]
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_key": f"{_queue}.unacked",
    "unacked_index_key": f"{_queue}.unacked_index",
    "unacked_mutex_key": f"{_queue}.unacked_mutex",
    "unacked_mutex_expire": 10,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
