"""Every change to tickets goes through these functions (one module per concern, all exported here).

The rules they check, with their messages, are in `tickets.rules`, which selectors and forms read too.

Lock order, to stay free of deadlocks: the conversation first, then the ticket. Each action writes
the ticket's timeline part and records its events in the same transaction; cross-posts and their
un-snoozes happen after commit, in `tickets.handlers`, run by Celery.
"""

from tickets.actions.common import MAX_TITLE_LENGTH, lock_ticket
from tickets.actions.creation import (
    convert_to_customer_ticket,
    create_back_office_ticket,
    create_customer_ticket,
    share_ticket,
)
from tickets.actions.ticket_forms import send_ticket_form, submit_ticket_form
from tickets.actions.trackers import (
    create_tracker_ticket,
    link_to_tracker,
    resolve_link_target,
    send_tracker_reply,
    unlink_from_tracker,
)
from tickets.actions.types import archive_ticket_type, unarchive_ticket_type
from tickets.actions.work import (
    assign_ticket,
    change_ticket_state,
    follow_ticket,
    post_ticket_note,
    post_ticket_reply,
    snooze_until_ticket_moves,
    update_ticket_attributes,
)

__all__ = [
    "MAX_TITLE_LENGTH",
    "archive_ticket_type",
    "assign_ticket",
    "change_ticket_state",
    "convert_to_customer_ticket",
    "follow_ticket",
    "create_back_office_ticket",
    "create_customer_ticket",
    "create_tracker_ticket",
    "link_to_tracker",
    "lock_ticket",
    "post_ticket_note",
    "post_ticket_reply",
    "resolve_link_target",
    "send_tracker_reply",
    "send_ticket_form",
    "share_ticket",
    "snooze_until_ticket_moves",
    "submit_ticket_form",
    "unarchive_ticket_type",
    "unlink_from_tracker",
    "update_ticket_attributes",
]
