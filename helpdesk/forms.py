"""Form fields shared by the apps, and typed access to a form's fields."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.functional import lazy

from helpdesk.errors import InvalidInput
from inbox.attachments import ALLOWED, IncomingFile, incoming_uploads, megabytes

# The largest id PostgreSQL's bigint holds: a longer number is no row's id, and never reaches the database.
MAX_ID = 2**63 - 1


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of its choice field `name`, whose choices the form sets per request."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a choice field")
    return field


def picker_field(form: forms.BaseForm, name: str) -> "PickerField":
    """The form's own copy of its picker field `name`."""
    field = form.fields[name]
    if not isinstance(field, PickerField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a picker field")
    return field


class PickerField(forms.TypedChoiceField):
    """One row among many (500 teammates, 50 teams), chosen with a search picker: static/js/app.js turns the
    <select> into one (tom-select) that loads matching options from `source` (a JSON view) as the teammate types.

    The page carries only the empty choice (`empty_label`; None: there is none) and the current one, so that a form
    without JS still shows and submits its value, and a pane no longer renders 500 options. A submitted id is looked
    up (`lookup`: its label, or None for an id that may not be chosen; one query), and anything else is the form's
    "Select a valid choice" error, never a 500. The id comes out of `cleaned_data` as an int (None: empty)."""

    def __init__(
        self,
        *,
        source: str,
        lookup: Callable[[int], str | None],
        empty_label: str | None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.lookup = lookup
        self.current: tuple[int, str] | None = None
        self._empty_label = empty_label
        self.offer(None)
        self.widget.attrs["data-picker"] = reverse_lazy(source)

    @property
    def empty_label(self) -> str | None:
        return self._empty_label

    @empty_label.setter
    def empty_label(self, label: str | None) -> None:
        self._empty_label = label
        self.offer(self.current)

    def offer(self, current: tuple[int, str] | None) -> None:
        """Carry `current` (id, label) as the one choice besides the empty one."""
        self.current = current
        empty = [] if self._empty_label is None else [("", self._empty_label)]
        self.choices = empty + ([current] if current else [])

    def offer_id(self, value: object) -> None:
        """Carry the row whose id `value` is (a query parameter, say), if it may be chosen."""
        self.valid_value(value)

    def valid_value(self, value: object) -> bool:
        text = str(value)
        if not text.isdecimal() or not 0 < int(text) <= MAX_ID:
            return False
        label = self.lookup(int(text))
        if label is None:
            return False
        self.offer((int(text), label))  # shown again if the form comes back with another field's error
        return True


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Files chosen in one file input (`multiple`), as inbox.attachments.IncomingFile values for the actions' own
    check (which refuses the whole message for one bad file). Too many or too large files are refused here already,
    by their sizes, before any is read into memory; the `accept` list only helps the browser's file chooser."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        accept = ",".join(f".{extension}" for file_type in ALLOWED.values() for extension in file_type.extensions)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Attach files")
        kwargs.setdefault("help_text", lazy(attachments_help, str)())
        super().__init__(**kwargs)
        self.widget.attrs.update({"multiple": True, "accept": accept})

    def clean(self, data: Any, initial: Any = None) -> list[IncomingFile]:
        uploads = [upload for upload in (data or []) if upload]
        try:
            return incoming_uploads(uploads)
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code="attachments") from error


def attachments_help() -> str:
    """The limits, read when the form renders (a settings override in a test, too)."""
    return (
        f"Up to {settings.ATTACHMENT_MAX_FILES} files, {megabytes(settings.ATTACHMENT_MAX_BYTES)} each: images, PDFs, "
        "text and CSV files, ZIP archives, office documents."
    )
