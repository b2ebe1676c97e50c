"""What `seed_demo` writes: teams, people, contacts' names and ticket types (the stories are in demo_stories).
Plain data, no Faker at runtime."""

from dataclasses import dataclass
from datetime import time, timedelta

DEMO_PASSWORD = "helpdesk-demo"
MARKER_EXTERNAL_ID = "demo-contact-001"  # the first demo contact: its presence means the demo is seeded

TEAMS = ["Support", "Billing", "Fraud", "Engineering"]


@dataclass(frozen=True)
class DemoTeammate:
    username: str
    first_name: str
    last_name: str
    teams: tuple[str, ...]
    role: str
    superuser: bool = False
    access: str = "full"  # inbox.models.TeammateAccess


TEAMMATES = [
    DemoTeammate("admin", "Alex", "Morgan", (), "Admin: Django admin at /admin/", superuser=True),
    DemoTeammate("maya", "Maya", "Patel", ("Support",), "Front office (Support)"),
    DemoTeammate("tom", "Tom", "Becker", ("Support",), "Front office (Support)"),
    DemoTeammate("lucia", "Lucía", "Fernández", ("Support",), "Front office (Support)"),
    DemoTeammate("ben", "Ben", "Okafor", ("Billing",), "Back office (Billing)"),
    DemoTeammate("sara", "Sara", "Lindqvist", ("Fraud",), "Back office (Fraud)"),
    DemoTeammate("raj", "Raj", "Iyer", ("Engineering",), "Back office (Engineering)"),
    DemoTeammate(
        "nora", "Nora", "Quist", ("Fraud",), "Back office only (Fraud): its tickets, no inbox", access="back_office"
    ),
]


@dataclass(frozen=True)
class DemoSavedReply:
    """A saved reply (inbox.saved_replies): shared, or the own of the teammate named by `owner` (a username)."""

    name: str
    kind: str
    body: str
    state_effect: str = ""
    assign_to_me: bool = False
    assign_team: str = ""
    owner: str = ""


SAVED_REPLIES = [
    DemoSavedReply(
        "Refund approved",
        "reply",
        "Hi {{contact.first_name}},\n\nGood news: the refund for your order {{ticket.order_number}} is approved "
        "(ticket #{{ticket.number}}). It reaches your account within 5 business days.\n\n{{teammate.first_name}}",
    ),
    DemoSavedReply(
        "Need your order number",
        "reply",
        "Hi {{contact.first_name}}, could you send us your order number? We pick this up again as soon as you "
        "reply.\n\n{{teammate.first_name}}",
        state_effect="snooze_tomorrow",
        assign_to_me=True,
    ),
    DemoSavedReply(
        "Solved, closing",
        "reply",
        "Glad we could sort this out, {{contact.first_name}}! Write any time if anything else comes up.",
        state_effect="close",
    ),
    DemoSavedReply(
        "Escalate to Billing",
        "note",
        "Escalating to Billing: {{contact.name}} ({{contact.email}}) asks about ticket #{{ticket.number}}.",
        assign_team="Billing",
    ),
    DemoSavedReply("My signature", "reply", "Best,\n{{teammate.name}}, Support", owner="maya"),
]

# Who works the back-office tickets of each team.
BACK_OFFICE_LEADS = {"Billing": "ben", "Fraud": "sara", "Engineering": "raj"}

