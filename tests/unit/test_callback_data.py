"""Callback data is parsed strictly: a modified client can send anything up to 64 bytes."""

from aftercare_bot.adapters.telegram import callback_data


def test_a_press_names_its_family_and_arguments() -> None:
    parsed = callback_data.unpack(callback_data.pack("inc", 42, "res", "phoned"))
    assert parsed == callback_data.CallbackData("inc", ("42", "res", "phoned"))


def test_an_id_longer_than_any_row_or_telegram_id_is_refused_as_forged() -> None:
    assert callback_data.unpack("inc:" + "9" * 40 + ":ack") is None
    assert callback_data.unpack("ci:" + "1" * 19 + ":redness:severe") is None
    assert callback_data.unpack("ci:" + "1" * 18 + ":redness:severe") is not None


def test_unsafe_characters_are_refused() -> None:
    assert callback_data.unpack("inc:1:<b>") is None
    assert callback_data.unpack("") is None
