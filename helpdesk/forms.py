"""Form rendering, and typed access to a form's fields, shared by the apps."""

import html
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.safestring import SafeData, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of its choice field `name`, whose choices the form sets per request."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a choice field")
    return field


def _escape(value: object) -> str:
    """Django's `escape` (the same five characters), without its lazy-string wrapper: this runs per option."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value), quote=True)


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's widgets/attrs.html: `False` drops the attribute, `True` writes its bare name."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_select(widget: dict[str, Any]) -> str:
    """The markup of Django's select.html and select_option.html, written in Python. The template engine
    costs about 0.1 ms per option, and format_html a few microseconds, which is most of a page's time when
    an assign form lists 500 teammates (bench/: the split view went from 70 ms to a few ms)."""
    out = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_escape(group_name)}">')
        for option in group_choices:
            attrs = _attrs(option["attrs"]) if option["attrs"] else ""
            # select_option.html ends with a newline
            out.append(f'\n  <option value="{_escape(option["value"])}"{attrs}>{_escape(option["label"])}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # every piece above is escaped


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with <select> rendered in Python (same markup, without the per-option cost)."""

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        if template_name == SELECT_TEMPLATE and all(
            option.get("template_name") == "django/forms/widgets/select_option.html"
            for _name, options, _index in context["widget"]["optgroups"]
            for option in options
        ):
            return render_select(context["widget"])
        return super().render(template_name, context, request=request)
