from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.config import ConfigError, load_config
from tests.config_files import VALID_CONFIG, write_config


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def test_a_valid_config_is_loaded_into_typed_values(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert config.clinic.timezone == ZoneInfo("Europe/London")
    assert config.staff.admin_ids == [1001]
    assert config.telegram.base_url == "https://api.telegram.org/bot"
    assert config.require_token().startswith("123456789:")


def test_the_database_defaults_to_a_sqlite_file_next_to_the_config(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'aftercare.sqlite3'}"


def test_a_relative_sqlite_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, database_url="sqlite:///data/bot.sqlite3"))
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'bot.sqlite3'}"


def test_the_environment_overrides_the_token_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_TELEGRAM_TOKEN", "42:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    config = load_config(write_config(tmp_path, base_url="http://127.0.0.1:9/bot"))
    assert config.require_token() == "42:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert config.telegram.base_url == "http://127.0.0.1:9/bot"


def test_a_missing_token_is_named_with_where_to_put_it(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path, VALID_CONFIG.replace("123456789:AAtest-token-for-the-simulator-00", "")
        )
    )
    with pytest.raises(ConfigError) as caught:
        config.require_token()
    assert caught.value.problems == [
        'telegram.token: "" is empty (expected the token from @BotFather, '
        "or set AFTERCARE_TELEGRAM_TOKEN)"
    ]


def test_every_mistake_is_one_line_naming_the_key_the_value_and_what_was_expected(
    tmp_path: Path,
) -> None:
    text = (
        VALID_CONFIG.replace('"Europe/London"', '"Mars/Olympus"')
        .replace("[1001]", '["abc"]')
        .replace('hours = "Mon-Fri', 'hours = "Mon-Fro')
        .replace('name = "Riverside', 'nmae = "Riverside')
    )
    path = write_config(tmp_path, text)
    assert problems_of(path) == [
        'clinic.timezone: "Mars/Olympus" is not a known time zone '
        '(expected an IANA name such as "Europe/Paris")',
        "clinic.hours: \"Mon-Fro 09:00-19:00, Sat 10:00-14:00\": 'Fro' is not a weekday "
        "(expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
        f"{path}: unknown key clinic.nmae — did you mean clinic.name?",
        'staff.admin_ids item 1: "abc" is not a whole number',
    ]


def test_a_token_in_a_problem_line_is_never_printed(tmp_path: Path) -> None:
    problems = problems_of(write_config(tmp_path, VALID_CONFIG.replace("123456789:AA", "secret")))
    assert problems == [
        'telegram.token: "***" is not a bot token '
        "(expected the form 123456:ABC-DEF... from @BotFather)"
    ]


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "config.toml") == [
        f"{tmp_path / 'config.toml'}: file not found "
        f"(copy config.example.toml to {tmp_path / 'config.toml'} and fill it in)"
    ]


def test_a_toml_syntax_error_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[clinic]\nname = \n", encoding="utf-8")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: not valid TOML (")
    assert "line 2" in problem


def test_the_shipped_example_config_is_valid_once_it_has_a_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AFTERCARE_TELEGRAM_TOKEN", "42:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    config = load_config(Path(__file__).parents[2] / "config.example.toml")
    assert config.clinic.hours.text == "Mon-Fri 09:00-19:00, Sat 10:00-14:00"


def test_a_clinic_can_point_texts_dir_at_its_own_adapted_copy(tmp_path: Path) -> None:
    from aftercare_bot.config import load_texts_and_plans

    own = tmp_path / "our-texts"
    own.mkdir()
    for language in ("en", "ru"):
        shipped = (Path(__file__).parents[2] / "messages" / f"{language}.toml").read_text("utf-8")
        (own / f"{language}.toml").write_text(
            shipped.replace("Aftercare after your session", "Our own aftercare"), "utf-8"
        )
    config = load_config(write_config(tmp_path, extra='\n[texts]\ndir = "our-texts"\n'))
    texts, _plans = load_texts_and_plans(config)
    assert texts.render(
        "en",
        "plan.aftercare",
        **dict.fromkeys(("name", "clinic", "practitioner", "phone", "emergency"), "x"),
    ).startswith("<b>Our own aftercare")


def test_a_clinic_changes_one_sentence_without_copying_the_catalogue(tmp_path: Path) -> None:
    from aftercare_bot.config import load_texts_and_plans

    own = tmp_path / "our-texts"
    own.mkdir()
    (own / "en.toml").write_text(
        '[help]\npatient = "Call {clinic} on {phone} ({hours}); if very unwell, {emergency}."\n',
        "utf-8",
    )
    config = load_config(write_config(tmp_path, extra='\n[texts]\ndir = "our-texts"\n'))
    texts, _plans = load_texts_and_plans(config)
    assert texts.render("en", "help.patient").startswith("Call ")
    assert texts.render("en", "help.staff").startswith("<b>Staff commands</b>")
    assert not texts.render("ru", "help.patient").startswith("Call ")


