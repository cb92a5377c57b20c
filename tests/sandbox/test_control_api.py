"""Driving the simulator without Python: the /_sim HTTP API and the module entry point."""

from __future__ import annotations

import asyncio
import base64
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from aftercare_bot.config import TelegramConfig
from aftercare_bot.sandbox import DEFAULT_TOKEN, SimUser, TelegramSimulator

REPO_ROOT = Path(__file__).resolve().parents[2]


async def _post(client: httpx.AsyncClient, url: str, body: dict[str, Any] | None = None) -> Any:
    response = await client.post(url, json=body or {})
    payload = response.json()
    assert payload["ok"], payload
    return payload["result"]


async def _post_form(
    client: httpx.AsyncClient,
    url: str,
    files: dict[str, tuple[str, bytes, str]],
    data: dict[str, str],
) -> Any:
    response = await client.post(url, files=files, data=data)
    payload = response.json()
    assert payload["ok"], payload
    return payload["result"]


async def test_a_person_can_chat_with_the_bot_through_curl_style_calls(
    sim: TelegramSimulator, bot: Bot
) -> None:
    async with httpx.AsyncClient(base_url=f"{sim.url}/_sim") as client:
        user = await _post(client, "/users", {"first_name": "Carol"})
        sent = await _post(client, f"/users/{user['id']}/send", {"text": "/start"})
        assert sent["text"] == "/start"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Confirm", callback_data="yes")]])
        reply = await bot.send_message(user["id"], "Confirm?", reply_markup=markup)
        waited = await _post(client, f"/users/{user['id']}/wait_for_reply", {"timeout": 1})
        assert waited["message_id"] == reply.message_id
        pressed = await _post(
            client,
            f"/users/{user['id']}/press",
            {"message_id": reply.message_id, "label": "Confirm"},
        )
        assert pressed["callback_query_id"]
        messages = (await client.get(f"/chats/{user['id']}/messages")).json()["result"]
        assert [m["text"] for m in messages] == ["Confirm?"]
        transcript = (await client.get("/transcript")).json()["result"]
        assert transcript[-1].endswith("Carol pressed [ Confirm ]")
        assert await _post(client, f"/users/{user['id']}/block") is True
        state = (await client.get("/state")).json()["result"]
        assert state["users"][0]["blocked_bot"] is True


async def test_control_mistakes_come_back_as_readable_errors(sim: TelegramSimulator) -> None:
    async with httpx.AsyncClient(base_url=f"{sim.url}/_sim") as client:
        user = await _post(client, "/users", {"first_name": "Dan"})
        response = await client.post(
            f"/users/{user['id']}/press", json={"message_id": 99, "label": "Nope"}
        )
        assert response.status_code == 404
        assert "no longer exists" in response.json()["error"]
        waited = await client.post(f"/users/{user['id']}/wait_for_reply", json={"timeout": 0})
        assert waited.status_code == 408


def test_the_default_token_is_one_the_bot_s_config_accepts() -> None:
    """The README points `python bot.py run` at the standalone simulator with this token."""
    config = TelegramConfig(token=SecretStr(DEFAULT_TOKEN), base_url="http://127.0.0.1:8081/bot")
    assert config.token.get_secret_value() == DEFAULT_TOKEN


async def test_the_module_entry_point_serves_its_default_token_until_sigterm() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aftercare_bot.sandbox",
        "--port",
        "0",
        "--user",
        "Alice",
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or not lines[-1].startswith("control API"):
        line = await asyncio.wait_for(process.stdout.readline(), timeout=10)
        assert line, "the simulator exited before announcing itself"
        lines.append(line.decode().strip())
    assert f"(token {DEFAULT_TOKEN})" in lines[0]
    base_url = next(line for line in lines if line.startswith("base_url=")).split("=", 1)[1]
    control = base_url.removesuffix("/bot") + "/_sim"
    async with Bot(DEFAULT_TOKEN, base_url=base_url) as bot, httpx.AsyncClient() as client:
        assert bot.username == "aftercare_demo_bot"
        await _post(client, f"{control}/users/700000001/send", {"text": "/start"})
        (update,) = await bot.get_updates(timeout=0)
        assert update.message is not None and update.message.text == "/start"
        sent = await bot.send_message(update.message.chat_id, "Welcome")
        waited = await _post(client, f"{control}/users/700000001/wait_for_reply", {"timeout": 5})
        assert waited["message_id"] == sent.message_id
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=10) == 0


async def test_a_reply_reaches_the_bot_with_the_message_it_answers(
    sim: TelegramSimulator, bot: Bot, alice: SimUser
) -> None:
    question = await bot.send_message(alice.id, "How is your scalp today?")
    async with httpx.AsyncClient(base_url=f"{sim.url}/_sim") as client:
        sent = await _post(
            client,
            f"/users/{alice.id}/send",
            {"text": "Better, thanks", "reply_to_message_id": question.message_id},
        )
    assert sent["reply_to_message"]["message_id"] == question.message_id
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None
    assert update.message.text == "Better, thanks"
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == question.message_id
    assert update.message.reply_to_message.text == "How is your scalp today?"


