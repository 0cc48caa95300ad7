"""Entry point of one transfer caller process (spawned): Django starts here, then the loop runs."""


def transfer_caller(kwargs):
    import django

    django.setup()
    from django.db import connection

    from bench.transfers import transfer_loop

    try:
        return transfer_loop(**kwargs)
    finally:
        connection.close()  # a caller process's own connection; the parent keeps its own
