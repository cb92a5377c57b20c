"""The simulator speaks Telegram's wire format: URLs, bodies, envelopes, spec checks."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, EndPointNotFound, InvalidToken

from aftercare_bot.sandbox import SimUser, TelegramSimulator

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_get_me_describes_the_bot_like_telegram(bot: Bot, sim: TelegramSimulator) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "aftercare_demo_bot"
    assert me.first_name == "Aftercare"
    assert me.can_join_groups
    assert me.can_read_all_group_messages is False


async def _raw_call(sim: TelegramSimulator, method: str, **params: object) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{sim.base_url}{sim.token}/{method}", json=params)


async def test_an_unknown_method_is_not_found(bot: Bot, sim: TelegramSimulator) -> None:
    response = await _raw_call(sim, "sendTelepathy", chat_id=1)
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    with pytest.raises(EndPointNotFound, match="sendTelepathy"):
        await bot.do_api_request("sendTelepathy")


async def test_a_wrong_token_is_unauthorized(sim: TelegramSimulator) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{sim.base_url}999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_a_wrong_token_makes_ptb_refuse_to_start(sim: TelegramSimulator) -> None:
    other = Bot("999:WRONG", base_url=sim.base_url, base_file_url=sim.base_file_url)
    try:
        with pytest.raises(InvalidToken, match="was rejected by the server"):
            await other.initialize()
    finally:
        await other.shutdown()  # initialize() leaves its HTTP clients open when it fails


async def test_method_names_are_case_insensitive_and_json_bodies_work(
    sim: TelegramSimulator, alice: SimUser
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{sim.base_url}{sim.token}/SENDMESSAGE",
            json={"chat_id": alice.id, "text": "hello", "reply_markup": {"remove_keyboard": True}},
        )
    body = response.json()
    assert body["ok"] is True
    assert body["result"]["text"] == "hello"
    assert isinstance(body["result"]["date"], int)


async def test_form_bodies_carry_complex_parameters_as_json_strings(
    sim: TelegramSimulator, alice: SimUser
) -> None:
    markup = {"inline_keyboard": [[{"text": "Confirm", "callback_data": "ok"}]]}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{sim.base_url}{sim.token}/sendMessage",
            data={"chat_id": str(alice.id), "text": "Hi", "reply_markup": json.dumps(markup)},
        )
    assert response.json()["result"]["reply_markup"] == markup


async def test_get_requests_with_query_parameters_are_served(sim: TelegramSimulator) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sim.base_url}{sim.token}/getUpdates?timeout=0")
    assert response.json() == {"ok": True, "result": []}


async def test_other_paths_get_telegrams_json_404(sim: TelegramSimulator) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sim.url}/nothing/here")
    assert response.status_code == 404
    assert response.json()["description"] == "Not Found"


async def test_missing_required_parameters_are_refused_in_telegrams_words(
    sim: TelegramSimulator, alice: SimUser
) -> None:
    cases: list[tuple[str, dict[str, object], str]] = [
        ("sendMessage", {"text": "hi"}, "Bad Request: chat_id is empty"),
        ("sendMessage", {"chat_id": alice.id}, "Bad Request: message text is empty"),
        ("sendMessage", {"chat_id": alice.id, "text": ""}, "Bad Request: message text is empty"),
        ("getFile", {}, 'Bad Request: parameter "file_id" is required'),
    ]
    for method, params, description in cases:
        response = await _raw_call(sim, method, **params)
        assert response.status_code == 400
        assert response.json() == {"ok": False, "error_code": 400, "description": description}


async def test_a_documented_but_unimplemented_method_says_so(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)method not supported by the simulator"):
        await bot.send_dice(chat_id=1)


async def test_every_call_is_logged_with_status_and_error(bot: Bot, sim: TelegramSimulator) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(chat_id=42, text="anyone?")
    call = sim.calls("sendMessage")[-1]
    assert call.status == 400
    assert call.error == "Bad Request: chat not found"
    assert call.params["chat_id"] == 42
    assert sim.calls("getMe"), "Bot.initialize calls getMe"


async def test_importing_the_sandbox_does_not_read_the_spec() -> None:
    code = (
        "import aftercare_bot.sandbox, aftercare_bot.sandbox.api_spec as spec;"
        "assert spec.load_spec.cache_info().currsize == 0"
    )
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", code, cwd=REPO_ROOT)
    assert await asyncio.wait_for(process.wait(), timeout=20) == 0
