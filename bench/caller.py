"""Entry point of one transfer caller process (spawned): Django starts here, then the loop runs."""


def transfer_caller(kwargs):
    import django

    django.setup()
    from bench.transfers import transfer_loop

    return transfer_loop(**kwargs)
