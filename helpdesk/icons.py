"""The icons the app shows (a ticket type's, TicketIcon): Lucide's SVGs, shipped here so that they render on
every machine, where an emoji needs a colour emoji font that many systems lack.

Each entry is the inner markup of one icon of lucide-static 1.62.0 (https://lucide.dev, ISC licence with an
MIT part for the icons drawn from Feather: icons.LICENSE beside this file), copied verbatim. To add one, run
`npm pack lucide-static` in a temporary folder, copy the elements inside `<svg>` of `icons/<name>.svg`, and add
the name to TicketIcon. Only names chosen from this dict reach the markup: nothing user-controlled.
"""

# ruff: noqa: E501  (path data reads best unwrapped)

from django.db import models
from django.utils.safestring import SafeString, mark_safe


class TicketIcon(models.TextChoices):
    """The icons a ticket type can show, by name: each has its markup in ICONS."""

    TICKET = "ticket", "Ticket"
    BUG = "bug", "Bug"
    BANKNOTE = "banknote", "Banknote"
    RECEIPT = "receipt", "Receipt"
    CREDIT_CARD = "credit-card", "Credit card"
    SHIELD_ALERT = "shield-alert", "Shield"
    LOCK = "lock", "Lock"
    PACKAGE = "package", "Package"
    TRUCK = "truck", "Truck"
    FLAME = "flame", "Flame"
    ALERT = "triangle-alert", "Warning"
    SERVER = "server", "Server"
    WRENCH = "wrench", "Wrench"
    USER = "user", "Person"
    MAIL = "mail", "Envelope"
    MESSAGE = "message-circle", "Speech bubble"
    STAR = "star", "Star"
    CLOCK = "clock", "Clock"
    FILE = "file-text", "Document"
    GLOBE = "globe", "Globe"


FALLBACK = TicketIcon.TICKET

