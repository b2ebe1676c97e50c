"""Admin for configuring ticket types, their attributes and the ticket states, and read-only ticket browsing.

Types, attributes and states are archived, never deleted: tickets keep pointing at them. Tickets change
only through `tickets.actions`, so their admin is a viewer. One module per concern, each registering its own.
"""

from tickets.admin import hours, states, tickets, types  # noqa: F401  # each registers its models' admin
