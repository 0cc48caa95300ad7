"""Celery tasks of the engine: thin, ids in, one call, done."""
from celery import shared_task


@shared_task(ignore_result=True)
def notify_write(machine_name, pk, write_name, actor_user_id=None, key="", write_machine=None):
    """Tell the people concerned of a committed write (pacm.engine.notify)."""
    from .machines import machine_named
    from .notifications import notifications_create

    machine = machine_named(machine_name)
    subject = machine.model.objects.filter(pk=pk).first()
    if subject is None:
        return 0
    write = machine_named(write_machine or machine_name).write(write_name)
    return notifications_create(machine=machine, subject=subject, write=write,
                                actor_user_id=actor_user_id, key=key or f"{machine_name}:{pk}:{write_name}")
