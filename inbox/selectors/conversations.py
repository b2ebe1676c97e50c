"""A conversation for teammates: its pane, its timeline, its files, and the versions its live parts compare."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum

from helpdesk.errors import NotFound
from inbox.models import (
    Attachment,
    Conversation,
    DeliveryStatus,
    OutboundEmail,
    Part,
)


@dataclass(frozen=True, slots=True)
class ConversationPane:
    conversation: Conversation
    parts: list[Part]

    @property
    def timeline_version(self) -> str:
        return timeline_version(self.parts)


def timeline_version(parts: list[Part]) -> str:
    """What the live timeline compares to know whether it changed: its newest part, and the delivery of the emails
    that carried its replies (their attempts, and failures), which change without a new part."""
    delivery = sum(_delivery_marker(part.outbound_email) for part in parts if hasattr(part, "outbound_email"))
    return f"{parts[-1].pk if parts else 0}.{delivery}"


def _delivery_marker(email: OutboundEmail) -> int:
    return email.attempts + (1000 if email.status == DeliveryStatus.FAILED else 0)


def change_version(updated_at: datetime) -> str:
    """What a live part compares to know whether its row changed: the row's last change, to the microsecond."""
    return f"{updated_at.timestamp():.6f}"


def get_conversation_versions(*, conversation_id: int) -> tuple[str, str]:
    """The conversation's last change and its timeline's version (timeline_version), so that its live header and
    timeline can answer 204 while nothing they show changed. One query. Raises NotFound."""
    emails = OutboundEmail.objects.filter(conversation=OuterRef("pk"), part__isnull=False).values("conversation")
    marker = emails.annotate(
        marker=Sum("attempts") + 1000 * Count("pk", filter=Q(status=DeliveryStatus.FAILED))
    ).values("marker")
    row = (
        Conversation.objects.filter(pk=conversation_id)
        .annotate(last_part=Max("parts__pk"), delivery=Subquery(marker))
        .values("updated_at", "last_part", "delivery")
        .first()
    )
    if row is None:
        raise NotFound("That conversation does not exist.")
    return change_version(row["updated_at"]), f"{row['last_part'] or 0}.{row['delivery'] or 0}"


def get_conversation(*, conversation_id: int) -> Conversation:
    """The conversation with its contact, assignee and team. Raises NotFound."""
    conversation = Conversation.objects.select_related("contact", "assignee", "team").filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound("That conversation does not exist.")
    return conversation


def list_timeline(*, conversation_id: int) -> list[Part]:
    """Every part of the conversation's timeline, oldest first, with authors and attachments loaded. Two queries
    (one when it has no parts)."""
    parts = (
        Part.objects.filter(conversation_id=conversation_id)
        .select_related("author", "outbound_email", "inbound_email")
        .defer("inbound_email__raw")
    )
    return list(parts.prefetch_related("attachments").order_by("created_at", "pk"))


def get_attachment(*, attachment_id: int) -> Attachment:
    """A conversation part's attachment, for a teammate (who may read every conversation). Raises NotFound."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("That file does not exist.")
    return attachment


def get_conversation_pane(*, conversation_id: int) -> ConversationPane:
    """The conversation and its timeline. Two queries."""
    return ConversationPane(
        conversation=get_conversation(conversation_id=conversation_id),
        parts=list_timeline(conversation_id=conversation_id),
    )
