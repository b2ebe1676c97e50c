"""Every change to conversations goes through these functions (one module per concern, all exported here).

Each locks the conversation row, checks the rules, writes, adds the timeline part and records its
event in the outbox, all in one transaction. `actor=None` means the system (a task, the sweep).
"""

from inbox.actions.common import (
    MAX_BODY_LENGTH,
    actor_name,
    add_event_part,
    attach_files,
    attach_stored,
    clean_body,
    clean_message,
    lock_conversation,
)
from inbox.actions.contacts import SEEN_WRITE_EVERY, mark_contact_seen, sign_out_contact_everywhere
from inbox.actions.lifecycle import (
    WakeReason,
    assign_conversation,
    close_conversation,
    reopen_conversation,
    set_state,
    snooze_conversation,
    wake,
    wake_conversation,
)
from inbox.actions.messages import (
    deliver_ticket_update,
    post_note,
    post_reply,
    record_customer_message,
    start_conversation,
)

__all__ = [
    "MAX_BODY_LENGTH",
    "SEEN_WRITE_EVERY",
    "WakeReason",
    "set_state",
    "wake",
    "actor_name",
    "add_event_part",
    "assign_conversation",
    "attach_files",
    "attach_stored",
    "clean_body",
    "clean_message",
    "close_conversation",
    "deliver_ticket_update",
    "lock_conversation",
    "mark_contact_seen",
    "post_note",
    "post_reply",
    "record_customer_message",
    "reopen_conversation",
    "sign_out_contact_everywhere",
    "snooze_conversation",
    "start_conversation",
    "wake_conversation",
]
