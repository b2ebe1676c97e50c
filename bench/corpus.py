"""The searchable text of the seed (bench/seed.py) and the searches that find it (bench/search.py).

A part's body is built by PostgreSQL in the INSERT itself (no row crosses the wire), from its conversation `c`,
its place `k` (0-9) and its id `p`:

- 6-14 words drawn from a vocabulary of VOCABULARY words with a Zipf-like spread: rank r = floor(V^u) for u
  uniform (a hash of p and the word's place), so P(r) ~ 1/r. Ranks 1-len(WORDS) are English support words, the
  rest made of syllables (`bakume`). "thanks" is in about half the parts, "order" in a third, "account" in a
  quarter; a word of rank 1,000 in about 0.1 %, the last ones in a few hundred parts at full size.
- a rare word (`x` and syllables: `xbadefi`) in the customer message k=6 of one conversation in RARE_EVERY: each
  rare word is in about RARE_PARTS parts whatever the scale.
- the conversation's order number (`ORD-01234`) in its first message and a reply, in one conversation in
  ORDER_EVERY: a number is in about 3 conversations at full size (ORDER_NUMBERS numbers).
- the contact's own address (`contact123@example.com`, its email) in a customer message of the contacts whose id
  is 1 modulo EMAIL_EVERY: in each of their conversations (5 per contact at full size).
- one of PHRASES in the first message (k=0) of the conversations with c % PHRASE_EVERY = j, and in an internal note
  (k=3) of those with c % PHRASE_EVERY = j + len(PHRASES): each phrase in 4 % of the conversations (one part each).

Events (k=4) keep their one line ("Assigned to a teammate"); their document is NULL, as the trigger makes it.
"""

import math

# The top of the vocabulary: words a support conversation is made of (stop words would not be indexed). The
# words of PHRASES are here too, so that a phrase's words are also found apart from it.
WORDS = (
    "thanks order account help please payment refund delivery issue update card email password package "
    "subscription invoice shipping charged address problem customer support received return week today still "
    "product price discount login team tracking number store app error cancel twice never arrived reset wrong "
    "size delivered phone message replacement warehouse courier label damaged broken missing billing plan upgrade "
    "downgrade trial renewal receipt tax bank transfer voucher coupon gift balance credit debit checkout cart "
    "basket item stock available colour fit exchange policy days hours morning evening weekend holiday manager "
    "agent callback chat website browser mobile android iphone tablet laptop screen button link page download "
    "upload file photo document contract signature verification code security notification settings profile "
    "name surname birthday country city postcode street apartment building floor door parcel box envelope "
    "café résumé naïve façade"
).split()
VOCABULARY = 50_000
SYLLABLES = ("ba", "de", "fi", "go", "ku", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "wo", "yu", "zo")

RARE_EVERY = 199  # one conversation in 199 has a rare word
RARE_PARTS = 5  # in about this many parts each
ORDER_EVERY = 3
ORDER_NUMBERS = 100_000
EMAIL_EVERY = 4
PHRASE_EVERY = 50
PHRASES = (
    "card was charged twice",
    "package never arrived",
    "cannot reset my password",
    "cancel my subscription",
    "wrong size was delivered",
)
COMMON_WORDS = WORDS[:3]  # in about 52 %, 32 % and 24 % of the parts (see share())


def _array(words) -> str:
    return "ARRAY[" + ", ".join("'" + word.replace("'", "''") + "'" for word in words) + "]::text[]"


def syllable_word_sql(r: str) -> str:
    """SQL: the syllable word of the integer expression `r` (3 syllables, 4 from 4,096), as syllable_word()."""
    s = _array(SYLLABLES)
    return (
        f"({s})[{r} % 16 + 1] || ({s})[{r} / 16 % 16 + 1] || ({s})[{r} / 256 % 16 + 1] "
        f"|| CASE WHEN {r} >= 4096 THEN ({s})[{r} / 4096 % 16 + 1] ELSE '' END"
    )


def syllable_word(r: int) -> str:
    word = SYLLABLES[r % 16] + SYLLABLES[r // 16 % 16] + SYLLABLES[r // 256 % 16]
    return word + (SYLLABLES[r // 4096 % 16] if r >= 4096 else "")


def word(rank: int) -> str:
    """The vocabulary's word of this rank (1-based), as the seed's SQL spells it."""
    return WORDS[rank - 1] if rank <= len(WORDS) else syllable_word(rank)


def share(rank: int, words_per_part: float = 10.0) -> float:
    """The expected share of (non-event) parts that hold the word of this rank."""
    per_draw = math.log((rank + 1) / rank) / math.log(VOCABULARY)
    return 1 - (1 - per_draw) ** words_per_part


def rare_words(conversations: int) -> int:
    return max(1, conversations // RARE_EVERY // RARE_PARTS)


def rare_word(index: int) -> str:
    return "x" + syllable_word(index)


def order_number(c: int) -> str:
    """The order number conversation c speaks of (when c % ORDER_EVERY == 0; a ticket's attribute for any c)."""
    return f"ORD-{c * 7919 % ORDER_NUMBERS:05d}"


def order_number_sql(c: str) -> str:
    return f"'ORD-' || lpad(({c}::bigint * 7919 % {ORDER_NUMBERS})::text, 5, '0')"


def words_sql(p: str) -> str:
    """SQL: 6-14 words of the vocabulary for row p, Zipf-like (module docstring), as a sentence."""
    draw = f"((hashint8({p} * 16 + i)::float8 + 2147483648) / 4294967296)"
    rank = f"floor(exp(ln({VOCABULARY}) * {draw}))::int"
    return f"""(SELECT string_agg(CASE WHEN r <= {len(WORDS)} THEN ({_array(WORDS)})[r]
                 ELSE {syllable_word_sql("r")} END, ' ' ORDER BY i)
                 FROM generate_series(1, 6 + {p} % 9) i CROSS JOIN LATERAL (SELECT {rank} AS r) z) || '.'"""


def body_sql(*, c: str, k: str, p: str, conversations: int, contacts: int) -> str:
    """SQL: the body of part p, the k-th (0-9) of conversation c, when it is not an event."""
    contact = f"(({c} - 1) % {contacts} + 1)"
    phrase = f"({_array(PHRASES)})[{c} % {PHRASE_EVERY} % {len(PHRASES)} + 1]"
    rare = f"'x' || {syllable_word_sql(f'({c} / {RARE_EVERY} % {rare_words(conversations)})')}"
    return f"""concat_ws(' ',
        CASE WHEN {c} % {ORDER_EVERY} = 0 AND {k} IN (0, 5) THEN 'Order ' || {order_number_sql(c)} || ':' END,
        {words_sql(p)},
        CASE WHEN ({k} = 0 AND {c} % {PHRASE_EVERY} < {len(PHRASES)})
                  OR ({k} = 3 AND {c} % {PHRASE_EVERY} BETWEEN {len(PHRASES)} AND {2 * len(PHRASES) - 1})
             THEN 'My ' || {phrase} || '.' END,
        CASE WHEN {k} = 2 AND {contact} % {EMAIL_EVERY} = 1
             THEN 'You can reach me at contact' || {contact} || '@example.com as well' END,
        CASE WHEN {k} = 6 AND {c} % {RARE_EVERY} = 0 THEN 'Reference ' || {rare} || '.' END)"""


def phrase_of(c: int) -> str | None:
    """The phrase in conversation c (its first message or a note), if any."""
    j = c % PHRASE_EVERY
    return PHRASES[j % len(PHRASES)] if j < 2 * len(PHRASES) else None
