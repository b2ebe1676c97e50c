from celery import shared_task
from django.utils import timezone

BATCH_SIZE = 500


@shared_task
def wake_snoozed_conversations() -> int:
    """Wake conversations whose snooze time has passed (Celery beat, every 30 s). Returns how many woke."""
    from inbox import actions, selectors

    woken = 0
    for conversation_id in selectors.list_expired_snooze_ids(now=timezone.now(), limit=BATCH_SIZE):
        woken += actions.wake_conversation(conversation_id=conversation_id, reason=actions.WakeReason.SNOOZE_EXPIRED)
    return woken


@shared_task
def retry_due_emails() -> int:
    """Queue again the emails whose retry is due (Celery beat, every 30 s). Returns how many."""
    from inbox.mail import actions

    return actions.retry_due_emails()


@shared_task
def poll_mailbox() -> int:
    """Store the IMAP mailbox's new messages (Celery beat, every IMAP_POLL_SECONDS, when IMAP_HOST is set)."""
    from inbox.mail import imap

    return imap.poll_mailbox()
