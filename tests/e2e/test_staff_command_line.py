"""The digest and the export from the command line, beside the running bot."""

import csv
import json
from pathlib import Path

from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import enroll
from tests.e2e.test_delivery import linked
from tests.e2e.test_enroll_command import bot_py
from tests.e2e.test_incidents import report_severe, staff_group


async def test_digest_print_shows_the_digest_as_plain_text(bot: RunningBot, tmp_path: Path) -> None:
    ben = await enroll(bot.admin, name="Ben & Co")
    result = await bot_py("digest", "--print", "--config", str(tmp_path / "config.toml"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("☀️ Digest for ")
    not_linked = lines.index("Enrolled, not linked yet: 1")
    assert lines[not_linked + 1] == f"• {ben.code} Ben & Co"  # tags dropped, entities decoded
    assert "<b>" not in result.stdout


async def test_export_writes_a_csv_since_a_day(bot: RunningBot, tmp_path: Path) -> None:
    await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    out = tmp_path / "export.csv"
    config = str(tmp_path / "config.toml")
    result = await bot_py("export", "--since", "2026-11-01", "--out", str(out), "--config", config)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"export: 2 rows written to {out}"
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(row["record"], row["patient"], row["result"]) for row in rows] == [
        ("check_in", code, "urgent"),
        ("incident", code, "urgent"),
    ]
    later = await bot_py("export", "--since", "2026-12-01", "--out", str(out), "--config", config)
    assert later.stdout.strip() == f"export: 0 rows written to {out}"


async def test_export_with_a_bad_date_names_it(bot: RunningBot, tmp_path: Path) -> None:
    config = str(tmp_path / "config.toml")
    result = await bot_py("export", "--since", "last week", "--out", "x.csv", "--config", config)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "export: --since 'last week' is not a date (expected YYYY-MM-DD)"
    )


async def test_export_fhir_writes_a_valid_bundle_of_the_patients_by_code(
    bot: RunningBot, tmp_path: Path
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    anna, code = await linked(bot)
    await report_severe(bot, anna)
    out = tmp_path / "clinic.fhir.json"
    config = str(tmp_path / "config.toml")
    result = await bot_py("export", "--fhir", str(out), "--config", config)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("export: a FHIR R4B bundle of ")
    bundle = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert {"Questionnaire", "Patient", "QuestionnaireResponse", "Observation", "Task"} <= set(
        kinds
    )
    assert code in out.read_text(encoding="utf-8") and "Anna" not in out.read_text("utf-8")
    neither = await bot_py("export", "--config", config)
    assert neither.returncode == 2
    assert "--fhir FILE" in neither.stderr
