"""The inbox's options in the command palette (helpdesk/palette.py): conversations and contacts found by number or
words, through the search's own selectors (inbox/search.py), and the commands the open conversation offers."""

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from helpdesk.palette import ITEMS_SHOWN, PaletteOption, command, number_first
from helpdesk.search import SearchFilters, SearchQuery
from inbox.models import Conversation, ConversationState, Teammate
from inbox.saved_replies.models import SavedReplyKind
from inbox.saved_replies.selectors import list_saved_replies
from inbox.search import matching_conversations, search_contacts


def conversation_option(conversation: Conversation) -> PaletteOption:
    assignee = conversation.assignee.display_name if conversation.assignee else "Unassigned"
    return PaletteOption(
        key=f"conversation-{conversation.pk}",
        label=f"#{conversation.pk} {conversation.subject or '(no subject)'}",
        meta=f"{conversation.contact} · {conversation.get_state_display()} · {assignee}",
        href=reverse("inbox:conversation", args=["all", conversation.pk]),
    )


def list_conversation_options(*, query: SearchQuery, limit: int = ITEMS_SHOWN) -> list[PaletteOption]:
    """The conversation whose number the query is (`#123`, `123`) first, then, unless the query is only a number,
    the newest that match its words, `limit` in all. One query for the number, and two for words (the plan's
    estimate and the page: inbox.search)."""

    def matching(words: SearchQuery) -> QuerySet[Conversation]:
        return matching_conversations(query=words, filters=SearchFilters()).select_related("contact", "assignee")

    return [conversation_option(conversation) for conversation in number_first(matching, query, limit=limit)]


def list_contact_options(*, query: SearchQuery, limit: int = ITEMS_SHOWN) -> list[PaletteOption]:
    """The contacts whose name, address or attributes hold every word, by name, each opened on the search page
    beside the same search. One query; none for a number alone (`#123`) or no words."""
    if not query.words or query.only_number:
        return []
    page = search_contacts(query=query, cursor=None, page_size=limit)
    search = reverse("search")
    return [
        PaletteOption(
            key=f"contact-{contact.pk}",
            label=str(contact),
            meta=contact.email or "No email address",
            href=f"{search}?{urlencode({'q': query.text, 'kind': 'contacts', 'open': contact.pk})}",
        )
        for contact in page.rows
    ]


def list_conversation_commands(*, teammate: Teammate, conversation_id: int | None) -> list[PaletteOption]:
    """What can be done to the conversation open in the page, as its pane offers it (static/js/palette.js presses
    the pane's own buttons and forms): only what applies to its state. One query; none without a conversation."""
    if conversation_id is None:
        return []
    conversation = Conversation.objects.filter(pk=conversation_id).values("state", "assignee_id").first()
    if conversation is None:
        return []
    state = conversation["state"]
    commands = []
    if conversation["assignee_id"] != teammate.pk:
        commands.append(command("assign-conversation-to-me", "Assign to me", "conversation", "take"))
    if state != ConversationState.CLOSED:
        commands.append(command("snooze-1h", "Snooze for 1 hour", "conversation", "later"))
        commands.append(command("snooze-tomorrow", "Snooze until tomorrow, 9:00", "conversation", "later"))
        commands.append(command("close", "Close conversation", "done", "resolve"))
    else:
        commands.append(command("reopen", "Reopen conversation", "open"))
    commands.append(command("new-back-office-ticket", "New back-office ticket", "create", "escalate"))
    commands.append(command("send-ticket-form", "Send ticket form", "customer"))
    commands.append(command("link-tracker", "Link to tracker", "bug", "outage"))
    return commands


def list_saved_reply_options(
    *, teammate: Teammate, query: SearchQuery, note_only: bool, limit: int = ITEMS_SHOWN
) -> list[PaletteOption]:
    """The teammate's saved replies (shared and their own) whose name holds the words, to insert into the composer
    (static/js/saved_replies.js fills the placeholders); `note_only` where only a note can be written (a ticket's
    composer). One query."""
    if query.only_number:
        return []
    kind = SavedReplyKind.NOTE if note_only else None
    return [
        PaletteOption(
            key=f"saved-reply-{saved_reply.pk}",
            label=saved_reply.name,
            meta=" · ".join(filter(None, [saved_reply.get_kind_display(), saved_reply.effects_label])),
            command="insert-saved-reply",
            value=str(saved_reply.pk),
        )
        for saved_reply in list_saved_replies(teammate=teammate, search=query.text, limit=limit, kind=kind)
    ]
