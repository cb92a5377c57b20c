"""Each person in their own language: a patient's choice speaks in every answer, a Telegram
language is used only when the clinic offers it, everyone else gets the clinic's."""

from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.texts import Texts
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer, confirm, enroll, press
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import incident_post, report_severe, staff_group


async def test_a_patient_enrolled_in_russian_gets_help_in_russian_whatever_her_telegram_says(
    bot: RunningBot,
) -> None:
    enrolled = await enroll(bot.admin, name="Olga", language_label="Русский")
    olga = bot.simulator.add_user(first_name="Olga", language_code="en")
    await olga.send(f"/start {enrolled.token}")
    await olga.press(await olga.wait_for_reply(), "Да, я даю согласие")
    await olga.wait_for_replies(2)
    await olga.send("/help")
    help_text, _aftercare = await olga.wait_for_replies(2)
    assert help_text["text"].startswith("Что я умею")


async def test_help_right_after_choosing_a_language_speaks_it(bot: RunningBot) -> None:
    anna, _code = await linked(bot)  # her Telegram is in English
    await anna.send("/language")
    await anna.press(await anna.wait_for_reply(), "Русский")
    assert "на русском" in (await anna.wait_for_reply())["text"]
    await anna.send("/help")
    help_text, aftercare = await anna.wait_for_replies(2)  # /help repeats her instructions
    assert help_text["text"].startswith("Что я умею")
    assert aftercare["text"].startswith("Уход после сеанса")
    await anna.send("/next")
    assert "Ваш следующий сеанс" in (await anna.wait_for_reply())["text"]


async def test_a_telegram_language_the_clinic_does_not_offer_gets_the_clinics(
    bot: RunningBot,
) -> None:
    lucia = bot.simulator.add_user(first_name="Lucía", language_code="es")
    await lucia.send("/start")
    assert (await lucia.wait_for_reply())["text"].startswith("Hello! I am")


@pytest.mark.parametrize("languages", [["en", "es"]])
async def test_an_offered_telegram_language_is_spoken_and_others_get_the_clinics(
    bot: RunningBot,
) -> None:
    lucia = bot.simulator.add_user(first_name="Lucía", language_code="es")
    await lucia.send("/start")
    assert (await lucia.wait_for_reply())["text"].startswith("¡Hola! Soy el asistente")
    boris = bot.simulator.add_user(first_name="Boris", language_code="ru")
    await boris.send("/start")
    assert (await boris.wait_for_reply())["text"].startswith("Hello! I am")


@pytest.mark.parametrize("languages", [["en", "tr"]])
async def test_the_clinic_hours_are_written_the_turkish_way_for_a_turkish_reader(
    bot: RunningBot,
) -> None:
    """The config says "Mon-Fri 09:00-19:00, Sat 10:00-14:00"; a Turkish reader meets it in
    Turkish weekday names, an English one in English."""
    ayse = bot.simulator.add_user(first_name="Ayşe", language_code="tr")
    await ayse.send("/help")
    assert (
        "Pzt\u2013Cum 09:00\u201319:00, Cmt 10:00\u201314:00"
        in (await ayse.wait_for_reply())["text"]
    )
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send("/help")
    assert (
        "Mon\u2013Fri 09:00\u201319:00, Sat 10:00\u201314:00"
        in (await anna.wait_for_reply())["text"]
    )


async def test_the_qr_code_staff_show_a_patient_is_captioned_in_the_patients_language(
    bot: RunningBot,
) -> None:
    """The English-speaking nurse reads the link's text; the Russian-speaking patient scans
    the picture and reads its caption."""
    enrolled = await enroll(bot.admin, name="Olga", language_label="Русский")
    assert (
        "отсканируйте камерой телефона, чтобы подключиться, или откройте https://t.me/"
        in enrolled.qr_caption
    )
    english = await enroll(bot.admin, name="Anna")
    assert english.qr_caption.startswith(
        f"{english.code}: scan with the phone's camera to link, or open {english.link}"
    )


