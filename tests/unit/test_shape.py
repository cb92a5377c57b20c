"""The shape of the house (README "Architecture", ../shared/STYLE.md), checked on the source.

- `domain/` imports nothing from `services/` or `adapters/`; `services/` nothing from
  `adapters/` (use cases reach storage and people through `services/ports.py`).
- Telegram handlers (`adapters/telegram/handlers/`) parse, call one use case and render: no
  unit of work, no repository, no commit, no wake-up, and no Bot send, reply or edit call.
- Every Bot send, reply and edit in the Telegram adapter goes through the one outbound seam,
  `adapters/telegram/messenger.py`; only `runtime/stopping.py` (keeping updates across a
  stop) opens a unit of work outside a use case.
- What `python bot.py run` loads never imports the simulator or the demo.
"""

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "aftercare_bot"
TELEGRAM = PACKAGE / "adapters" / "telegram"
# Bot API calls that put something on a screen (or take it off).
SENDS = frozenset(
    {
        "send_message", "send_photo", "send_document", "send_media_group", "send_chat_action",
        "copy_message", "forward_message", "delete_message", "reply_text", "reply_html",
        "reply_markdown", "reply_photo", "reply_document", "edit_message_text",
        "edit_message_reply_markup", "edit_message_caption", "edit_text", "edit_reply_markup",
    }
)  # fmt: skip
STORAGE = ("unit_of_work", "commit", "flush", "rollback")
WAKES = ("wake", "wake_at")
# Modules a handler must not import: storage and its Protocol belong to the use cases.
STORAGE_MODULES = (
    "aftercare_bot.adapters.persistence",
    "aftercare_bot.services.ports",
    "aftercare_bot.services.repositories",
)
SEAM = TELEGRAM / "messenger.py"
UNITS_OF_WORK_OUTSIDE_USE_CASES = {TELEGRAM / "runtime" / "stopping.py"}


def _modules(folder: Path) -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(folder.rglob("*.py"))
    }


def _imports(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("aftercare_bot")}


def _calls(tree: ast.Module) -> Counter[str]:
    counts: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            counts["send" if name in SENDS else name] += 1
    return counts


def _where(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def test_the_domain_imports_no_adapter_and_no_use_case() -> None:
    for path, tree in _modules(PACKAGE / "domain").items():
        outward = {
            module
            for module in _imports(tree)
            if module.startswith(("aftercare_bot.adapters", "aftercare_bot.services"))
        }
        assert outward == set(), f"{_where(path)} imports {sorted(outward)}"


def test_use_cases_import_no_adapter() -> None:
    for path, tree in _modules(PACKAGE / "services").items():
        adapters = {
            module for module in _imports(tree) if module.startswith("aftercare_bot.adapters")
        }
        assert adapters == set(), f"{_where(path)} imports {sorted(adapters)}: use a port"


def test_handlers_open_no_unit_of_work_touch_no_repository_and_wake_nothing() -> None:
    handlers = _modules(TELEGRAM / "handlers")
    assert len(handlers) > 10
    for path, tree in handlers.items():
        storage = {module for module in _imports(tree) if module.startswith(STORAGE_MODULES)}
        assert storage == set(), f"{_where(path)} imports {sorted(storage)}: call a use case"
        calls = _calls(tree)
        done_by_hand = {name: calls[name] for name in (*STORAGE, *WAKES) if calls[name]}
        assert done_by_hand == {}, f"{_where(path)} calls {done_by_hand}: a use case does that"


def test_only_the_outbound_seam_sends_replies_or_edits() -> None:
    for path, tree in _modules(TELEGRAM).items():
        if path != SEAM:
            assert _calls(tree)["send"] == 0, f"{_where(path)} calls the Bot: use messenger"
    assert _calls(ast.parse(SEAM.read_text(encoding="utf-8")))["send"] > 0


def test_only_stopping_opens_a_unit_of_work_in_the_telegram_adapter() -> None:
    opening = {path for path, tree in _modules(TELEGRAM).items() if _calls(tree)["unit_of_work"]}
    assert opening == UNITS_OF_WORK_OUTSIDE_USE_CASES


def test_what_run_loads_imports_neither_the_simulator_nor_the_demo() -> None:
    """`run` builds the bot from bootstrap and every adapter module; none pulls the sandbox in.

    In a fresh interpreter, since this test process has imported the sandbox already."""
    script = (
        "import importlib, pkgutil, sys\n"
        "import aftercare_bot.adapters as adapters, aftercare_bot.bootstrap, aftercare_bot.cli\n"
        "for found in pkgutil.walk_packages(adapters.__path__, 'aftercare_bot.adapters.'):\n"
        "    if '.migrations' not in found.name:\n"
        "        importlib.import_module(found.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('aftercare_bot.sandbox',"
        " 'aftercare_bot.demo'))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_with_the_console_off_none_of_its_modules_is_loaded() -> None:
    """A bot built from a config without `web.enabled` imports nothing of the console (nor
    Jinja, aiohttp, its API, the FHIR models, or the QR maker an enrollment loads), in a fresh
    interpreter; with it on, the console is built."""
    script = (
        "import sys, tempfile, pathlib\n"
        "from tests.config_files import write_config\n"
        "from aftercare_bot.config import load_config\n"
        "from aftercare_bot.bootstrap import BotRuntime\n"
        "folder = pathlib.Path(tempfile.mkdtemp())\n"
        "off = BotRuntime(load_config(write_config(folder)))\n"
        "print(off.console is None, sorted(m for m in sys.modules"
        " if m.startswith(('aftercare_bot.adapters.web', 'aftercare_bot.adapters.api',"
        " 'jinja2', 'aiohttp', 'fhir', 'segno'))))\n"
        "on = BotRuntime(load_config(write_config(folder, extra='[web]\\nenabled = true\\n')))\n"
        "print(on.console is not None)\n"
    )
    printed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert printed[:2] == ["True []", "True"]
