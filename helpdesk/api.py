"""The JSON API under /api/v1/ (django-ninja): one router per app (inbox/api.py, tickets/api.py) mounted here, the
token check, the one shape of every error, and cursor pagination.

Every write goes through the app's actions, as the browser's do, so every rule of DESIGN.md section 3 holds here
too, with the same messages. A request carries `Authorization: Bearer hdk_...`; ApiMiddleware (helpdesk/
api_middleware.py) finds the token, counts it against its rate limit and replays idempotent POSTs before any of
this runs. Errors are always `{"error": {"code", "message", "fields"}}` with a 4xx status.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer

from helpdesk.errors import DomainError, InvalidInput, NotFound, RuleViolation
from helpdesk.models import ApiScope, ApiToken
from helpdesk.pagination import InvalidCursor, Key, decode_cursor, paginate
from inbox.models import Teammate


class ErrorDetail(Schema):
    code: str = Field(description="What kind of error: a stable word to branch on.")
    message: str = Field(description="What went wrong, written for a person.")
    fields: dict[str, list[str]] = Field(default={}, description="Per input field, what is wrong with it.")


class ErrorOut(Schema):
    error: ErrorDetail


# The statuses an operation may answer with an ErrorOut (each operation declares them, for its clients and for
# schemathesis): bad request, no token, missing scope, not found, refused, rate-limited.
ERRORS = frozenset({400, 401, 403, 404, 422, 429})


def error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> HttpResponse:
    from helpdesk.http import json_response

    return json_response({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


NUL_REFUSED = "Text may not contain NUL (\\u0000) characters."


def holds_nul(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(holds_nul(key) or holds_nul(value) for key, value in data.items())
    if isinstance(data, list):
        return any(holds_nul(item) for item in data)
    return False


class JsonParser(Parser):
    """JSON bodies and query strings, refusing text with NUL characters, which no text column can hold."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if holds_nul(data):
            raise ValueError(NUL_REFUSED)  # ninja answers 400 with it (http_error)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        if holds_nul(parsed):
            raise HttpError(400, NUL_REFUSED)
        return parsed


class MissingScope(Exception):
    def __init__(self, scope: ApiScope):
        super().__init__(f"This token may not do that: it needs the scope “{scope.value}” ({scope.label}).")


class BackOfficeOnly(Exception):
    """The API is not scoped per teammate yet: a token acting as a back-office-only teammate (tickets/access.py)
    would reach the whole inbox, so it reaches nothing."""

    def __init__(self, teammate: Teammate):
        super().__init__(
            f"This token acts as {teammate}, whose access is back office only; the API needs full access for now."
        )


def has_scope(token: ApiToken, scope: ApiScope) -> bool:
    """A write scope includes reading the same family."""
    family = scope.value.split(":")[0]
    return scope.value in token.scopes or (scope.value.endswith(":read") and f"{family}:write" in token.scopes)


class TokenAuth(HttpBearer):
    """The token ApiMiddleware found (None: no token, or an unknown or revoked one: 401), if it has one of `scopes`
    (else 403, naming the first)."""

    def __init__(self, *scopes: ApiScope):
        super().__init__()
        self.scopes = scopes

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token: ApiToken | None = getattr(request, "api_token", None)
        if api_token is not None and api_token.teammate.back_office_only:
            raise BackOfficeOnly(api_token.teammate)
        if api_token is not None and not any(has_scope(api_token, scope) for scope in self.scopes):
            raise MissingScope(self.scopes[0])
        return api_token