async def test_a_reply_in_a_group_reaches_a_privacy_mode_bot(
    sim: TelegramSimulator, bot: Bot, alice: SimUser
) -> None:
    group = sim.add_group("Clinic staff", [alice])
    prompt = await bot.send_message(group.id, "Write your message as a reply to this one.")
    async with httpx.AsyncClient(base_url=f"{sim.url}/_sim") as client:
        body = {"text": "Please call us", "chat_id": group.id}
        await _post(client, f"/users/{alice.id}/send", body)  # not a reply: the bot never sees it
        body["reply_to_message_id"] = prompt.message_id
        await _post(client, f"/users/{alice.id}/send", body)
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.chat_id == group.id
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == prompt.message_id


async def test_a_photo_uploaded_as_base64_arrives_in_sizes_and_downloads(
    sim: TelegramSimulator, bot: Bot, alice: SimUser, png: bytes
) -> None:
    question = await bot.send_message(alice.id, "Please send a photo of the area.")
    body = {
        "data": base64.b64encode(png).decode(),
        "caption": "Day 3",
        "reply_to_message_id": question.message_id,
    }
    async with httpx.AsyncClient(base_url=f"{sim.url}/_sim") as client:
        sent = await _post(client, f"/users/{alice.id}/photo", body)
    (update,) = await bot.get_updates(timeout=0)
    message = update.message
    assert message is not None and message.message_id == sent["message_id"]
    assert message.caption == "Day 3"
    assert message.photo and (message.photo[-1].width, message.photo[-1].height) == (1, 1)
    assert message.reply_to_message is not None
    assert message.reply_to_message.message_id == question.message_id
    photo_file = await bot.get_file(message.photo[-1].file_id)
    assert photo_file.file_path is not None
    async with httpx.AsyncClient() as client:
        downloaded = await client.get(photo_file.file_path)
    assert downloaded.content == png


async def test_a_photo_and_a_document_uploaded_as_multipart_forms_download(
    sim: TelegramSimulator, bot: Bot, alice: SimUser, png: bytes
) -> None:
    pdf = b"%PDF-1.4 consent form"
    async with httpx.AsyncClient(base_url=f"{sim.url}/_sim") as client:
        photo = {"photo": ("scalp.png", png, "image/png")}
        await _post_form(client, f"/users/{alice.id}/photo", photo, {"caption": "Day 4"})
        document = {"document": ("consent.pdf", pdf, "application/pdf")}
        await _post_form(client, f"/users/{alice.id}/document", document, {})
    first, second = (update.message for update in await bot.get_updates(timeout=0))
    assert first is not None and first.caption == "Day 4" and first.photo
    assert bytes(await (await first.photo[-1].get_file()).download_as_bytearray()) == png
    assert second is not None and second.document is not None
    assert (second.document.file_name, second.document.mime_type) == (
        "consent.pdf",
        "application/pdf",
    )
    assert bytes(await (await second.document.get_file()).download_as_bytearray()) == pdf
    assert sim.transcript_lines()[-2].endswith("Alice -> bot: [photo] Day 4")


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        ("/users/999/send", {"text": "hi"}, 404, "no user 999"),
        ("/users/abc/send", {"text": "hi"}, 400, "user id 'abc' is not a number"),
        ("/users/{alice}/send", {}, 400, 'missing "text"'),
        ("/users/{alice}/send", {"text": 5}, 400, '"text" must be a string'),
        ("/users/{alice}/send", {"text": "hi", "reply_to_message_id": 99}, 404, "no message 99"),
        ("/users/{alice}/send", {"text": "hi", "chat_id": -5}, 404, "no chat -5"),
        ("/users/{alice}/photo", {}, 400, 'missing "data"'),
        ("/users/{alice}/photo", {"data": "not base64!"}, 400, '"data" is not valid base64'),
        ("/users/{alice}/photo", {"data": ""}, 400, "the file is empty"),
        ("/users/{alice}/document", {"data": "%%"}, 400, '"data" is not valid base64'),
        ("/users/{alice}/press", {"message_id": 1}, 400, 'missing "label"'),
        ("/users/{alice}/wait_for_reply", {"timeout": "soon"}, 400, '"timeout" must be'),
        ("/users", {}, 400, 'missing "first_name"'),
        ("/groups", {"title": "Staff", "member_ids": [1]}, 404, "no user 1"),
    ],
)
async def test_bad_control_input_gets_a_4xx_json_error(
    sim: TelegramSimulator,
    alice: SimUser,
    path: str,
    body: dict[str, Any],
    status: int,
    error: str,
) -> None:
    async with httpx.AsyncClient(base_url=f"{sim.url}/_sim") as client:
        response = await client.post(path.format(alice=alice.id), json=body)
    assert response.status_code == status
    assert response.json()["ok"] is False
    assert error in response.json()["error"]


async def test_bad_uploads_get_a_4xx_json_error(sim: TelegramSimulator, alice: SimUser) -> None:
    async with httpx.AsyncClient(base_url=f"{sim.url}/_sim") as client:
        no_file = await client.post(f"/users/{alice.id}/photo", files={"caption": (None, "x")})
        not_json = await client.post(f"/users/{alice.id}/photo", content=b"\x89PNG")
        bad_reply = await client.post(
            f"/users/{alice.id}/photo",
            files={"photo": ("a.png", b"png", "image/png")},
            data={"reply_to_message_id": "first"},
        )
    assert no_file.status_code == 400
    assert "exactly one file part" in no_file.json()["error"]
    assert not_json.status_code == 400
    assert not_json.json()["error"] == "request body must be a JSON object"
    assert bad_reply.status_code == 400
    assert "is not a number" in bad_reply.json()["error"]
    assert sim.pending_updates == 0
