"""Ticket types with their attributes (inline), sharing policy, icon, states and response targets."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Field, ManyToManyField, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from helpdesk.admin import (
    annotated_count,
)
from helpdesk.icons import TicketIcon, icon_svg
from tickets import actions
from tickets.attributes import KINDS
from tickets.models import (
    OWNED_CATEGORIES,
    POLICIES_BY_CATEGORY,
    SharingPolicy,
    StateCategory,
    Ticket,
    TicketAttribute,
    TicketCategory,
    TicketState,
    TicketType,
)

# The sharing policies grouped under the category they fit, so the select shows which goes with which.
POLICY_CHOICES = [
    ("", "---------"),
    *(
        (f"{TicketCategory(category).label} types", [(p.value, p.label) for p in policies])
        for category, policies in POLICIES_BY_CATEGORY.items()
    ),
]

# Each icon choice shows the icon itself: the admin picks what it sees, not a name.
ICON_CHOICES = [(icon.value, format_html("{} {}", icon_svg(icon.value), icon.label)) for icon in TicketIcon]


class OptionsField(forms.CharField):
    """A list attribute's options, edited one per line and stored as a JSON list of strings."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 18})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(map(str, value)) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # CharField's gives a str; this, the list
        if isinstance(value, list):
            return value
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]


class TicketAttributeForm(forms.ModelForm):
    options = OptionsField(required=False, help_text="For lists: one option per line.")

    class Meta:
        model = TicketAttribute
        fields = "__all__"
        widgets = {  # narrow inputs: the inline has ten columns
            "key": forms.TextInput(attrs={"size": 14}),
            "name": forms.TextInput(attrs={"size": 16}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, options = cleaned.get("kind"), cleaned.get("options") or []
        if kind in KINDS and KINDS[kind].has_options and not options:
            self.add_error("options", "A list attribute needs at least one option (one per line).")
        elif kind in KINDS and not KINDS[kind].has_options and options:
            self.add_error("options", "Only list attributes have options: clear them, or choose “List of options”.")
        elif len(set(options)) != len(options):
            self.add_error("options", "Each option must appear once.")
        if cleaned.get("required_to_create") and not cleaned.get("visible_on_create"):
            self.add_error("visible_on_create", "An attribute required to create must be visible on create.")
        if cleaned.get("required_for_customers") and not cleaned.get("visible_to_customers"):
            self.add_error("visible_to_customers", "An attribute required for customers must be visible to them.")
        self.refuse_changing_stored_values(cleaned)
        return cleaned

    def refuse_changing_stored_values(self, cleaned: dict[str, Any]) -> None:
        """Tickets keep their values under the attribute's key, read as its kind: once any ticket holds one,
        a new key would orphan them and a new kind misread them."""
        stored = self.instance.pk and {"key", "kind"} & set(self.changed_data)
        if (
            stored
            and Ticket.objects.filter(
                ticket_type_id=self.instance.ticket_type_id, attributes__has_key=self.instance.key
            ).exists()
        ):
            message = (
                f"Tickets already hold values of “{self.instance.name}”: its key and kind cannot change. "
                "Archive it and add a new attribute instead."
            )
            for field in sorted(stored):
                self.add_error(field, message)


class TicketAttributeInline(admin.TabularInline):
    model = TicketAttribute
    form = TicketAttributeForm
    fields = [
        "key",
        "name",
        "kind",
        "options",
        "required_to_create",
        "visible_on_create",
        "visible_to_customers",
        "required_for_customers",
        "required_to_resolve",
        "archived",
        "position",
    ]
    ordering = ["position", "pk"]
    extra = 0
    can_delete = False  # tickets keep their values: archive an attribute instead

    def has_delete_permission(self, request: HttpRequest, obj: TicketType | None = None) -> bool:
        return False


class StateChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, state: TicketState) -> str:
        label = state.internal_label
        if label != state.get_category_display():
            label = f"{label} ({state.get_category_display()})"
        return f"{label}, archived" if state.archived else label


class TicketTypeForm(forms.ModelForm):
    sharing_policy = forms.ChoiceField(
        choices=POLICY_CHOICES,
        required=False,
        help_text="Customer types are always customer-visible and tracker types never (left empty, it is set "
        "for you); a back-office type is either never shared or shared when the teammate chooses.",
    )

    class Meta:
        model = TicketType
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Archived states are never offered; those the type already has still show.
        states = self.fields.get("states")
        if isinstance(states, forms.ModelChoiceField):
            held = self.instance.states.values("pk") if self.instance.pk else TicketState.objects.none()
            states.queryset = TicketState.objects.filter(Q(archived=False) | Q(pk__in=held))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._clean_sharing_policy(cleaned)
        category = cleaned.get("category", self.instance.category)
        if category in OWNED_CATEGORIES and not cleaned.get("default_team") and "default_team" not in self.errors:
            self.add_error(
                "default_team",
                f"Choose the team that works new {TicketCategory(category).label.lower()} tickets of this type: "
                "each one belongs to a team, so that it shows in that team's tickets.",
            )
        for name in ("first_action_target", "resolution_target"):
            target = cleaned.get(name)
            if target is not None and category != TicketCategory.BACK_OFFICE:
                self.add_error(name, "Response targets are for back-office types only: leave it empty.")
            elif target is not None and target.total_seconds() < 60:
                self.add_error(name, "A response target is at least one minute (e.g. 0:30:00 for half an hour).")
        states = cleaned.get("states")
        if states is not None:
            live = {state.category for state in states if not state.archived}
            if missing := [category.label for category in StateCategory if category not in live]:
                self.add_error(
                    "states",
                    "A ticket type offers at least one live state of each category; "
                    f"add a state for: {', '.join(missing)}.",
                )
        return cleaned

    def _clean_sharing_policy(self, cleaned: dict[str, Any]) -> None:
        if "category" not in self.fields:
            return  # read-only: the type has tickets, which copied its category and policy
        category, policy = cleaned.get("category"), cleaned.get("sharing_policy")
        if not category:
            return
        fitting = POLICIES_BY_CATEGORY[TicketCategory(category)]
        if not policy and len(fitting) == 1:
            cleaned["sharing_policy"] = policy = fitting[0].value
        if not policy:
            self.add_error("sharing_policy", "Choose whether tickets of this type are never shared or optional.")
        elif policy not in fitting:
            self.add_error(
                "sharing_policy",
                f"A {TicketCategory(category).label.lower()} type cannot be “{SharingPolicy(policy).label}”; "
                f"choose {' or '.join(f'“{p.label}”' for p in fitting)}.",
            )
        elif self.instance.pk and self.has_changed() and {"category", "sharing_policy"} & set(self.changed_data):
            if self.instance.tickets.exists():  # a ticket was created since the page was loaded
                self.add_error("category", "This type has tickets now: its category and sharing policy are fixed.")


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    form = TicketTypeForm
    list_display = ["type_name", "category", "sharing_policy", "default_team", "archived", "ticket_count"]
    list_filter = ["category", "sharing_policy", "default_team", "archived"]
    list_select_related = ["default_team"]
    search_fields = ["name", "description"]
    ordering = ["archived", "name"]
    fields = (
        "name",
        "icon",
        "description",
        "category",
        "sharing_policy",
        "default_team",
        "first_action_target",
        "resolution_target",
        "states",
        "archived",
    )
    filter_horizontal = ["states"]
    radio_fields = {"icon": admin.HORIZONTAL}
    inlines = [TicketAttributeInline]
    actions = ["archive_selected", "unarchive_selected"]

    class Media:
        css = {"all": ["admin/css/icons.css"]}  # the icons' size: the admin does not load app.css

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketType]:
        return super().get_queryset(request).annotate(ticket_count=Count("tickets"))

    def get_fields(self, request: HttpRequest, obj: TicketType | None = None) -> tuple[str, ...]:
        return self.fields if obj else tuple(field for field in self.fields if field != "archived")

    def get_readonly_fields(self, request: HttpRequest, obj: TicketType | None = None) -> list[str]:
        readonly = ["archived"]  # archived and un-archived by the list's actions, through tickets.actions
        if obj is not None and obj.tickets.exists():
            readonly += ["category", "sharing_policy"]
        return readonly

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"states": TicketState.objects.filter(archived=False), **super().get_changeform_initial_data(request)}

    def formfield_for_manytomany(
        self, db_field: "ManyToManyField[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelMultipleChoiceField[Any] | None":
        if db_field.name == "states":
            kwargs["form_class"] = StateChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_choice_field(
        self, db_field: "Field[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> forms.TypedChoiceField | None:
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if field is not None and db_field.name == "icon":
            field.choices = ICON_CHOICES
        return field

    def has_delete_permission(self, request: HttpRequest, obj: TicketType | None = None) -> bool:
        return False

    @admin.display(description="Ticket type", ordering="name")
    def type_name(self, ticket_type: TicketType) -> str:
        return format_html("{} {}", icon_svg(ticket_type.icon), ticket_type.name)

    @admin.display(description="Tickets", ordering="ticket_count")
    def ticket_count(self, ticket_type: TicketType) -> int:
        return annotated_count(ticket_type, "ticket_count")

    @admin.action(description="Archive selected ticket types")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[TicketType]) -> None:
        count = sum(actions.archive_ticket_type(ticket_type_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Archived {count} ticket type(s); their tickets are kept.", messages.SUCCESS)

    @admin.action(description="Un-archive selected ticket types")
    def unarchive_selected(self, request: HttpRequest, queryset: QuerySet[TicketType]) -> None:
        count = sum(actions.unarchive_ticket_type(ticket_type_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Un-archived {count} ticket type(s).", messages.SUCCESS)
