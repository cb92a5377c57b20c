"""Driving the simulator without Python: the /_sim HTTP API and the module entry point."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from aftercare_bot.sandbox import TelegramSimulator

REPO_ROOT = Path(__file__).resolve().parents[2]


async def _post(client: httpx.AsyncClient, url: str, body: dict[str, Any] | None = None) -> Any:
    response = await client.post(url, json=body or {})
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
        assert response.status_code == 400
        assert "no longer exists" in response.json()["error"]
        waited = await client.post(f"/users/{user['id']}/wait_for_reply", json={"timeout": 0})
        assert waited.status_code == 408


async def test_the_module_entry_point_serves_until_sigterm() -> None:
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
    base_url = next(line for line in lines if line.startswith("base_url=")).split("=", 1)[1]
    async with Bot("123456:TEST", base_url=base_url) as bot:
        assert bot.username == "aftercare_demo_bot"
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=10) == 0
