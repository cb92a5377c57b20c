"""Rendering a console page: its template, the reader's language, and what every page shows.

Every text comes from `messages/` (the `[console]` keys and the ones Telegram shares), in the
signed-in staff member's language (their /language choice, else their Telegram's, else the
clinic's); Jinja escapes everything it is given, so nothing a patient typed becomes markup.
"""

from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from aftercare_bot.adapters.web.console import DEPS, TEMPLATES, ConsoleDeps
from aftercare_bot.services.console_access import ConsoleUser
from aftercare_bot.telegram_html import EntityParseError, parse_html

USER = web.RequestKey("console_user", ConsoleUser)
LANGUAGE = web.RequestKey("console_language", str)


def deps_of(request: web.Request) -> ConsoleDeps:
    """The console's use cases."""
    deps: ConsoleDeps = request.app[DEPS]
    return deps


def user_of(request: web.Request) -> ConsoleUser:
    """The signed-in staff member (the guard let only them through to this route)."""
    return request[USER]


def language_of(request: web.Request) -> str:
    """The language this request is answered in."""
    return request.get(LANGUAGE) or deps_of(request).config.clinic.language


def translator(request: web.Request) -> Callable[..., str]:
    """`t(key, **params)`: a text of the catalogue in the reader's language."""
    texts, language = deps_of(request).texts, language_of(request)

    def t(key: str, **params: object) -> str:
        return plain(texts.render(language, key, **params))

    return t


def plain(telegram_html: str) -> str:
    """A catalogue text (Telegram's HTML) as plain text for a page, which escapes it again:
    the tags go, the characters they escaped come back."""
    try:
        return parse_html(telegram_html)[0]
    except EntityParseError:
        return telegram_html


def render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    """The page `template`, with the reader's texts, the staff member (if signed in) and the
    CSRF token every form carries."""
    deps = deps_of(request)
    user = request.get(USER)
    t = translator(request)
    page = (
        request.app[TEMPLATES]
        .get_template(template)
        .render(
            t=t,
            user=user,
            csrf=user.csrf_token if isinstance(user, ConsoleUser) else "",
            clinic=deps.config.clinic.name,
            language=language_of(request),
            **context,
        )
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")


def problem(request: web.Request, status: int, key: str) -> web.Response:
    """A short page saying what went wrong, in the reader's language, with no detail."""
    return render(request, "problem.html", status=status, message_key=key)


def see_other(location: str) -> web.Response:
    """Go on to `location` (after a form: a reload does not post it again)."""
    return web.Response(status=303, headers={"Location": location})


_CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")


def form_text(form: Mapping[str, object], name: str, limit: int) -> str:
    """A text field of a posted form, without control characters (PostgreSQL refuses a NUL,
    and none belongs in a name or a message), at most `limit` characters; "" if absent."""
    value = form.get(name)
    return value.translate(_CONTROLS)[:limit] if isinstance(value, str) else ""


def bounded_number(text: object, default: int, low: int, high: int) -> int:
    """A whole number typed in a form or an address, at most `high`; `default` for anything
    else or below `low` (never an error: a made-up page number shows a page)."""
    if not isinstance(text, str) or not text.isdigit() or len(text) > len(str(high)):
        return default
    number = int(text)
    return default if number < low else min(number, high)
