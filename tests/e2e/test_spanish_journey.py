"""A Spanish patient's whole journey, in Spanish from the first message to the last: linking
and consent, aftercare, a check-in with an urgent answer, the clinic's answer through the bot,
the reminder before her next session and its answer, /help, her data, and stopping.

The staff work in English (the clinic's language); nothing English reaches her.
"""

import re
from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import enroll
from tests.e2e.test_check_ins import current, tap
from tests.e2e.test_incidents import incident_post, staff_group
from tests.e2e.test_relay import Case, draft_for, press_and_wait_for_edit

EVENING = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
DAY_1 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
DAY_BEFORE = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)  # next session: Wed 16 Dec 10:00 London


@pytest.mark.parametrize("languages", [["en", "es"]])
async def test_a_spanish_patients_whole_journey_is_in_spanish(bot: RunningBot) -> None:
    group = await staff_group(bot)
    enrolled = await enroll(bot.admin, name="Lucía", language_label="Español")
    assert enrolled.qr_caption == (
        f"{enrolled.code}: escanee con la cámara del teléfono para vincularse, o abra "
        f"{enrolled.link} (válido hasta el mié 2 dic 2026, 10:00)."
    )
    lucia = bot.simulator.add_user(first_name="Lucía", language_code="en")  # her phone: English
    await lucia.send(f"/start {enrolled.token}")
    welcome = await lucia.wait_for_reply()
    assert welcome["text"].startswith("¡Hola, Lucía! Soy el asistente de cuidados")
    await lucia.press(welcome, "Sí, acepto")
    accepted, aftercare = await lucia.wait_for_replies(2)
    assert accepted["text"].startswith("Gracias, Lucía. Su chat ya está vinculado")
    assert aftercare["text"].startswith("Cuidados después de su sesión")
    await bot.live_until(EVENING)
    assert bot.simulator.messages_in(lucia)[-1]["text"].startswith("Buenas tardes, Lucía")

    await bot.live_until(DAY_1)
    check_in = bot.simulator.messages_in(lucia)[-1]
    assert "¿Cómo está su cuero cabelludo?" in check_in["text"]
    await tap(bot, lucia, check_in, "Intenso")
    urgent = await lucia.wait_for_reply()
    assert "La clínica ya está avisada y se pondrá en contacto con usted" in urgent["text"]
    post = await incident_post(bot, group)  # the staff group reads English
    assert f"URGENT check-in: patient {enrolled.code} (Lucía), day 1" in post["text"]
    await tap(bot, lucia, check_in, "Leve", "Nada", "Listo", "Omitir")
    await lucia.press(current(bot, check_in), "Omitir")
    added = await lucia.wait_for_reply()
    assert added["text"].startswith("Gracias, Lucía. Sus respuestas se han añadido a su aviso")

    case = Case(lucia, enrolled.code, post)
    confirm = await draft_for(bot, group, case, "Hola Lucía, la llamamos en diez minutos.")
    await press_and_wait_for_edit(bot, bot.admin, confirm, "Send")
    relayed = await lucia.wait_for_reply()
    assert relayed["text"] == (
        "Grey, de Riverside Hair Clinic: Hola Lucía, la llamamos en diez minutos."
    )

    await bot.live_until(DAY_BEFORE)
    # nobody acknowledged her urgent answer in time: the safety net reached her, in Spanish
    assert any(
        str(m.get("text", "")).startswith("Lucía, todavía no hemos podido contactar con usted")
        for m in bot.simulator.messages_in(lucia)
    )
    reminder = bot.simulator.messages_in(lucia)[-1]
    assert reminder["text"].startswith("Recordatorio: su próxima sesión en Riverside Hair Clinic")
    labels = [b["text"] for row in reminder["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Confirmar", "Cambiar la cita", "Algo ha cambiado"]
    await lucia.press(reminder, "Confirmar")
    confirmed = await lucia.wait_for_reply()
    assert confirmed["text"].startswith("Gracias, Lucía: su cita del")
    assert (
        confirmed["text"] == "Gracias, Lucía: su cita del mié 16 dic 2026, 10:00 queda confirmada."
    )

    await lucia.send("/help")
    help_text, instructions = await lucia.wait_for_replies(2)
    assert help_text["text"].startswith("Qué puedo hacer")
    assert instructions["text"].startswith("Cuidados después de su sesión")
    await lucia.send("/mydata")
    my_data = await lucia.wait_for_reply()
    assert my_data["text"].startswith(
        "Esto es todo lo que Riverside Hair Clinic guarda sobre usted"
    )
    await bot.settle()
    await lucia.send("/stop")
    stopped = await lucia.wait_for_reply()
    assert stopped["text"].startswith("Hecho: ya no recibirá más mensajes del seguimiento")

    everything = bot.simulator.messages_in(lucia)
    words = " ".join(
        [str(m.get("text") or m.get("caption") or "") for m in everything]
        + [
            button["text"]
            for m in everything
            for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
    )
    english = {"the", "your", "you", "please", "yes", "skip", "done", "call", "with", "session"}
    spoken = re.findall(r"\w+", words.replace("Riverside Hair Clinic", "").casefold())
    assert not english & set(spoken), english & set(spoken)
