"""The demo workspace's stories (seed_demo): the conversations customers start, the replies, the tickets
they lead to, and the stories that show a rule at work. Plain data.

Text may use {first} (the contact's first name), {order} (an order number) and {amount} (a price).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TicketSpec:
    type_name: str
    title: str
    team: str
    attributes: dict = field(default_factory=dict)
    share: bool = False
    notes: tuple[tuple[str, bool], ...] = ()  # (body, cross_post): the first while in progress, the rest to resolve


@dataclass(frozen=True)
class Story:
    subject: str
    opening: str
    reply: str
    resolution: str
    follow_up: str = ""
    note: str = ""
    nudge: str = "Any news on this?"
    team: str = "Support"
    ticket: TicketSpec | None = None


REFUND_DAMAGED = TicketSpec(
    "Refund request",
    "Refund order {order}: arrived damaged",
    "Billing",
    {"order_number": "{order}", "amount": "{amount}", "reason": "Damaged item", "risk_score": "12"},
    share=True,
    notes=(
        ("Photos confirm the damage; refund approved within policy.", False),
        ("Refund of €{amount} sent to the original card, 3 to 5 business days.", True),
    ),
)
REFUND_TWICE = TicketSpec(
    "Refund request",
    "Duplicate charge on order {order}",
    "Billing",
    {"order_number": "{order}", "amount": "{amount}", "reason": "Charged twice", "risk_score": "4"},
    share=True,
    notes=(("Two captures from the payment provider retry, 40 s apart.", True), ("Second capture refunded.", True)),
)
REFUND_LATE = TicketSpec(
    "Refund request",
    "Refund for order {order} not received",
    "Billing",
    {"order_number": "{order}", "amount": "{amount}", "reason": "Not delivered", "risk_score": "31"},
    notes=(
        ("The refund bounced: the card was replaced. Re-issuing by bank transfer.", True),
        ("Bank transfer done, reference RF-{order}.", True),
    ),
)
FRAUD_CHARGE = TicketSpec(
    "Fraud investigation",
    "Unrecognised purchase on order {order}",
    "Fraud",
    {"account_id": "ACC-{order}", "risk_level": "High"},
    notes=(
        ("Device fingerprint and IP differ from the customer's history. Card blocked.", True),
        ("Confirmed card testing from a botnet; order cancelled, no loss.", True),
    ),
)
FRAUD_TAKEOVER = TicketSpec(
    "Fraud investigation",
    "Possible account takeover: email changed",
    "Fraud",
    {"account_id": "ACC-{order}", "risk_level": "Medium", "chargeback_filed": "no"},
    notes=(
        ("Email change came from a new country 5 minutes after a password reset.", False),
        ("Account restored, sessions revoked, 2FA enforced.", True),
    ),
)
BUG_UPLOAD = TicketSpec(
    "Bug report",
    "iOS app crashes when uploading a photo",
    "Engineering",
    {
        "steps_to_reproduce": "1. Open a return\n2. Tap 'Add photo'\n3. Choose a HEIC photo\n4. The app closes",
        "severity": "High",
    },
    share=True,
    notes=(
        ("Reproduced on iOS 18 with HEIC files; the converter runs out of memory.", True),
        ("Fix shipped in app version 4.12.1.", True),
    ),
)
BUG_DISCOUNT = TicketSpec(
    "Bug report",
    "Discount code ignored when the cart has a bundle",
    "Engineering",
    {
        "steps_to_reproduce": "Add a bundle and one other item, apply SPRING15: the total does not change.",
        "severity": "Medium",
    },
    notes=(
        ("Bundles skip the promotion engine. Fix in review.", False),
        ("Fixed and deployed; support may honour the code manually for past orders.", True),
    ),
)
BUG_INVOICE = TicketSpec(
    "Bug report",
    "Invoice PDFs download blank",
    "Engineering",
    {"steps_to_reproduce": "Account > Orders > Download invoice: the PDF has no text.", "severity": "Low"},
    share=True,
    notes=(
        ("Font missing in the PDF renderer image after the last deploy.", True),
        ("Renderer image rebuilt; invoices regenerate correctly.", True),
    ),
)

STORIES = [
    Story(
        "Blender arrived broken (order {order})",
        "Hi, my blender arrived today with a cracked jug. Order {order}. Can I get a refund?",
        "I'm sorry it arrived like that, {first}. I've asked our billing team to refund order {order}.",
        "Your refund of €{amount} is on its way; expect it in 3 to 5 business days.",
        follow_up="I can send photos if that helps. The box looked fine from outside.",
        note="Second damaged delivery from this courier this week.",
        ticket=REFUND_DAMAGED,
    ),
    Story(
        "Charged twice for order {order}",
        "My bank shows two payments of €{amount} for order {order}. I only ordered once!",
        "Thanks for flagging this, {first}. I've asked billing to check the second charge.",
        "Billing refunded the duplicate payment; it can take a few days to show on your statement.",
        ticket=REFUND_TWICE,
    ),
    Story(
        "Still waiting for my refund",
        "You promised a refund for order {order} two weeks ago and I still haven't received it.",
        "I'm sorry for the wait, {first}. Let me find out what happened with that refund.",
        "The first refund bounced because your card was replaced; we've sent it by bank transfer instead.",
        nudge="Hello? It has been two weeks already.",
        team="Billing",
        ticket=REFUND_LATE,
    ),
    Story(
        "I didn't make this purchase",
        "There's an order {order} on my account for €{amount} that I never placed. Please help.",
        "Thanks for telling us right away, {first}. I've blocked the order and our security team is on it.",
        "Our security team confirmed the order wasn't yours. It's cancelled and you won't be charged.",
        note="Customer is calm; asked them to change their password.",
        ticket=FRAUD_CHARGE,
    ),
    Story(
        "Someone changed my account email",
        "I got an email saying my account email changed, but it wasn't me. I can't log in now.",
        "That sounds stressful, {first}. We've locked the account while our security team checks.",
        "Your account is back under your control. Please log in with a new password; we've turned on 2FA.",
        ticket=FRAUD_TAKEOVER,
    ),
    Story(
        "App crashes when I add a photo",
        "Every time I try to add a photo to my return request the app just closes. iPhone 15.",
        "Thanks for the details, {first}! I've passed this to our engineers.",
        "The fix is in app version 4.12.1. Could you update and try again?",
        follow_up="I tried reinstalling, same thing.",
        ticket=BUG_UPLOAD,
    ),
    Story(
        "Discount code SPRING15 doesn't work",
        "The code SPRING15 does nothing when I check out. I have a bundle and a lamp in my cart.",
        "Thanks, {first}. I've reported it, and I'll make sure you get the discount.",
        "I've applied the 15% discount to order {order} manually; the refund of the difference is on its way.",
        ticket=BUG_DISCOUNT,
    ),
    Story(
        "Invoice PDF is empty",
        "I need the invoice for order {order} for my accountant but the PDF is blank.",
        "Sorry about that, {first}. I've reported the problem to our engineers.",
        "The invoices are fixed; you can download order {order}'s invoice again from your account.",
        ticket=BUG_INVOICE,
    ),
    Story(
        "Change delivery address for order {order}",
        "I just realised order {order} is going to my old address. Can you change it to 12 Harbour Street?",
        "No problem, {first}. I've updated the address; the parcel hasn't left the warehouse yet.",
        "The courier confirmed the new address. You'll get the tracking link by email.",
        note="Warehouse confirmed the change by phone.",
    ),
    Story(
        "How do I cancel my subscription?",
        "I'd like to cancel my monthly subscription, I can't find where to do it.",
        "Hi {first}, you can cancel under Account > Subscription > Cancel. Want me to do it for you?",
        "Done: your subscription is cancelled and you won't be charged next month.",
        follow_up="Yes please, do it for me.",
    ),
    Story(
        "Where is my parcel?",
        "Order {order} was supposed to arrive on Monday. Tracking hasn't moved in four days.",
        "I've opened an enquiry with the courier, {first}. I'll let you know as soon as they reply.",
        "The courier found the parcel at their depot; it's out for delivery today.",
        nudge="Still nothing from the courier?",
    ),
    Story(
        "VAT number on invoices",
        "Could you add our VAT number DE811907980 to the invoices of our company account?",
        "Sure, {first}. I've added it; new invoices will show it.",
        "I've also regenerated last month's invoices with the VAT number.",
        team="Billing",
    ),
    Story(
        "Password reset email never arrives",
        "I've requested a password reset three times and no email comes. Checked spam too.",
        "Thanks, {first}. Your address had bounced once, so our mailer paused it. I've cleared that.",
        "Glad you're back in! Let us know if anything else comes up.",
        follow_up="Could it be because I changed email providers last month?",
    ),
    Story(
        "Warranty on my headphones",
        "The left earbud stopped charging after 8 months. Is that covered by the warranty?",
        "It is, {first}: the warranty is two years. I've emailed you a prepaid return label.",
        "We received the earbuds; a replacement pair ships tomorrow.",
    ),
    Story(
        "Feature request: dark mode",
        "Love the app, but please add a dark mode, my eyes hurt at night!",
        "Thanks, {first}! I've added your vote to the dark mode request.",
        "Good news: dark mode is in the latest version of the app.",
    ),
    Story(
        "Exchange for a bigger size",
        "The running shoes from order {order} are too small. Can I swap them for a 43?",
        "Of course, {first}. I've reserved a pair in 43 and sent you a return label.",
        "Your size 43 pair is on its way. Enjoy the runs!",
        follow_up="Do I need the original box?",
    ),
    Story(
        "Loyalty points missing",
        "I didn't get any loyalty points for order {order}, it was €{amount}.",
        "Thanks for letting us know, {first}. Points can take 48 hours; I'll check.",
        "I've added the missing points manually; they're in your account now.",
    ),
    Story(
        "Gift wrapping for order {order}",
        "Can you still add gift wrapping to order {order}? It's a birthday present.",
        "I've added gift wrapping and a card, {first}, no charge.",
        "The order left with gift wrapping this morning.",
    ),
    Story(
        "Please delete my account",
        "I'd like my account and all my data deleted, as allowed by GDPR.",
        "We're sorry to see you go, {first}. I've started the deletion; it completes within 30 days.",
        "Your account and data have been deleted. Thanks for having been a customer.",
        note="Checked: no open orders or refunds.",
    ),
    Story(
        "Copy of invoice for order {order}",
        "Could you send me a copy of the invoice for order {order}?",
        "Here you go, {first}: I've emailed the invoice to your account address.",
        "You're welcome!",
        team="Billing",
    ),
]

NEW_CONVERSATIONS = [
    ("Do you ship to Norway?", "Hi! Do you ship to Norway, and how much does it cost?"),
    ("Promo code expired?", "My newsletter promo code says expired but the email came yesterday."),
    ("Order {order} missing an item", "My order {order} arrived without the phone case. Everything else is there."),
    ("Can I pay by invoice?", "We're a small company; can we pay by invoice instead of by card?"),
    ("Wrong colour delivered", "I ordered the green kettle and got a red one. Order {order}."),
    ("Student discount", "Do you have a student discount? I couldn't find anything on the site."),
]
TEAM_QUEUE = [
    ("Billing", "Question about a charge", "What is the €4.99 charge on my card from you yesterday?"),
    ("Billing", "Update payment card", "My card expires this month, how do I add the new one?"),
    ("Support", "Return label not working", "The return label link for order {order} gives an error page."),
    ("Support", "Tracking link broken", "The tracking link in the shipping email for order {order} is broken."),
]
OUTAGE_CONVERSATIONS = [
    ("Checkout keeps failing", "I've tried to pay five times and I keep getting 'Something went wrong'."),
    ("Error 502 when paying", "Your payment page shows 'Error 502 Bad Gateway'. Is the site down?"),
    ("Can't place an order", "The order button spins forever and then fails. I need this today!"),
]

# The stories that show a rule at work (see the methods of the same name in seed_demo).
CANCELLED_ORDER_REFUND = TicketSpec(
    "Refund request",
    "Refund cancelled order {order}",
    "Billing",
    {"order_number": "{order}", "amount": "{amount}", "reason": "Changed my mind", "risk_score": "3"},
    share=True,
    notes=(("The payment settles tomorrow morning; refund scheduled for then.", True),),
)
LOGIN_CHECK = TicketSpec(
    "Fraud investigation",
    "Login from an unusual place",
    "Fraud",
    {"account_id": "ACC-{order}", "risk_level": "Low"},
    notes=(("The login was the customer's new phone on roaming; no compromise.", True),),
)
WRONG_ITEM_REFUND = TicketSpec(
    "Refund request",
    "Wrong item in order {order}",
    "Billing",
    {"order_number": "{order}", "amount": "{amount}", "reason": "Wrong item", "risk_score": "8"},
    share=True,
    notes=(("Need a photo of the shipping label before refunding.", True),),
)
OUTSTANDING_REFUND = TicketSpec(
    "Refund request",
    "Outstanding refund for order {order}",
    "Billing",
    {"order_number": "{order}", "amount": "{amount}", "reason": "Not delivered"},
    share=True,
    notes=(("The refund was never triggered; doing it now.", True),),
)
UNKNOWN_CHARGES = TicketSpec(
    "Fraud investigation",
    "Three unrecognised charges",
    "Fraud",
    {"account_id": "ACC-{order}", "risk_level": "High"},
    notes=(("The charges come from a merchant we flagged last week.", False),),
)
BROKEN_LAMP_REFUND = TicketSpec(
    "Refund request",
    "Refund broken lamp (order {order})",
    "Billing",
    {"order_number": "{order}", "amount": "{amount}", "reason": "Damaged item"},
    notes=(("Courier damage claim filed; refunding the customer now.", True),),
)
OUTAGE_NOTE = (
    "The payment gateway fails its health checks; traffic is moving to the fallback region. "
    "Expect recovery within the hour."
)
