"""Every write of saved replies, and posting a composer's message with its saved reply's effects.

A saved reply's effects go through the inbox's own actions (assign, close, snooze), which lock the conversation,
write its events and record them in the outbox, exactly as the buttons do.
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.errors import DomainError, InvalidInput, NotFound, RuleViolation
from helpdesk.moments import preset_time
from helpdesk.outbox import Event
from inbox import actions
from inbox.attachments import IncomingFile
from inbox.models import Part, PartKind, Teammate
from inbox.saved_replies.models import SavedReply, StateEffect
from inbox.saved_replies.selectors import get_saved_reply

# The snooze presets (inbox.forms.SnoozeForm) each snoozing effect stands for.
SNOOZE_PRESETS = {StateEffect.SNOOZE_HOUR: "1h", StateEffect.SNOOZE_TOMORROW: "tomorrow"}
EDITABLE_FIELDS = [
    "name",
    "body",
    "kind",
    "owner",
    "state_effect",
    "assign_to_me",
    "assign_teammate",
    "assign_team",
    "updated_at",
]


def check_editable(actor: Teammate, saved_reply: SavedReply) -> None:
    """Raise RuleViolation, saying who may, when `actor` may not change or delete `saved_reply`."""
    if not saved_reply.editable_by(actor):
        raise RuleViolation(
            "Only its owner changes a personal saved reply, and only admins change the shared ones."
            if saved_reply.owner_id is not None and saved_reply.owner_id != actor.pk
            else "Only admins (the permission to change saved replies) create or change shared saved replies."
        )


@transaction.atomic
def save_saved_reply(*, actor: Teammate, saved_reply: SavedReply) -> SavedReply:
    """Create or change a saved reply its form validated (`SavedReply.clean`: placeholders and effects; its unique
    names). Locks an existing row, and refuses (RuleViolation) a change the actor may not make, checked on the row as
    stored and as it would be. A name taken at the same instant is refused as InvalidInput."""
    if saved_reply.pk is not None:
        stored = SavedReply.objects.select_for_update().filter(pk=saved_reply.pk).first()
        if stored is None:
            raise NotFound("That saved reply does not exist.")
        check_editable(actor, stored)
    check_editable(actor, saved_reply)
    try:
        with transaction.atomic():
            saved_reply.save(update_fields=EDITABLE_FIELDS if saved_reply.pk is not None else None)
    except IntegrityError as error:
        message = "A saved reply with this name already exists: choose another name."
        raise InvalidInput(message, {"name": [message]}) from error
    return saved_reply


@transaction.atomic
def delete_saved_reply(*, actor: Teammate, saved_reply_id: int) -> SavedReply:
    """Delete one of the actor's own saved replies (or, with the permission, a shared one); returns the deleted row.
    Raises NotFound for one the actor does not see, RuleViolation for a shared one without the permission."""
    saved_reply = SavedReply.objects.select_for_update().filter(pk=saved_reply_id).first()
    if saved_reply is None or not (saved_reply.is_shared or saved_reply.owner_id == actor.pk):
        raise NotFound("That saved reply does not exist, or is another teammate's.")
    check_editable(actor, saved_reply)
    saved_reply.delete()
    return saved_reply


@transaction.atomic
def apply_saved_reply_effects(*, actor: Teammate, conversation_id: int, saved_reply_id: int) -> list[Event]:
    """Apply a saved reply's effects to the conversation: its assignee and team, then its state (close or snooze,
    the snooze computed in the workspace's time zone as the snooze presets are). Each through its inbox action, which
    locks the conversation and records its event. Raises NotFound for a saved reply the actor does not see, and
    RuleViolation naming the saved reply when an effect is refused (a closed conversation cannot be snoozed)."""
    saved_reply = get_saved_reply(teammate=actor, saved_reply_id=saved_reply_id)
    conversation = actions.lock_conversation(conversation_id)
    events: list[Event] = []
    try:
        if saved_reply.assign_to_me or saved_reply.assign_teammate_id or saved_reply.assign_team_id:
            assignee_id = actor.pk if saved_reply.assign_to_me else saved_reply.assign_teammate_id
            events += actions.assign_conversation(
                actor=actor,
                conversation_id=conversation_id,
                assignee_id=assignee_id or conversation.assignee_id,
                team_id=saved_reply.assign_team_id or conversation.team_id,
            )
        if saved_reply.state_effect == StateEffect.CLOSE:
            events += actions.close_conversation(actor=actor, conversation_id=conversation_id)
        elif saved_reply.state_effect in SNOOZE_PRESETS:
            until = preset_time(SNOOZE_PRESETS[StateEffect(saved_reply.state_effect)], now=timezone.localtime())
            events += actions.snooze_conversation(actor=actor, conversation_id=conversation_id, until=until)
    except DomainError as error:
        raise RuleViolation(
            f"Not sent: “{saved_reply.name}” would also {saved_reply.effects_label}, and that was refused: "
            f"{error.message} Remove its effects to send the text alone."
        ) from error
    return events


@transaction.atomic
def post_with_saved_reply(
    *,
    actor: Teammate,
    conversation_id: int,
    kind: PartKind,
    body: str,
    attachments: Sequence[IncomingFile] = (),
    saved_reply_id: int | None = None,
) -> Part:
    """Post the composer's reply or note, then apply the effects of the saved reply it was written from, if any, in
    one transaction: when an effect is refused, nothing is posted either, and the teammate can remove the effects
    and send again. Emits what post_reply or post_note and the effects' actions emit."""
    post = actions.post_reply if kind == PartKind.REPLY else actions.post_note
    part = post(actor=actor, conversation_id=conversation_id, body=body, attachments=attachments)
    if saved_reply_id is not None:
        apply_saved_reply_effects(actor=actor, conversation_id=conversation_id, saved_reply_id=saved_reply_id)
    return part
