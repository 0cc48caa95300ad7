"""The Celery app. Tasks are thin: an id in, one service call, done."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacm.settings")

app = Celery("pacm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
