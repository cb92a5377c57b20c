"""`/enroll`: the guided conversation staff run right after a session.

Name → session time → practitioner → plan → next session → language → product → a dry run
of the exact dated timeline → Confirm. Each answer is checked; a bad one gets the question
again with an example. `/cancel` leaves at any step and nothing is stored until Confirm.
"""

import warnings
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.handlers.pressed import take_press
from aftercare_bot.adapters.telegram.handlers.staff import deep_link
from aftercare_bot.adapters.telegram.handlers.typed_moments import read_typed
from aftercare_bot.adapters.telegram.messenger import send, send_picture
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.callback_data import EnrollChoice, pattern
from aftercare_bot.adapters.telegram.views.languages import language_buttons, language_of
from aftercare_bot.adapters.telegram.views.qr import qr_png
from aftercare_bot.domain.durations import format_duration
from aftercare_bot.domain.local_time import (
    InvalidLocalTime,
    example_input,
    same_time_weeks_later,
)
from aftercare_bot.domain.outgoing import Buttons, Outgoing
from aftercare_bot.domain.patient_names import NameProblem, NotAFirstName, first_name_only
from aftercare_bot.domain.patients import Enrollment
from aftercare_bot.domain.plan_versions import current_plan, plan_names
from aftercare_bot.domain.plans import expand
from aftercare_bot.domain.typed_dates import AmbiguousMoment, Expected
from aftercare_bot.services.clinic_lists import Offered

NAME, SESSION, PRACTITIONER, PLAN, NEXT, LANGUAGE, PRODUCT, CONFIRM = range(8)
_DRAFT = "enroll_draft"
NEXT_SESSION_WEEKS = (2, 3, 4)
MAX_FIELD = 64
# Listed practitioners, and products with their batches, offered as buttons at most.
OFFERED_AT_MOST = 8


@dataclass(frozen=True)
class Draft:
    """What staff have answered so far."""

    name: str = ""
    session_at: datetime | None = None
    practitioner: str = ""
    plan: str = ""
    next_at: datetime | None = None
    language: str | None = None
    product: str | None = None
    batch: str | None = None


def _draft(context: AftercareContext) -> Draft:
    return cast(Draft, (context.user_data or {}).get(_DRAFT, Draft()))


def _save(context: AftercareContext, draft: Draft) -> None:
    cast(dict[str, Any], context.user_data)[_DRAFT] = draft


def _button(
    context: AftercareContext, language: str, key: str, value: str, **params: object
) -> tuple[str, str]:
    return (
        context.services.texts.render(language, key, **params),
        EnrollChoice(value).data(),
    )


async def _ask(
    update: Update, context: AftercareContext, key: str, buttons: Buttons = (), **params: object
) -> None:
    language = language_of(update, context)
    # A session has taken place: its example is yesterday; the next one's is tomorrow.
    days = -1 if key in ("enroll.ask_session", "enroll.bad_session") else 1
    example = example_input(
        context.services.clock.now(), context.services.config.clinic.timezone, days_ahead=days
    )
    note = str(params.pop("note", ""))  # a warning before the question, in the same message
    text = context.views.texts.render(language, key, example=example, **params)
    question = Outgoing(f"{note}\n\n{text}" if note else text, buttons)
    assert update.effective_chat is not None
    await send(context.bot, update.effective_chat.id, question)


async def _pressed(update: Update, context: AftercareContext) -> str | None:
    """The value of an enroll button; its buttons go at once, so it counts once."""
    pressed = await take_press(update, context, EnrollChoice.parse, clear=True)
    return pressed.value if pressed is not None else None


# The next-session buttons by the value they press: a typed label is taken as that press.
_NEXT_CHOICES: dict[str, tuple[str, dict[str, object]]] = {
    **{f"w{weeks}": ("buttons.in_weeks", {"count": weeks}) for weeks in (2, 3, 4)},
    "none": ("buttons.unknown_next", {}),
}