@pytest.mark.parametrize("languages", [["en", "uk"]])
async def test_a_ukrainian_nurse_is_re_paged_in_ukrainian_while_the_group_reads_english(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    await bot.admin.send("/addstaff")
    link = (await bot.admin.wait_for_reply())["text"].split("?start=")[1].split()[0]
    olena = bot.simulator.add_user(first_name="Olena", language_code="uk")
    await olena.send(f"/start {link}")
    await olena.wait_for_reply()
    await olena.send("/oncall")
    assert (await olena.wait_for_reply())["text"].startswith("Ви на чергуванні")
    anna, _code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    assert post["text"].startswith("URGENT")  # the group's post, in the clinic's language
    await bot.live_until(bot.clock.now() + timedelta(minutes=16))
    pages = [m for m in bot.simulator.messages_in(olena) if "повтор" in m.get("text", "")]
    assert pages, [m.get("text") for m in bot.simulator.messages_in(olena)]
    assert pages[0]["text"].startswith("⏰ Досі не прийнято (повтор 1)")
    labels = [b["text"] for row in pages[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[0] == "Прийняти"
    group_texts = [m.get("text", "") for m in bot.simulator.messages_in(group)]
    assert not any("повтор" in text or "Прийняти" in text for text in group_texts)


async def test_a_new_appointment_is_told_to_the_patient_in_her_language(bot: RunningBot) -> None:
    enrolled = await enroll(bot.admin, name="Olga", language_label="Русский")
    olga = bot.simulator.add_user(first_name="Olga", language_code="en")
    await olga.send(f"/start {enrolled.token}")
    await olga.press(await olga.wait_for_reply(), "Да, я даю согласие")
    await olga.wait_for_replies(2)
    await bot.settle()
    reply = await answer(bot.admin, f"/appointment {enrolled.code} 18.12.2026 15:00")
    reply = await press(bot.admin, reply, "Fri 18 Dec 2026, 15:00")
    assert "Fri 18 Dec 2026, 15:00" in reply["text"]  # the nurse reads English
    told = await olga.wait_for_reply()
    assert told["text"].startswith("Olga, ваш следующий приём в клинике Riverside Hair Clinic")
    assert "18 дек. 2026" in told["text"]


@pytest.mark.parametrize("languages", [["en", "uk"]])
async def test_the_nurse_who_enrolled_a_patient_hears_in_her_language_when_she_links(
    bot: RunningBot,
) -> None:
    await bot.admin.send("/addstaff")
    link = (await bot.admin.wait_for_reply())["text"].split("?start=")[1].split()[0]
    olena = bot.simulator.add_user(first_name="Olena", language_code="uk")
    await olena.send(f"/start {link}")
    await olena.wait_for_reply()
    # Olena enrolls in Ukrainian, typing what the buttons say where she likes.
    ukrainian = Texts.load()
    await answer(olena, "/enroll")
    await answer(olena, "Anna")
    await answer(olena, "now")
    await answer(olena, "Me (Olena)")
    language_question = await answer(olena, "in 3 weeks")
    await press(olena, language_question, "English")
    preview = await answer(olena, "Skip")
    enrolled = await confirm(olena, preview, ukrainian.render("uk", "buttons.confirm"))
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send(f"/start {enrolled.token}")
    await anna.press(await anna.wait_for_reply(), "Yes, I agree")
    await anna.wait_for_replies(2)
    told = await olena.wait_for_reply()
    assert told["text"] == (
        f"Anna ({enrolled.code}): посилання відкрито, згоду отримано, супровід розпочато."
    )


async def test_a_language_change_applies_to_a_reminder_already_scheduled(bot: RunningBot) -> None:
    """The reminder was planned at enrollment, in English; it is written when it goes out."""
    anna, _code = await linked(bot)
    await anna.send("/language")
    await anna.press(await anna.wait_for_reply(), "Русский")
    await anna.wait_for_reply()
    await bot.live_until(datetime(2026, 12, 15, 10, 0, tzinfo=UTC))  # the day before her session
    reminder = bot.simulator.messages_in(anna)[-1]
    assert reminder["text"].startswith("Напоминание: ваш следующий сеанс")
    labels = [b["text"] for row in reminder["reply_markup"]["inline_keyboard"] for b in row]
    assert len(labels) == 3 and "Confirm" not in labels


async def test_a_nurse_who_chooses_russian_reads_her_private_lists_in_it_the_group_stays_english(
    bot: RunningBot,
) -> None:
    """Her Telegram is in English; /language makes her private chat Russian (cards, lists,
    digest), while /incidents asked in the staff group is answered for everyone there."""
    group = await staff_group(bot)
    anna, _code = await linked(bot)
    await report_severe(bot, anna)
    await incident_post(bot, group)
    await bot.admin.send("/language")
    await bot.admin.press(await bot.admin.wait_for_reply(), "Русский")
    chosen = (await bot.admin.wait_for_reply())["text"]
    assert chosen.startswith("Теперь я буду писать вам в личных сообщениях по-русски")
    assert chosen.endswith("язык клиники: английский.")
    await bot.admin.send("/incidents")
    title, incident_card = await bot.admin.wait_for_replies(2)
    assert "Открытые случаи" in title["text"]
    assert incident_card["text"].startswith("URGENT")  # the clinical summary, as posted
    labels = [b["text"] for row in incident_card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[0] == "Принять"
    await bot.admin.send("/patients")
    assert "Пациенты" in (await bot.admin.wait_for_reply())["text"]
    await bot.admin.send("/digest")
    assert "Сводка на" in (await bot.admin.wait_for_reply())["text"]
    await bot.admin.send("/incidents", chat=group)
    title, incident_card = await bot.admin.wait_for_replies(2, chat=group)
    assert "Open incidents" in title["text"]
    labels = [b["text"] for row in incident_card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[0] == "Acknowledge"


async def test_a_patient_cannot_change_a_staff_members_language_and_a_stranger_stores_none(
    bot: RunningBot,
) -> None:
    """/language from someone who is neither a linked patient nor staff changes nothing."""
    stranger = bot.simulator.add_user(first_name="Eve", language_code="en")
    await stranger.send("/language")
    await stranger.press(await stranger.wait_for_reply(), "Русский")
    reply = (await stranger.wait_for_reply())["text"]
    assert "ссылку" in reply  # told, in the language she pressed, to open her clinic's link
    await stranger.send("/help")
    assert not (await stranger.wait_for_reply())["text"].startswith("Что я умею")


@pytest.mark.parametrize("languages", [["en", "es"]])
async def test_a_spanish_patient_stops_and_resumes_with_her_own_words(bot: RunningBot) -> None:
    enrolled = await enroll(bot.admin, name="Lucía", language_label="Español")
    lucia = bot.simulator.add_user(first_name="Lucía", language_code="es")
    await lucia.send(f"/start {enrolled.token}")
    await lucia.press(await lucia.wait_for_reply(), "Sí, acepto")
    await lucia.wait_for_replies(2)
    await lucia.send("Reanudar")  # her messages are on: she is told so, nothing changes
    assert (await lucia.wait_for_reply())["text"].startswith(
        "Sus mensajes de seguimiento están activos, Lucía."
    )
    await lucia.send("PARAR")
    assert (await lucia.wait_for_reply())["text"].startswith("Hecho: ya no recibirá más mensajes")
    await lucia.send("reanudar")
    assert (await lucia.wait_for_reply())["text"].startswith("Hola de nuevo, Lucía")


@pytest.mark.parametrize("languages", [["en", "pt"]])
async def test_a_brazilian_patient_types_her_city_with_its_accent(bot: RunningBot) -> None:
    enrolled = await enroll(bot.admin, name="Ana", language_label="Português (Brasil)")
    ana = bot.simulator.add_user(first_name="Ana", language_code="pt")
    await ana.send(f"/start {enrolled.token}")
    await ana.press(await ana.wait_for_reply(), "Sim, concordo")
    await ana.wait_for_replies(2)
    await ana.send("/timezone São Paulo")
    assert (await ana.wait_for_reply())["text"] == (
        "O seu fuso horário agora é America/Sao_Paulo. Os lembretes seguem o seu horário local."
    )
