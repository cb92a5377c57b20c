"""The clinic settings page (admins): hours, phone numbers, languages, quiet hours, paging and
the digest, changed without a text editor or a restart.

One form, saved all or nothing: a value that cannot be read, or a change out of bounds, is
marked on its field and nothing is stored. What is saved is audited, posted to the staff
group, taken by this instance at once and by every other within a tick.
"""

from dataclasses import dataclass

from aiohttp import web

from aftercare_bot.adapters.live_config import setting_values
from aftercare_bot.adapters.web.pages import (
    deps_of,
    form_text,
    language_of,
    plain,
    render,
    user_of,
)
from aftercare_bot.domain.clinic_settings import InvalidSetting, Setting

ROUTES = web.RouteTableDef()
# The longest value a field takes (opening hours for every day, each written out, fit).
FIELD_LIMIT = 200


@dataclass(frozen=True)
class SettingField:
    """One field of the form."""

    name: str
    label: str
    hint: str
    value: str
    problem: str
    changed: str


@ROUTES.get("/console/settings", name="settings")
async def settings(request: web.Request) -> web.StreamResponse:
    """The settings as they stand, with who last changed each."""
    return await _page(request, setting_values(deps_of(request).config))


@ROUTES.post("/console/settings", name="settings_save")
async def save(request: web.Request) -> web.StreamResponse:
    """Store what changed, or mark what cannot be stored."""
    deps, user = deps_of(request), user_of(request)
    form = await request.post()
    current = setting_values(deps.config)
    written: dict[Setting, str] = {
        setting: form_text(form, setting.value, FIELD_LIMIT)
        for setting in Setting
        if setting is not Setting.LANGUAGES
    }
    chosen = [code for code in form.getall("languages", []) if isinstance(code, str)]
    written[Setting.LANGUAGES] = ", ".join(
        dict.fromkeys([deps.config.clinic.language, *chosen[:50]])
    )
    saved = await deps.settings.save(user.user_id, user.name, written, current)
    if saved.problems:
        return await _page(request, written, saved.problems, status=400, notice="not_saved")
    await deps.live.refresh(deps.units)  # this instance at once; the others at their tick
    deps.wake.wake()  # the active instance posts the change to the staff group
    notice = "saved" if saved.changed else "unchanged"
    return await _page(request, setting_values(deps.config), notice=notice)


async def _page(
    request: web.Request,
    values: dict[Setting, str],
    problems: dict[Setting, InvalidSetting] | None = None,
    *,
    status: int = 200,
    notice: str = "",
) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    texts = deps.texts
    last = await deps.settings.last_changes()
    zone = deps.config.clinic.timezone

    def text(key: str, **params: object) -> str:
        return plain(texts.render(language, f"settings.{key}", **params))

    def changed(setting: Setting) -> str:
        change = last.get(setting.value)
        if change is None:
            return ""
        when = deps.views.when(language, change.changed_at, zone)
        return text("last_changed", who=change.changed_by_name, when=when)

    fields = [
        SettingField(
            name=setting.value,
            label=text(f"name_{setting.label}"),
            hint=text(f"hint_{setting.label}"),
            value=values.get(setting, ""),
            problem=(
                text(problems[setting].problem, **problems[setting].params)
                if problems and setting in problems
                else ""
            ),
            changed=changed(setting),
        )
        for setting in Setting
    ]
    offered = {code.strip() for code in values.get(Setting.LANGUAGES, "").split(",")}
    languages = [
        (code, texts.render(code, "meta.language_name"), code in offered)
        for code in texts.all_languages
    ]
    return render(
        request,
        "settings.html",
        status=status,
        fields=fields,
        languages=languages,
        own_language=deps.config.clinic.language,
        languages_field=Setting.LANGUAGES.value,
        notice=text(notice) if notice else "",
        problem_notice=bool(problems),
    )
