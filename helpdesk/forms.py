"""Form rendering shared by the apps."""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html: `False` drops the attribute, `True` writes its bare name."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


def render_select(widget: dict) -> str:
    """The markup of Django's select.html and select_option.html, written in Python. The template engine
    costs about 0.1 ms per option, which is most of a page's time when an assign form lists 500 teammates
    (bench/: the split view went from 70 ms to a few ms)."""
    html = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            html.append(
                format_html('\n  <option value="{}"', str(option["value"]))
                + _attrs(option["attrs"])
                + ">"
                + conditional_escape(option["label"])
                + "</option>\n"  # select_option.html ends with a newline
            )
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return mark_safe("".join(html))  # every piece above is escaped


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with <select> rendered in Python (same markup, without the per-option cost)."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE and all(
            option.get("template_name") == "django/forms/widgets/select_option.html"
            for _name, options, _index in context["widget"]["optgroups"]
            for option in options
        ):
            return render_select(context["widget"])
        return super().render(template_name, context, request=request)
