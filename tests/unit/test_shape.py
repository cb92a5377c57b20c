"""The shape the architecture issue (17) moves towards, held as a ratchet.

`domain/` and `services/` import nothing from `adapters/` (use cases reach storage and
people through `services/ports.py`). Where the Telegram modules stand today is written down
below; a change may only shrink these lists. A new unit of work, commit or Bot send call in a
Telegram module fails here; one removed fails too, until its line is taken out of the list,
so the lists always say exactly what is left to move. The goal, per the issue: `domain/` and
`services/` import nothing from `adapters/`; Telegram handlers open no unit of work, commit
nothing and send only through the one outbound seam (`messenger`).
"""

import ast
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "aftercare_bot"
TELEGRAM = "aftercare_bot.adapters.telegram"
# Bot API calls that put something on a screen (or take it off).
SENDS = frozenset(
    {
        "send_message", "send_photo", "send_document", "send_media_group", "send_chat_action",
        "copy_message", "forward_message", "delete_message", "reply_text", "reply_html",
        "reply_markdown", "reply_photo", "reply_document", "edit_message_text",
        "edit_message_reply_markup", "edit_message_caption", "edit_text", "edit_reply_markup",
    }
)  # fmt: skip

# Per Telegram module: units of work opened and commits (no module but the seam sends).
TELEGRAM_CALLS = {
    "stopping": {"unit_of_work": 2, "commit": 2},
}
SEAM = "messenger"  # the one module that sends, replies and edits


def _modules(folder: str) -> dict[str, ast.Module]:
    return {
        path.stem: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        if path.stem != "__init__"
    }


def _imports(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("aftercare_bot")}


def _calls(tree: ast.Module) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in ("unit_of_work", "commit"):
                counts[name] += 1
            elif name in SENDS:
                counts["send"] += 1
    return dict(counts)


def test_the_domain_imports_no_adapter_and_no_use_case() -> None:
    for name, tree in _modules("domain").items():
        outward = {
            module
            for module in _imports(tree)
            if module.startswith(("aftercare_bot.adapters", "aftercare_bot.services"))
        }
        assert outward == set(), f"domain/{name}.py imports {sorted(outward)}"


def test_use_cases_import_no_adapter() -> None:
    for name, tree in _modules("services").items():
        adapters = {
            module for module in _imports(tree) if module.startswith("aftercare_bot.adapters")
        }
        assert adapters == set(), f"services/{name}.py imports {sorted(adapters)}: use a port"


def test_telegram_modules_open_units_of_work_commit_and_send_only_where_they_still_do() -> None:
    modules = _modules("adapters/telegram")
    found = {name: calls for name, tree in modules.items() if (calls := _calls(tree))}
    assert found.pop(SEAM, {}).keys() <= {"send"}, f"{SEAM} sends; it opens nothing"
    assert found == TELEGRAM_CALLS, (
        "Telegram modules may only lose units of work, commits and sends; update "
        "TELEGRAM_CALLS to what is left"
    )