def test_a_clinic_sentence_with_an_unknown_key_or_other_placeholders_is_named_at_start(
    tmp_path: Path,
) -> None:
    own = tmp_path / "our-texts"
    own.mkdir()
    (own / "en.toml").write_text(
        '[plan]\naftercare = "Hi {name}"\n[help]\npatinet = "typo"\n', "utf-8"
    )
    (own / "xx.toml").write_text('[help]\npatient = "?"\n', "utf-8")
    problems = problems_of(write_config(tmp_path, extra='\n[texts]\ndir = "our-texts"\n'))
    assert problems[0].startswith(
        "texts.dir: \"our-texts\": en.toml: plan.aftercare has placeholders ['name'], "
        "the shipped text has ["
    )
    assert problems[1:] == [
        'texts.dir: "our-texts": en.toml: help.patinet is not a text of the bot',
        "texts.dir: \"our-texts\": xx.toml: no shipped language 'xx' (expected one of "
        "en, de, es, fr, it, pt, ru, tr, uk)",
    ]


def test_a_clinic_sentence_telegram_would_refuse_is_named_at_start(tmp_path: Path) -> None:
    own = tmp_path / "our-texts"
    own.mkdir()
    (own / "ru.toml").write_text('[staff]\nconsole_button = "<b>Консоль"\n', "utf-8")
    problems = problems_of(write_config(tmp_path, extra='\n[texts]\ndir = "our-texts"\n'))
    assert problems == [
        'texts.dir: "our-texts": ru.toml: staff.console_button: Telegram would refuse it: '
        'Can\'t find end tag corresponding to start tag "b"'
    ]


def test_a_plan_naming_a_text_that_does_not_exist_is_refused_at_start(tmp_path: Path) -> None:
    plan = (
        '\n[plans.short]\nsessions = 2\nspacing = "4w"\nsteps = [\n'
        '  { key = "hello", on = "link", message = "plan.hello", kind = "info" },\n'
        '  { key = "later", after = "3x", message = "plan.checkin", kind = "info" },\n]\n'
        '[schedule]\ndefault_plan = "short"\n'
    )
    problems = problems_of(write_config(tmp_path, extra=plan))
    assert problems[0].startswith('plans.short step 1, message: "plan.hello" is not a known')
    assert problems[1].startswith('plans.short step 2, after: "3x" is not a duration')


def test_triage_rules_are_read_from_the_config_and_checked(tmp_path: Path) -> None:
    from aftercare_bot.config import load_triage_rules

    good = load_config(write_config(tmp_path, extra="\n[triage]\nroutine_from_day = 2\n"))
    assert load_triage_rules(good).routine_from_day == 2
    problems = problems_of(write_config(tmp_path, extra='\n[triage]\nroutine_level = "medium"\n'))
    assert problems == [
        'triage.routine_level: "medium" is not a level '
        "(expected one of none, mild, moderate, severe)"
    ]


def test_a_digest_time_that_is_not_a_time_of_day_is_named(tmp_path: Path) -> None:
    text = VALID_CONFIG.replace('digest_at = "off"', 'digest_at = "9am"')
    assert problems_of(write_config(tmp_path, text)) == [
        'staff.digest_at: "9am" is not a time of day (expected "HH:MM", e.g. "09:00", or "off")'
    ]


def test_the_digest_goes_at_nine_unless_set_otherwise_or_off(tmp_path: Path) -> None:
    from datetime import time

    from aftercare_bot.config import load_config

    default = VALID_CONFIG.replace('digest_at = "off"\n', "")
    assert load_config(write_config(tmp_path, default)).staff.digest_at == time(9, 0)
    early = VALID_CONFIG.replace('digest_at = "off"', 'digest_at = "07:30"')
    assert load_config(write_config(tmp_path, early)).staff.digest_at == time(7, 30)
    assert load_config(write_config(tmp_path, VALID_CONFIG)).staff.digest_at is None


def test_webhook_mode_needs_an_https_url_and_a_secret_token(tmp_path: Path) -> None:
    text = VALID_CONFIG.replace(
        "[telegram]\n", '[telegram]\nmode = "webhook"\nwebhook_url = "http://bot.example/t"\n'
    )
    assert problems_of(write_config(tmp_path, text)) == [
        'telegram.webhook_url: "http://bot.example/t" is not an https URL, required in webhook '
        'mode (expected e.g. "https://bot.clinic.example/telegram")',
        'telegram.secret_token: "***" is required in webhook mode (expected 16 to 256 letters, '
        "digits, _ or -, e.g. from `openssl rand -hex 32`)",
    ]


def test_logging_takes_a_level_and_json(tmp_path: Path) -> None:
    from aftercare_bot.config import load_config

    text = VALID_CONFIG + '\n[logging]\nlevel = "WARNING"\njson = true\n'
    config = load_config(write_config(tmp_path, text))
    assert (config.logging.level, config.logging.json_lines) == ("WARNING", True)
    wrong = VALID_CONFIG + '\n[logging]\nlevel = "LOUD"\n'
    [problem] = problems_of(write_config(tmp_path, wrong))
    assert problem.startswith('logging.level: "LOUD"')