def _typed(update: Update, context: AftercareContext, key: str, **params: object) -> bool:
    """Whether the staff member typed a button's label, in any offered language, instead of
    pressing it: a typed label is the button (never "Skip" stored as a product's name)."""
    typed = " ".join(_text(update).split()).casefold()
    texts = context.services.texts
    return bool(typed) and any(
        typed == texts.render(code, key, **params).casefold() for code in texts.languages
    )


def _typed_choice(
    update: Update, context: AftercareContext, choices: dict[str, tuple[str, dict[str, object]]]
) -> str | None:
    """The value of the button whose label was typed, if any."""
    if update.callback_query is not None:
        return None
    return next(
        (
            value
            for value, (key, params) in choices.items()
            if _typed(update, context, key, **params)
        ),
        None,
    )


_DATES = "enroll_dates"  # the two readings of an ambiguous typed date, while staff pick one


async def _ask_which_date(
    update: Update, context: AftercareContext, moment: AmbiguousMoment
) -> None:
    """3/12: 3 December or 12 March? Both, with weekday and month name, as buttons."""
    cast(dict[str, Any], context.user_data)[_DATES] = (moment.day_first, moment.month_first)
    language = language_of(update, context)
    zone = context.services.config.clinic.timezone
    views = context.views
    buttons = tuple(
        ((views.when(language, at, zone), EnrollChoice(f"date{index}").data()),)
        for index, at in enumerate((moment.day_first, moment.month_first))
    )
    await _ask(update, context, "enroll.which_date", buttons)


def _picked_date(context: AftercareContext, value: str | None) -> datetime | None:
    """The reading pressed after `_ask_which_date`, if that is what was pressed."""
    dates = cast(dict[str, Any], context.user_data).pop(_DATES, None)
    if dates is None or value not in ("date0", "date1"):
        return None
    picked: datetime = dates[int(value[-1])]
    return picked


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message else ""


async def enroll_command(update: Update, context: AftercareContext) -> int:
    """Staff: start enrolling a patient."""
    if update.effective_chat is None or update.effective_chat.type != "private":
        await _ask(update, context, "staff.private_only")
        return ConversationHandler.END
    if not await require_staff(update, context):
        return ConversationHandler.END
    _save(context, Draft())
    await _ask(update, context, "enroll.ask_name")
    return NAME


async def on_name(update: Update, context: AftercareContext) -> int:
    """The patient's first name; anything more is refused with the reason, and asked again."""
    try:
        name = first_name_only(_text(update))
    except NotAFirstName as refusal:
        await _ask(update, context, name_refusal_key(refusal.problem))
        return NAME
    _save(context, replace(_draft(context), name=name))
    language = language_of(update, context)
    namesakes = await context.services.staff_requests.followed_named(name)
    note = ""
    if namesakes:
        codes = ", ".join(patient.code for patient in namesakes)
        note = context.views.texts.render(language, "enroll.same_name", name=name, codes=codes)
    await _ask(
        update,
        context,
        "enroll.ask_session",
        ((_button(context, language, "buttons.now", "now"),),),
        note=note,
    )
    return SESSION


def name_refusal_key(problem: NameProblem) -> str:
    """The message telling staff why a name was refused."""
    return "enroll.bad_name" if problem is NameProblem.NOT_A_NAME else f"names.{problem}"


async def on_session(update: Update, context: AftercareContext) -> int:
    """When the session took place: Now, or a typed date and time."""
    services = context.services
    now = services.clock.now()
    if update.callback_query is not None or _typed(update, context, "buttons.now"):
        picked = _picked_date(context, await _pressed(update, context))
        session_at = picked or now
    else:
        try:
            typed = read_typed(context, _text(update), Expected.PAST)
            if isinstance(typed, AmbiguousMoment):
                await _ask_which_date(update, context, typed)
                return SESSION
            session_at = typed.at
        except InvalidLocalTime:
            language = language_of(update, context)
            await _ask(
                update,
                context,
                "enroll.bad_session",
                ((_button(context, language, "buttons.now", "now"),),),
            )
            return SESSION
    _save(context, replace(_draft(context), session_at=session_at))
    language = language_of(update, context)
    me = update.effective_user.first_name if update.effective_user else ""
    offered = await _offered(context)
    listed = [
        (entry.name[:MAX_FIELD], EnrollChoice(f"p{entry.id}").data())
        for entry in offered.practitioners[:OFFERED_AT_MOST]
        if entry.name != me
    ]
    await _ask(
        update,
        context,
        "enroll.ask_practitioner",
        (
            (_button(context, language, "buttons.me", "me", name=me),),
            *(tuple(listed[row : row + 2]) for row in range(0, len(listed), 2)),
        ),
    )
    return PRACTITIONER


