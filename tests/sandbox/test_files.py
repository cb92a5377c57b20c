"""Uploads, file_ids, getFile and downloads: the whole media round trip, offline."""

from __future__ import annotations

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest

from aftercare_bot.sandbox import SimUser, TelegramSimulator


async def test_an_uploaded_photo_can_be_fetched_back_byte_for_byte(
    bot: Bot, alice: SimUser, png: bytes
) -> None:
    sent = await bot.send_photo(alice.id, photo=png, caption="<i>Day 1</i>", parse_mode="HTML")
    assert sent.caption == "Day 1"
    assert sent.caption_entities[0].type == "italic"
    largest = sent.photo[-1]
    assert (largest.width, largest.height) == (1, 1)
    telegram_file = await bot.get_file(largest.file_id)
    assert telegram_file.file_path is not None
    assert bytes(await telegram_file.download_as_bytearray()) == png


async def test_a_document_keeps_its_name_and_type_and_can_be_resent_by_id(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    pdf = b"%PDF-1.4 aftercare leaflet"
    upload = InputFile(pdf, filename="aftercare.pdf")
    first = await bot.send_document(alice.id, document=upload, caption="Leaflet")
    assert first.document is not None
    assert first.document.file_name == "aftercare.pdf"
    assert first.document.mime_type == "application/pdf"
    again = await bot.send_document(alice.id, document=first.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == first.document.file_unique_id
    assert "[document aftercare.pdf] Leaflet" in sim.transcript_lines()[-2]


async def test_photos_sent_by_users_have_several_sizes_and_download(
    bot: Bot, alice: SimUser, png: bytes
) -> None:
    big_png = png[:16] + (1600).to_bytes(4, "big") + (1200).to_bytes(4, "big") + png[24:]
    await alice.send_photo(big_png, caption="Day 3 scalp")
    message = (await bot.get_updates(timeout=0))[-1].message
    assert message is not None
    assert message.caption == "Day 3 scalp"
    assert [(p.width, p.height) for p in message.photo] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1280, 960),
        (1600, 1200),
    ]
    downloaded = await (await message.photo[-1].get_file()).download_as_bytearray()
    assert bytes(downloaded) == big_png


async def test_documents_sent_by_users_download(bot: Bot, alice: SimUser) -> None:
    await alice.send_document(b"\xff\xd8\xff jpeg", file_name="scalp.jpg", mime_type="image/jpeg")
    message = (await bot.get_updates(timeout=0))[-1].message
    assert message is not None
    assert message.document is not None
    assert message.document.file_name == "scalp.jpg"
    assert message.document.mime_type == "image/jpeg"
    data = await (await message.document.get_file()).download_as_bytearray()
    assert bytes(data) == b"\xff\xd8\xff jpeg"


async def test_unknown_or_mismatched_file_ids_are_refused(
    bot: Bot, alice: SimUser, png: bytes
) -> None:
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_photo(alice.id, photo="AgACnope")
    document = await bot.send_document(alice.id, document=InputFile(png, filename="x.png"))
    assert document.document is not None
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await bot.send_photo(alice.id, photo=document.document.file_id)
    with pytest.raises(BadRequest, match="Wrong file_id or the file is temporarily unavailable"):
        await bot.get_file("nope")


async def test_stickers_locations_and_contacts_arrive_as_real_messages(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    await alice.send_sticker("🙂")
    await alice.send_location(52.52, 13.405)
    await alice.send_contact("+4915100000000")
    messages = [u.message for u in await bot.get_updates(timeout=0)]
    assert messages[0] is not None and messages[0].sticker is not None
    assert messages[0].sticker.emoji == "🙂"
    assert messages[1] is not None and messages[1].location is not None
    assert messages[1].location.latitude == pytest.approx(52.52)
    assert messages[2] is not None and messages[2].contact is not None
    assert messages[2].contact.user_id == alice.id
    assert [line.split("  ", 1)[1] for line in sim.transcript_lines()] == [
        "Alice -> bot: [sticker 🙂]",
        "Alice -> bot: [location 52.52, 13.405]",
        "Alice -> bot: [contact +4915100000000 Alice]",
    ]
