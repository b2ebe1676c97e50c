"""Saved replies (macros): reusable replies and notes with placeholders, inserted into a composer by typing `/` or
from the command palette, and optionally applying effects (state, snooze, assignee) through the inbox's actions when
the message is sent.

- `models`: the SavedReply row and its choices (imported by inbox.models, where Django looks for them).
- `placeholders`: the whitelist of `{{…}}` placeholders, their check when a reply is saved and their substitution;
  the tickets app registers how `{{ticket.…}}` is read (the inbox never imports it).
- `selectors`: listing (also for the palette: `list_saved_replies`) and rendering for a conversation or a ticket.
- `actions`: saving and deleting one, and posting a composer's message with its saved reply's effects.
- `views`, `forms`, `admin`: the composer's endpoints, the teammates' own page, the Django admin.
"""