async def _offered(context: AftercareContext) -> Offered:
    """The practitioners and products the clinic lists, as of today in the clinic."""
    services = context.services
    today = services.clock.now().astimezone(services.config.clinic.timezone).date()
    return await services.clinic_lists.offered(today)


async def on_practitioner(update: Update, context: AftercareContext) -> int:
    """Who performed the session: the staff member, a listed practitioner, or a typed name
    (taken as the listed one it matches; a new one joins the list)."""
    me = update.effective_user.first_name if update.effective_user else ""
    if update.callback_query is not None:
        value = await _pressed(update, context)
        chosen = me if value == "me" else (await _offered(context)).practitioner(value or "")
        if chosen is None:  # merged or withdrawn since the question: ask again
            await _ask(update, context, "enroll.bad_practitioner")
            return PRACTITIONER
        practitioner = chosen
    elif _typed(update, context, "buttons.me", name=me):
        practitioner = me
    else:
        practitioner = " ".join(_text(update).split())[:MAX_FIELD]
        if not practitioner or practitioner.startswith("/"):
            await _ask(update, context, "enroll.bad_practitioner")
            return PRACTITIONER
    _save(context, replace(_draft(context), practitioner=practitioner))
    plans = plan_names(context.services.plans)
    if len(plans) == 1:
        _save(context, replace(_draft(context), plan=plans[0]))
        return await _ask_next(update, context)
    default = context.services.config.schedule.default_plan
    ordered = sorted(plans, key=lambda name: name != default)
    await _ask(
        update,
        context,
        "enroll.ask_plan",
        tuple(((name, EnrollChoice(name).data()),) for name in ordered),
    )
    return PLAN


async def on_plan(update: Update, context: AftercareContext) -> int:
    """The aftercare plan, from the configured ones."""
    value = await _pressed(update, context)
    if value is None or value not in plan_names(context.services.plans):
        return PLAN
    _save(context, replace(_draft(context), plan=value))
    return await _ask_next(update, context)


async def _ask_next(update: Update, context: AftercareContext) -> int:
    language = language_of(update, context)
    buttons = (
        tuple(
            _button(context, language, "buttons.in_weeks", f"w{weeks}", count=weeks)
            for weeks in NEXT_SESSION_WEEKS
        ),
        (_button(context, language, "buttons.unknown_next", "none"),),
    )
    await _ask(update, context, "enroll.ask_next", buttons)
    return NEXT


async def on_next(update: Update, context: AftercareContext) -> int:
    """The next session: in 2/3/4 weeks at the same time, not known, or a typed date."""
    draft = _draft(context)
    zone = context.services.config.clinic.timezone
    assert draft.session_at is not None
    next_at: datetime | None
    typed = _typed_choice(update, context, _NEXT_CHOICES)
    if update.callback_query is not None or typed is not None:
        value = typed or await _pressed(update, context) or ""
        next_at = _picked_date(context, value) or (
            same_time_weeks_later(draft.session_at, int(value[1:]), zone)
            if value.startswith("w") and value[1:].isdigit()
            else None
        )
    else:
        try:
            moment = read_typed(context, _text(update), Expected.FUTURE)
            if isinstance(moment, AmbiguousMoment):
                await _ask_which_date(update, context, moment)
                return NEXT
            next_at = moment.at
        except InvalidLocalTime:
            next_at = None
        if next_at is None or next_at <= draft.session_at:
            return await _ask_next_again(update, context)
    _save(context, replace(draft, next_at=next_at))
    language = language_of(update, context)
    texts = context.services.texts
    buttons = (
        *language_buttons(texts, lambda code: EnrollChoice(code).data()),
        (_button(context, language, "buttons.telegram_language", "auto"),),
    )
    await _ask(update, context, "enroll.ask_language", buttons)
    return LANGUAGE


