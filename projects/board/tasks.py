"""Celery beat: decide the electronic decisions whose window has closed (RoP rule 67)."""
from celery import shared_task


@shared_task(ignore_result=True)
def board_decisions_close_due():
    from .services import board_decisions_close_due as close

    return len(close())
