"""Web login forms, read from a page (bounded, never executed): a form with exactly one password field,
its action and method, the user-name field and the fields sent along (hidden tokens, defaults).
Pages that log in through JavaScript have no such form and are not tried."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode

MAX_FORMS = 16
MAX_FIELDS = 64
MAX_VALUE = 1024
_TEXTUAL = frozenset({"text", "email", "tel", ""})
_PASSWORD_INPUT = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.I)


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str
    """The input's type, lower-case ('' when none was given)."""
    value: str
    checked: bool = False


@dataclass(frozen=True)
class LoginForm:
    action: str
    """As written (resolved against the page by the caller); '' is the page itself."""
    method: str
    """GET or POST."""
    fields: tuple[FormField, ...]
    user_field: str | None
    password_field: str

    def submission(self, user: str, password: str) -> str:
        """The form's fields URL-encoded, with the user name and password filled in."""
        pairs: list[tuple[str, str]] = []
        for item in self.fields:
            if item.name == self.password_field:
                pairs.append((item.name, password))
            elif item.name == self.user_field:
                pairs.append((item.name, user))
            elif _sent(item):
                pairs.append((item.name, item.value))
        return urlencode(pairs)


def _sent(item: FormField) -> bool:
    """Whether a browser submitting the form sends this field (unchecked boxes and plain buttons are left out)."""
    if item.kind in ("checkbox", "radio"):
        return item.checked
    return item.kind not in ("button", "reset", "file", "image")


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict[str, str], list[FormField]]] = []
        self._current: tuple[dict[str, str], list[FormField]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "")[:MAX_VALUE] for name, value in attrs}
        if tag == "form" and len(self.forms) < MAX_FORMS:
            self._current = (values, [])
            self.forms.append(self._current)
        elif tag in ("input", "button") and values.get("name"):
            kind = values.get("type", "submit" if tag == "button" else "").lower()
            item = FormField(values["name"], kind, values.get("value", ""), "checked" in values)
            if self._current is not None and len(self._current[1]) < MAX_FIELDS:
                self._current[1].append(item)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def login_forms(html: str, user_fields: tuple[str, ...]) -> list[LoginForm]:
    """The forms of the page that ask for one password (a form with two is a change-password form)."""
    reader = _FormReader()
    try:
        reader.feed(html)
        reader.close()
    except (AssertionError, ValueError):  # html.parser gives up on some malformed markup
        pass
    found = []
    for attributes, fields in reader.forms:
        passwords = [f for f in fields if f.kind == "password"]
        if len(passwords) != 1:
            continue
        method = "GET" if attributes.get("method", "post").lower() == "get" else "POST"
        found.append(
            LoginForm(
                attributes.get("action", ""), method, tuple(fields), _user_field(fields, user_fields), passwords[0].name
            )
        )
    return found


def has_password_input(html: str) -> bool:
    """Any password input on the page, in a form or not (a login page, or a login run by JavaScript)."""
    return bool(_PASSWORD_INPUT.search(html))


def _user_field(fields: list[FormField], names: tuple[str, ...]) -> str | None:
    textual = [f for f in fields if f.kind in _TEXTUAL]
    for wanted in names:
        for item in textual:
            if item.name.lower() == wanted:
                return item.name
    for item in textual:
        if any(word in item.name.lower() for word in ("user", "login", "name", "account")):
            return item.name
    return textual[0].name if textual else None
