from celery import shared_task


@shared_task
def check_response_targets() -> tuple[int, int]:
    """Warn of response targets due soon and mark the missed ones (Celery beat, every minute): (warned, missed)."""
    from tickets.targets import check_response_targets as check

    return check()