async def _ask_next_again(update: Update, context: AftercareContext) -> int:
    await _ask(update, context, "enroll.bad_next")
    return await _ask_next(update, context)


async def on_language(update: Update, context: AftercareContext) -> int:
    """The patient's language, or theirs from Telegram."""
    value = await _pressed(update, context)
    texts = context.services.texts
    if value != "auto" and value not in texts.languages:
        return LANGUAGE
    _save(context, replace(_draft(context), language=None if value == "auto" else value))
    await _ask(update, context, "enroll.ask_product", await _product_buttons(update, context))
    return PRODUCT


async def _product_buttons(update: Update, context: AftercareContext) -> Buttons:
    """Skip, then the listed products with their usable batches."""
    language = language_of(update, context)
    choices = (await _offered(context)).products[:OFFERED_AT_MOST]
    return (
        (_button(context, language, "buttons.skip", "skip"),),
        *(((choice.label[:MAX_FIELD], EnrollChoice(choice.key).data()),) for choice in choices),
    )


async def on_product(update: Update, context: AftercareContext) -> int:
    """Optionally the product and its batch: a listed one pressed, or "Product, LOT123"
    typed (taken as the listed ones it matches; new ones join the lists)."""
    product = batch = None
    if update.callback_query is not None:
        value = await _pressed(update, context)
        if value != "skip":
            choice = (await _offered(context)).product(value or "")
            if choice is None:  # withdrawn since the question: ask again
                await _ask(
                    update, context, "enroll.bad_product", await _product_buttons(update, context)
                )
                return PRODUCT
            product, batch = choice.product, choice.lot
    elif _typed(update, context, "buttons.skip"):
        pass
    else:
        parts = [" ".join(part.split())[:MAX_FIELD] for part in _text(update).split(",")]
        if not parts[0] or len(parts) > 2 or parts[0].startswith("/"):
            language = language_of(update, context)
            await _ask(
                update,
                context,
                "enroll.bad_product",
                ((_button(context, language, "buttons.skip", "skip"),),),
            )
            return PRODUCT
        product, batch = parts[0], (parts[1] or None) if len(parts) == 2 else None
    _save(context, replace(_draft(context), product=product, batch=batch))
    await _show_preview(update, context)
    return CONFIRM


async def _show_preview(update: Update, context: AftercareContext) -> None:
    services, views = context.services, context.views
    draft = _draft(context)
    language = language_of(update, context)
    zone = services.config.clinic.timezone
    plan = current_plan(services.plans, draft.plan)
    assert draft.session_at is not None and plan is not None
    planned = expand(
        plan,
        session_at=draft.session_at,
        linked_at=None,
        next_appointment_at=draft.next_at,
        zone=zone,
        quiet=services.config.schedule.quiet_hours,
    )
    texts = services.texts
    preview = views.texts.render(
        language,
        "enroll.preview",
        name=draft.name,
        session=views.when(language, draft.session_at, zone),
        practitioner=draft.practitioner,
        plan=plan.name,
        sessions=plan.sessions,
        spacing=format_duration(plan.spacing),
        next=views.when(language, draft.next_at, zone)
        if draft.next_at
        else texts.render(language, "enroll.unknown_next"),
        patient_language=texts.render(draft.language, "meta.language_name")
        if draft.language
        else texts.render(language, "enroll.telegram_language"),
        product=", ".join(filter(None, (draft.product, draft.batch)))
        or texts.render(language, "enroll.no_product"),
        zone=str(zone),
        timeline=views.timeline(language, planned, zone, services.clock.now()),
    )
    buttons = (
        (
            _button(context, language, "buttons.confirm", "confirm"),
            _button(context, language, "buttons.cancel", "cancel"),
        ),
    )
    message = Outgoing(preview, buttons)
    assert update.effective_chat is not None
    await send(context.bot, update.effective_chat.id, message)