ICONS: dict[str, str] = {
    "ticket": (
        '<path d="M2 9a3 3 0 0 1 0 6v2a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-2a3 3 0 0 1 0-6V7a2 2 0 0 0-2-2H4a2 2 0 0 0-2 2Z"/>'
        '<path d="M13 5v2"/>'
        '<path d="M13 17v2"/>'
        '<path d="M13 11v2"/>'
    ),
    "bug": (
        '<path d="M12 20v-9"/>'
        '<path d="M14 7a4 4 0 0 1 4 4v3a6 6 0 0 1-12 0v-3a4 4 0 0 1 4-4z"/>'
        '<path d="M14.12 3.88 16 2"/>'
        '<path d="M21 21a4 4 0 0 0-3.81-4"/>'
        '<path d="M21 5a4 4 0 0 1-3.55 3.97"/>'
        '<path d="M22 13h-4"/>'
        '<path d="M3 21a4 4 0 0 1 3.81-4"/>'
        '<path d="M3 5a4 4 0 0 0 3.55 3.97"/>'
        '<path d="M6 13H2"/>'
        '<path d="m8 2 1.88 1.88"/>'
        '<path d="M9 7.13V6a3 3 0 1 1 6 0v1.13"/>'
    ),
    "banknote": (
        '<rect width="20" height="12" x="2" y="6" rx="2"/>'
        '<circle cx="12" cy="12" r="2"/>'
        '<path d="M6 12h.01M18 12h.01"/>'
    ),
    "receipt": (
        '<path d="M12 17V7"/>'
        '<path d="M16 8h-6a2 2 0 0 0 0 4h4a2 2 0 0 1 0 4H8"/>'
        '<path d="M4 3a1 1 0 0 1 1-1 1.3 1.3 0 0 1 .7.2l.933.6a1.3 1.3 0 0 0 1.4 0l.934-.6a1.3 1.3 0 0 1 1.4 0l.933.6a1.3 1.3 0 0 0 1.4 0l.933-.6a1.3 1.3 0 0 1 1.4 0l.934.6a1.3 1.3 0 0 0 1.4 0l.933-.6A1.3 1.3 0 0 1 19 2a1 1 0 0 1 1 1v18a1 1 0 0 1-1 1 1.3 1.3 0 0 1-.7-.2l-.933-.6a1.3 1.3 0 0 0-1.4 0l-.934.6a1.3 1.3 0 0 1-1.4 0l-.933-.6a1.3 1.3 0 0 0-1.4 0l-.933.6a1.3 1.3 0 0 1-1.4 0l-.934-.6a1.3 1.3 0 0 0-1.4 0l-.933.6a1.3 1.3 0 0 1-.7.2 1 1 0 0 1-1-1z"/>'
    ),
    "credit-card": (
        '<rect width="20" height="14" x="2" y="5" rx="2"/><line x1="2" x2="22" y1="10" y2="10"/><path d="M6 14h2"/>'
    ),
    "shield-alert": (
        '<path d="M20 13c0 5-3.5 7.5-7.66 8.95a1 1 0 0 1-.67-.01C7.5 20.5 4 18 4 13V6a1 1 0 0 1 1-1c2 0 4.5-1.2 6.24-2.72a1.17 1.17 0 0 1 1.52 0C14.51 3.81 17 5 19 5a1 1 0 0 1 1 1z"/>'
        '<path d="M12 8v4"/>'
        '<path d="M12 16h.01"/>'
    ),
    "lock": ('<rect width="18" height="11" x="3" y="11" rx="2" ry="2"/><path d="M7 11V7a5 5 0 0 1 10 0v4"/>'),
    "package": (
        '<path d="M11 21.73a2 2 0 0 0 2 0l7-4A2 2 0 0 0 21 16V8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73z"/>'
        '<path d="M12 22V12"/>'
        '<polyline points="3.29 7 12 12 20.71 7"/>'
        '<path d="m7.5 4.27 9 5.15"/>'
    ),
    "truck": (
        '<path d="M14 18V6a2 2 0 0 0-2-2H4a2 2 0 0 0-2 2v11a1 1 0 0 0 1 1h2"/>'
        '<path d="M15 18H9"/>'
        '<path d="M19 18h2a1 1 0 0 0 1-1v-3.65a1 1 0 0 0-.22-.624l-3.48-4.35A1 1 0 0 0 17.52 8H14"/>'
        '<circle cx="17" cy="18" r="2"/>'
        '<circle cx="7" cy="18" r="2"/>'
    ),
    "flame": ('<path d="M12 3q1 4 4 6.5t3 5.5a1 1 0 0 1-14 0 5 5 0 0 1 1-3 1 1 0 0 0 5 0c0-2-1.5-3-1.5-5q0-2 2.5-4"/>'),
    "triangle-alert": (
        '<path d="m21.73 18-8-14a2 2 0 0 0-3.48 0l-8 14A2 2 0 0 0 4 21h16a2 2 0 0 0 1.73-3"/>'
        '<path d="M12 9v4"/>'
        '<path d="M12 17h.01"/>'
    ),
    "server": (
        '<rect width="20" height="8" x="2" y="2" rx="2" ry="2"/>'
        '<rect width="20" height="8" x="2" y="14" rx="2" ry="2"/>'
        '<line x1="6" x2="6.01" y1="6" y2="6"/>'
        '<line x1="6" x2="6.01" y1="18" y2="18"/>'
    ),
    "wrench": (
        '<path d="M14.7 6.3a1 1 0 0 0 0 1.4l1.6 1.6a1 1 0 0 0 1.4 0l3.106-3.105c.32-.322.863-.22.983.218a6 6 0 0 1-8.259 7.057l-7.91 7.91a1 1 0 0 1-2.999-3l7.91-7.91a6 6 0 0 1 7.057-8.259c.438.12.54.662.219.984z"/>'
    ),
    "user": ('<path d="M19 21v-2a4 4 0 0 0-4-4H9a4 4 0 0 0-4 4v2"/><circle cx="12" cy="7" r="4"/>'),
    "mail": ('<path d="m22 7-8.991 5.727a2 2 0 0 1-2.009 0L2 7"/><rect x="2" y="4" width="20" height="16" rx="2"/>'),
    "message-circle": (
        '<path d="M2.992 16.342a2 2 0 0 1 .094 1.167l-1.065 3.29a1 1 0 0 0 1.236 1.168l3.413-.998a2 2 0 0 1 1.099.092 10 10 0 1 0-4.777-4.719"/>'
    ),
    "star": (
        '<path d="M11.525 2.295a.53.53 0 0 1 .95 0l2.31 4.679a2.123 2.123 0 0 0 1.595 1.16l5.166.756a.53.53 0 0 1 .294.904l-3.736 3.638a2.123 2.123 0 0 0-.611 1.878l.882 5.14a.53.53 0 0 1-.771.56l-4.618-2.428a2.122 2.122 0 0 0-1.973 0L6.396 21.01a.53.53 0 0 1-.77-.56l.881-5.139a2.122 2.122 0 0 0-.611-1.879L2.16 9.795a.53.53 0 0 1 .294-.906l5.165-.755a2.122 2.122 0 0 0 1.597-1.16z"/>'
    ),
    "clock": ('<circle cx="12" cy="12" r="10"/><path d="M12 6v6l4 2"/>'),
    "file-text": (
        '<path d="M6 22a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h8a2.4 2.4 0 0 1 1.704.706l3.588 3.588A2.4 2.4 0 0 1 20 8v12a2 2 0 0 1-2 2z"/>'
        '<path d="M14 2v5a1 1 0 0 0 1 1h5"/>'
        '<path d="M10 9H8"/>'
        '<path d="M16 13H8"/>'
        '<path d="M16 17H8"/>'
    ),
    "globe": (
        '<circle cx="12" cy="12" r="10"/>'
        '<path d="M12 2a14.5 14.5 0 0 0 0 20 14.5 14.5 0 0 0 0-20"/>'
        '<path d="M2 12h20"/>'
    ),
}

# The attributes Lucide's own SVGs carry; sized by `.icon` in the stylesheets, decorative for screen readers
# (the type's name beside it is the text).
SVG = (
    '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{}</svg>'
)


# Built once: a list shows one per row. Safe because every part is a constant of this module.
RENDERED: dict[str, SafeString] = {name: mark_safe(SVG.format(inner)) for name, inner in ICONS.items()}


def icon_svg(name: str) -> SafeString:
    """The inline `<svg>` of icon `name`, or of the ticket icon when the name is not one of ICONS."""
    return RENDERED.get(name) or RENDERED[FALLBACK]
