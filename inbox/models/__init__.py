"""The inbox's models, one module per concern, all exported here (where Django and the code look for them); the email
channel's and the saved replies' live with their code and are exported here too."""

from inbox.mail.models import DeliveryStatus, InboundEmail, InboundStatus, OutboundEmail, OutboundKind
from inbox.models.attachments import (
    ATTACHMENT_STORAGE,
    Attachment,
    CurrentAttachmentStorage,
    StoredAttachment,
    attachment_storage,
)
from inbox.models.conversations import (
    CUSTOMER_VISIBLE_PART_KINDS,
    WAITING_ORDER,
    Channel,
    Conversation,
    ConversationCount,
    ConversationState,
    OwnerCount,
    OwnerKind,
    Part,
    PartKind,
)
from inbox.models.messenger import MessengerInstallation, new_messenger_secret, parse_origins
from inbox.models.people import LEAD_PREFIX, WORKING, Contact, Team, Teammate, TeammateAccess
from inbox.saved_replies.models import SavedReply, SavedReplyKind, StateEffect

__all__ = [
    "DeliveryStatus",
    "InboundEmail",
    "InboundStatus",
    "OutboundEmail",
    "OutboundKind",
    "SavedReply",
    "SavedReplyKind",
    "StateEffect",
    "ATTACHMENT_STORAGE",
    "Attachment",
    "CUSTOMER_VISIBLE_PART_KINDS",
    "Channel",
    "Contact",
    "Conversation",
    "ConversationCount",
    "ConversationState",
    "CurrentAttachmentStorage",
    "LEAD_PREFIX",
    "MessengerInstallation",
    "OwnerCount",
    "OwnerKind",
    "Part",
    "PartKind",
    "StoredAttachment",
    "Team",
    "Teammate",
    "TeammateAccess",
    "WAITING_ORDER",
    "WORKING",
    "attachment_storage",
    "new_messenger_secret",
    "parse_origins",
]