async def on_confirm(update: Update, context: AftercareContext) -> int:
    """Store the enrollment and hand staff the link and its QR code."""
    value = await _pressed(update, context)
    if value != "confirm":
        return await cancel_command(update, context)
    services = context.services
    draft = _draft(context)
    assert draft.session_at is not None and update.effective_user is not None
    enrollment = Enrollment(
        display_name=draft.name,
        session_at=draft.session_at,
        practitioner=draft.practitioner,
        plan_name=draft.plan,
        timezone=str(services.config.clinic.timezone),
        language=draft.language,
        next_appointment_at=draft.next_at,
        product=draft.product,
        batch=draft.batch,
        enrolled_by=update.effective_user.id,
    )
    enrolled, link = await services.staff_requests.enroll(enrollment)
    cast(dict[str, Any], context.user_data).pop(_DRAFT, None)
    await send_link(
        update,
        context,
        enrolled.patient.code,
        draft.name,
        link.token,
        link.expires_at,
        patient_language=draft.language,
    )
    return ConversationHandler.END


async def send_link(
    update: Update,
    context: AftercareContext,
    code: str,
    name: str,
    token: str,
    expires: datetime,
    *,
    patient_language: str | None = None,
) -> None:
    """The deep link as text for the staff member, then the same link as a QR code to scan
    from the screen, captioned in the patient's language (the staff member's when the patient
    is to get their Telegram language, not known until they open the link)."""
    views = context.views
    language = language_of(update, context)
    link = deep_link(context, token)
    zone = context.services.config.clinic.timezone
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    done = views.texts.render(
        language,
        "enroll.done",
        name=name,
        code=code,
        link=link,
        expires=views.when(language, expires, zone),
    )
    await send(context.bot, chat_id, done)
    # The picture (and its caption, with the link) is what staff show or forward to the
    # patient: in the patient's language, dated for her.
    reader = patient_language or language
    caption = views.texts.render(
        reader,
        "enroll.qr_caption",
        code=code,
        link=link,
        expires=views.when(reader, expires, zone),
    )
    await send_picture(context.bot, chat_id, qr_png(link), caption)


async def cancel_command(update: Update, context: AftercareContext) -> int:
    """Leave the enrollment; nothing was stored."""
    cast(dict[str, Any], context.user_data).pop(_DRAFT, None)
    await _ask(update, context, "enroll.cancelled")
    return ConversationHandler.END


async def on_stale_button(update: Update, context: AftercareContext) -> None:
    """A button of an enrollment that is no longer open (finished, cancelled, or a restart)."""
    await _pressed(update, context)
    await _ask(update, context, "enroll.expired_step")


def enroll_handlers() -> list[BaseHandler[Update, AftercareContext, Any]]:
    """The enrollment conversation, and the catch-all for its stale buttons."""
    text = filters.TEXT & ~filters.COMMAND
    button = pattern(EnrollChoice.FAMILY)
    with warnings.catch_warnings():
        # Buttons here belong to the conversation's latest prompt; per-message tracking
        # (what PTB warns about) would split one enrollment across several conversations.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation = ConversationHandler(
            entry_points=[CommandHandler("enroll", enroll_command)],
            states={
                NAME: [MessageHandler(text, on_name)],
                SESSION: [
                    CallbackQueryHandler(on_session, pattern=button),
                    MessageHandler(text, on_session),
                ],
                PRACTITIONER: [
                    CallbackQueryHandler(on_practitioner, pattern=button),
                    MessageHandler(text, on_practitioner),
                ],
                PLAN: [CallbackQueryHandler(on_plan, pattern=button)],
                NEXT: [
                    CallbackQueryHandler(on_next, pattern=button),
                    MessageHandler(text, on_next),
                ],
                LANGUAGE: [CallbackQueryHandler(on_language, pattern=button)],
                PRODUCT: [
                    CallbackQueryHandler(on_product, pattern=button),
                    MessageHandler(text, on_product),
                ],
                CONFIRM: [CallbackQueryHandler(on_confirm, pattern=button)],
            },
            fallbacks=[CommandHandler("cancel", cancel_command)],
            allow_reentry=True,
        )
    return [conversation, CallbackQueryHandler(on_stale_button, pattern=button)]
