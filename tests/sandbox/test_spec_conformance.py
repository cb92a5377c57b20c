"""Every object the simulator emits carries the fields and JSON types the Bot API spec demands."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import httpx

from aftercare_bot.sandbox import SimUser, TelegramSimulator
from aftercare_bot.sandbox.api_spec import load_spec

_SCALARS: dict[str, tuple[type, ...]] = {
    "Integer": (int,),
    "String": (str,),
    "Boolean": (bool,),
    "Float": (int, float),
    "True": (bool,),
}


def _types() -> dict[str, Any]:
    text = resources.files("aftercare_bot.sandbox").joinpath("spec", "api.json").read_text()
    types: dict[str, Any] = json.loads(text)["types"]
    return types


def problems(kind: str, value: Any, path: str, types: dict[str, Any]) -> list[str]:
    """Differences between `value` and spec type `kind` (recursive)."""
    if kind.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: expected an array"]
        inner = kind.removeprefix("Array of ")
        return [
            p for i, item in enumerate(value) for p in problems(inner, item, f"{path}[{i}]", types)
        ]
    if kind in _SCALARS:
        ok = isinstance(value, _SCALARS[kind]) and not (
            kind == "Integer" and isinstance(value, bool)
        )
        return [] if ok else [f"{path}: expected {kind}, got {value!r}"]
    spec = types.get(kind)
    if spec is None:
        return []
    if spec.get("subtypes"):
        return _best_subtype(spec["subtypes"], value, path, types)
    if not isinstance(value, dict):
        return [f"{path}: expected a {kind} object"]
    found = [
        f"{path}.{f['name']}: missing"
        for f in spec.get("fields", [])
        if f["required"] and f["name"] not in value
    ]
    for field in spec.get("fields", []):
        if field["name"] in value and len(field["types"]) == 1:
            found += problems(
                field["types"][0], value[field["name"]], f"{path}.{field['name']}", types
            )
    return found


def _best_subtype(subtypes: list[str], value: Any, path: str, types: dict[str, Any]) -> list[str]:
    results = [problems(subtype, value, path, types) for subtype in subtypes]
    return min(results, key=len)


async def _call(client: httpx.AsyncClient, method: str, **params: Any) -> Any:
    response = await client.post(method, json=params)
    body = response.json()
    assert body["ok"], body
    return body["result"]


async def test_updates_and_results_match_the_spec(
    sim: TelegramSimulator, alice: SimUser, png: bytes
) -> None:
    types = _types()
    group = sim.add_group("Clinic staff", [alice], type="group")
    keyboard = {"inline_keyboard": [[{"text": "Confirm", "callback_data": "yes"}]]}
    async with httpx.AsyncClient(base_url=f"{sim.base_url}{sim.token}/") as client:
        results: list[tuple[str, Any]] = [("User", await _call(client, "getMe"))]
        sent = await _call(
            client, "sendMessage", chat_id=alice.id, text="Hi", reply_markup=keyboard
        )
        results.append(("Message", sent))
        await alice.send("/start x")
        await alice.send_photo(png, caption="scalp")
        await alice.send_document(b"doc", file_name="a.pdf")
        await alice.send_sticker()
        await alice.send_location(1.5, 2.5)
        await alice.send_contact("+100")
        await alice.press(sent, "Confirm")
        await alice.send("/bindgroup", chat=group, reply_to=None)
        await alice.block_bot()
        sim.faults.migrate_chat(group)
        updates = await _call(client, "getUpdates")
        assert len(updates) == 11
        results += [("Update", update) for update in updates]
        photo_id = updates[1]["message"]["photo"][-1]["file_id"]
        results.append(("File", await _call(client, "getFile", file_id=photo_id)))
        results.append(("ChatFullInfo", await _call(client, "getChat", chat_id=alice.id)))
        results.append(
            ("ChatMember", await _call(client, "getChatMember", chat_id=alice.id, user_id=alice.id))
        )
        results.append(("WebhookInfo", await _call(client, "getWebhookInfo")))
        results.append(("MenuButton", await _call(client, "getChatMenuButton")))
    found = [p for kind, value in results for p in problems(kind, value, kind, types)]
    assert found == []
    assert load_spec().method("SENDMESSAGE") is not None