def actor(request: HttpRequest) -> Teammate:
    """The teammate the request's token acts as."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]  # set by ninja from TokenAuth
    return token.teammate


api = NinjaAPI(
    title="Help desk API",
    version="1",
    description=(
        "Back-office tickets, conversations and contacts for the team's own tools. Authenticate with "
        "`Authorization: Bearer <token>` (tokens are made in the admin). Every POST accepts an `Idempotency-Key` "
        "header: the same key replays the first response for 24 hours. Errors are always "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
    parser=JsonParser(),
)


def _fields_of(errors: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for problem in errors:
        location = [str(part) for part in problem.get("loc", ())]
        # ("body", <the operation's parameter>, field...) or ("query" | "path", field...): the field is what a
        # client knows.
        location = location[2:] if location[:1] == ["body"] else location[1:]
        fields.setdefault(".".join(location) or "request", []).append(str(problem.get("msg", "Invalid value.")))
    return fields


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error(
        422, "invalid_request", "The request does not match what this operation takes.", _fields_of(exc.errors)
    )


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(401, "unauthorized", "Send a valid API token: `Authorization: Bearer <token>`.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(MissingScope)
def missing_scope(request: HttpRequest, exc: MissingScope) -> HttpResponse:
    return error(403, "insufficient_scope", str(exc))


@api.exception_handler(BackOfficeOnly)
def back_office_only(request: HttpRequest, exc: BackOfficeOnly) -> HttpResponse:
    return error(403, "back_office_only", str(exc))


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return error(404, "not_found", exc.message)


@api.exception_handler(Http404)
def no_such_path(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(404, "not_found", "There is nothing at this address.")


@api.exception_handler(DomainError)
def refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    code = "rule_violation" if isinstance(exc, RuleViolation) else "invalid_input"
    return error(422, code, exc.message, exc.errors if isinstance(exc, InvalidInput) else None)


@api.exception_handler(InvalidCursor)
def bad_cursor(request: HttpRequest, exc: InvalidCursor) -> HttpResponse:
    return error(400, "invalid_cursor", exc.message, {"cursor": [exc.message]})


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Among them, a body that is not JSON: ninja's message, then why (the parser's error)."""
    reason = f" ({exc.__cause__})" if exc.__cause__ else ""
    return error(exc.status_code, "bad_request", f"{exc.message}{reason}")


class Ref(Schema):
    id: int
    name: str


class TeammateRef(Schema):
    id: int
    name: str = Field(validation_alias="display_name")


def as_json(schema: type[Schema], row: Any) -> dict[str, Any]:
    """A row exactly as the API shows it (times to the millisecond, as its renderer writes them), as JSON-safe data:
    a webhook's payload."""
    return json.loads(json.dumps(schema.from_orm(row).model_dump(), cls=NinjaJSONEncoder))


class ListOut(Schema):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


PER_PAGE = 25
MAX_PER_PAGE = 100
BY_PK = [Key("pk")]  # timelines (oldest first) and contacts
# By last update, newest or oldest first, then the pk: what the ticket and conversation lists' indexes serve.
UPDATED_ORDERINGS = {
    "newest": [Key("updated_at", descending=True), Key("pk", descending=True)],
    "oldest": [Key("updated_at"), Key("pk")],
}


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=1000, description="The `next_cursor` of the page before.")
    per_page: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE)


class UpdatedListQuery(PageQuery):
    updated_since: datetime | None = Field(None, description="Only what was updated at or after this moment.")
    sort: Literal["newest", "oldest"] = Field("newest", description="By last update: newest or oldest first.")

    def filters(self) -> dict[str, Any]:
        """The list's own filters: every field but the page's and the order's."""
        return self.dict(exclude={"cursor", "per_page", "sort"})


def page_of(queryset: QuerySet, *, keys: Sequence[Key], query: PageQuery) -> dict[str, Any]:
    """The page of rows after `query.cursor` (none: the first page), with the cursor of the next. Raises
    InvalidCursor."""
    place = decode_cursor(query.cursor, keys=keys) if query.cursor else None
    page = paginate(queryset, keys=keys, cursor=place, page_size=query.per_page)
    return {"data": page.rows, "next_cursor": page.next_cursor}


_mounted: list[bool] = []


def mounted() -> NinjaAPI:
    """The API with each app's router (tickets/api.py, inbox/api.py), mounted at the first call: the routers import
    this module, so it cannot import them as it loads."""
    if not _mounted:
        from inbox.api import router as inbox_router
        from tickets.api import router as tickets_router

        api.add_router("", tickets_router)
        api.add_router("", inbox_router)
        _mounted.append(True)
    return api