FIRST_NAMES = [
    "Olivia",
    "Noah",
    "Emma",
    "Liam",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Charlotte",
    "Leo",
    "Ava",
    "Hugo",
    "Chloé",
    "Jonas",
    "Freya",
    "Arjun",
    "Priya",
    "Kenji",
    "Yuki",
    "Omar",
    "Layla",
    "Santiago",
    "Valentina",
    "Finn",
    "Ingrid",
    "Tariq",
    "Zara",
    "Mohammed",
    "Hannah",
    "Diego",
    "Aisha",
    "Nikolai",
    "Elena",
    "Samuel",
    "Grace",
    "Kofi",
    "Nora",
    "Theo",
    "Ines",
    "Ravi",
    "Lena",
    "Marco",
    "Sofia",
    "Daniel",
    "Maja",
    "Wei",
]
LAST_NAMES = [
    "Smith",
    "Johansson",
    "García",
    "Müller",
    "Rossi",
    "Nguyen",
    "Kowalski",
    "Dubois",
    "Okonkwo",
    "Tanaka",
    "Silva",
    "Andersen",
    "Cohen",
    "Novak",
    "Haddad",
    "Jensen",
    "Moreau",
    "Fischer",
    "Kim",
    "Costa",
    "O'Brien",
    "Petrov",
    "Schmidt",
    "Lopez",
    "Ibrahim",
    "Bianchi",
    "Larsen",
    "Wright",
    "Sato",
    "Mendes",
    "Kaur",
    "Walsh",
    "Horvat",
    "Martin",
    "Suzuki",
    "Nowak",
    "Ferreira",
    "Brown",
    "Lindberg",
    "Mensah",
    "Ahmed",
    "Ortiz",
    "Virtanen",
    "Clarke",
    "Romano",
    "Chen",
    "Weber",
    "Hughes",
    "Yilmaz",
    "Park",
]

# The team each ticket type's new tickets go to, unless the teammate or workflow chooses another.
TYPE_TEAMS = {
    "Fraud investigation": "Fraud",
    "Refund request": "Billing",
    "Bug report": "Engineering",
    "Order problem": "Support",
    "Outage": "Engineering",
}

# Response targets of back-office types (first action, resolution), counted in the team's business hours.
TYPE_TARGETS = {
    "Fraud investigation": (timedelta(hours=1), timedelta(hours=24)),
    "Refund request": (timedelta(hours=4), timedelta(days=2)),
}
# Business hours of the back-office teams that keep office hours: time zone, ISO weekdays, opening and closing.
TEAM_HOURS = {"Billing": ("Europe/London", "12345", time(8), time(18))}

# Ticket types: name, icon (a TicketIcon value), category, sharing policy, description, attributes
# (key, name, kind, options, required_to_create, visible_to_customers, required_for_customers).
TICKET_TYPES = [
    (
        "Fraud investigation",
        "shield-alert",
        "back_office",
        "never",
        "Suspicious payments and account takeovers; never shown to the customer.",
        [
            ("account_id", "Account id", "text", [], True, False, False),
            ("risk_level", "Risk level", "list", ["Low", "Medium", "High"], False, False, False),
            ("chargeback_filed", "Chargeback filed", "boolean", [], False, False, False),
        ],
    ),
    (
        "Refund request",
        "banknote",
        "back_office",
        "optional",
        "Billing checks and issues a refund.",
        [
            ("order_number", "Order number", "text", [], True, True, True),
            ("amount", "Amount", "decimal", [], False, True, False),
            (
                "reason",
                "Reason",
                "list",
                ["Damaged item", "Not delivered", "Wrong item", "Charged twice", "Changed my mind"],
                False,
                True,
                False,
            ),
            ("risk_score", "Internal risk score", "integer", [], False, False, False),
        ],
    ),
    (
        "Bug report",
        "bug",
        "back_office",
        "optional",
        "A defect for Engineering to reproduce and fix.",
        [
            ("steps_to_reproduce", "Steps to reproduce", "multiline_text", [], False, True, False),
            ("severity", "Severity", "list", ["Low", "Medium", "High", "Critical"], False, False, False),
            ("affected_since", "Affected since", "datetime", [], False, False, False),
        ],
    ),
    (
        "Order problem",
        "package",
        "customer",
        "always",
        "Something went wrong with an order; the customer follows it in the messenger.",
        [
            ("order_number", "Order number", "text", [], True, True, True),
            ("item_arrived", "Item arrived", "boolean", [], False, True, False),
        ],
    ),
    (
        "Outage",
        "flame",
        "tracker",
        "never",
        "One incident that many customers write about.",
        [
            (
                "affected_service",
                "Affected service",
                "list",
                ["Checkout", "Payments API", "Login", "Mobile app", "Search"],
                True,
                False,
                False,
            ),
            ("status_page", "Status page entry", "text", [], False, False, False),
        ],
    ),
]
