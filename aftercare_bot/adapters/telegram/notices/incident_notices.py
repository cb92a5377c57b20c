"""The Telegram side of escalation's ports: incident cards to staff, notices to patients.

Every message that shows an incident is remembered (`incident_copies`), so a change made from
any of them (or from the next front end) is edited into all of them.
"""

import logging
from collections.abc import Sequence

from telegram import Bot, Message
from telegram.error import TelegramError

from aftercare_bot.adapters.telegram.messenger import Edit, edit, send
from aftercare_bot.adapters.telegram.notices.staff_notices import staff_member_language
from aftercare_bot.adapters.telegram.runtime.context import Services
from aftercare_bot.adapters.telegram.runtime.pacing import sent_as
from aftercare_bot.adapters.telegram.views.incidents import card
from aftercare_bot.domain.incidents import (
    CARD_COPY,
    PAGE_COPY,
    POST_COPY,
    REMINDER_COPY,
    Incident,
    IncidentCopy,
    IncidentUrgency,
)
from aftercare_bot.domain.outgoing import Outgoing, SendPriority
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.escalation import ADMIN_ROUND
from aftercare_bot.services.incident_copies import IncidentCopies

logger = logging.getLogger(__name__)


class TelegramStaffNotifier:
    """Posts, pages and edits incident cards in the staff group and staff's private chats."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self._bot = bot
        self._services = services
        self._copies = IncidentCopies(
            services.database, services.clock, services.config.staff.escalation_chat_id
        )

    async def post(self, incident: Incident) -> bool:
        """Post to the staff group, or each admin when there is none or it is gone."""
        assert incident.id is not None
        services = self._services
        group = await self._copies.staff_group()
        admins = list(services.config.staff.admin_ids)
        recipients: list[int] = [group] if group is not None else admins
        posted_in_group: int | None = None
        posted_anywhere = False
        for chat_id in recipients:
            outgoing = card(services.views, incident, language=await self._language_of(chat_id))
            sent = await self._send(chat_id, outgoing, incident, POST_COPY)
            if sent is None:
                if chat_id == group:
                    recipients.extend(admins)  # the staff group is gone: never drop an incident
                continue
            posted_anywhere = True
            if chat_id == group:
                posted_in_group = sent.message_id
        if posted_anywhere:
            await self._copies.posted(
                incident.id, group if posted_in_group else None, posted_in_group
            )
        return posted_anywhere

    async def page(self, incident: Incident, chat_ids: Sequence[int], round_number: int) -> None:
        """A re-page: a header over the full card, so nobody pages blind."""
        views = self._services.views
        key = "incident.page_admins" if round_number == ADMIN_ROUND else "incident.repage"
        for chat_id in dict.fromkeys(chat_ids):
            language = await self._language_of(chat_id)
            header = views.texts.render(language, key, round=round_number)
            outgoing = card(views, incident, header, language=language)
            await self._send(chat_id, outgoing, incident, PAGE_COPY)

    async def _language_of(self, chat_id: int) -> str:
        """A staff member's own language in their private chat; the clinic's elsewhere."""
        return await staff_member_language(self._services, chat_id)

    async def remind_owner(self, incident: Incident) -> None:
        """The acknowledger's reminder, with the card so they can resolve it from there."""
        if incident.acknowledged_by is None:
            return
        views = self._services.views
        language = await self._language_of(incident.acknowledged_by)
        header = views.texts.render(language, "incident.ack_reminder_header")
        await self._send(
            incident.acknowledged_by,
            card(views, incident, header, language=language),
            incident,
            REMINDER_COPY,
        )

    async def refresh(self, incident: Incident) -> None:
        """Edit every copy to the incident's state (copies that cannot be edited are dropped)."""
        assert incident.id is not None
        for copy in await self._copies.cards(incident.id):
            language = await self._language_of(copy.chat_id)
            await self.show(copy, card(self._services.views, incident, language=language))

    async def show(self, copy: IncidentCopy, outgoing: Outgoing) -> None:
        """Edit one copy to `outgoing`; one that is gone is forgotten."""
        edited = await edit(self._bot, copy.chat_id, copy.message_id, outgoing)
        if edited == Edit.REFUSED:
            await self._copies.forget(copy.chat_id, copy.message_id)

    async def reply_under(self, incident: Incident, text: str) -> None:
        """A reply under the incident's group post; where there is none, under each admin's."""
        for chat_id, message_id in await self._copies.thread(incident):
            try:
                with sent_as(_priority(incident, POST_COPY)):
                    await send(self._bot, chat_id, text, reply_to=message_id)
            except TelegramError as error:
                logger.error("incident %s thread reply failed: %s", incident.id, error)

    async def send_card(self, chat_id: int, incident: Incident) -> None:
        """An /incidents card: a copy like any other, with the incident's buttons, in the
        staff member's language in their private chat."""
        language = await self._language_of(chat_id)
        outgoing = card(self._services.views, incident, language=language)
        await self._send(chat_id, outgoing, incident, CARD_COPY)

    async def remember(self, incident_id: int, message: Message, kind: str) -> None:
        """Remember a message that shows (or asks about) an incident. A new /incidents card
        replaces the older cards of the same incident in that chat (their buttons still act,
        but only the newest is kept up to date), so copies do not pile up."""
        await self._copies.remember(incident_id, message.chat_id, message.message_id, kind)

    async def _send(
        self, chat_id: int, outgoing: Outgoing, incident: Incident, kind: str
    ) -> Message | None:
        assert incident.id is not None
        try:
            with sent_as(_priority(incident, kind)):
                sent = await send(self._bot, chat_id, outgoing)
        except TelegramError as error:
            logger.error("incident %s to chat %s failed: %s", incident.id, chat_id, error)
            return None
        await self.remember(incident.id, sent, kind)
        return sent


def _priority(incident: Incident, kind: str) -> SendPriority:
    """An urgent incident's posts and every re-page take the chat's next free slot, ahead of
    the routine posts queued there."""
    if incident.urgency is IncidentUrgency.URGENT or kind == PAGE_COPY:
        return SendPriority.URGENT
    return SendPriority.REPLY


class TelegramPatientMessenger:
    """What escalation tells a patient, in their language."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self._bot = bot
        self._services = services
        self._copies = IncidentCopies(
            services.database, services.clock, services.config.staff.escalation_chat_id
        )

    async def seen_by(self, patient: Patient, staff_name: str) -> None:
        """Someone at the clinic has seen the report."""
        views = self._services.views
        await self._tell(
            patient,
            views.texts.render(
                views.language_of(patient), "incident.patient_seen", staff=staff_name
            ),
        )

    async def safety_net(self, patient: Patient) -> None:
        """The clinic's phone within hours; the emergency number and the signs outside them."""
        services = self._services
        clinic = services.config.clinic
        is_open = clinic.hours.is_open(services.clock.now().astimezone(clinic.timezone))
        key = "incident.safety_net_open" if is_open else "incident.safety_net_closed"
        views = services.views
        await self._tell(
            patient, views.texts.render(views.language_of(patient), key, name=patient.display_name)
        )

    async def _tell(self, patient: Patient, text: str) -> None:
        if patient.chat_id is None:
            return
        try:
            await send(self._bot, patient.chat_id, text)
        except TelegramError as error:
            logger.warning("patient %s could not be told: %s", patient.code, error)
