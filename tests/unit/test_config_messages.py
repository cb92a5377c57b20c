"""Config mistakes as the clinic's IT person reads them: broken files through `load_config`."""

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aftercare_bot.config import Config, ConfigError, load_config
from aftercare_bot.config_errors import describe_problems
from tests.config_files import VALID_CONFIG, write_config

TOKEN = "123456789:AAtest-token-for-the-simulator-00"
PYDANTIC_WORDING = (
    "validation error for",
    "Input should be",
    "For further information visit",
    "errors.pydantic.dev",
    "Value error",
    "after validation",
    "Extra inputs are not permitted",
    "Field required",
    "type=",
)
PLAN = """
[plans.short]
sessions = 2
spacing = "4w"
steps = [
  { key = "hello", on = "link", message = "plan.hello", kind = "info" },
  { key = "later", after = "3x", message = "plan.checkin", kind = "info" },
]
"""


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def config_with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in VALID_CONFIG
    return write_config(tmp_path, VALID_CONFIG.replace(old, new, 1))


def test_a_misspelt_section_names_the_nearest_one_instead_of_dumping_its_table(
    tmp_path: Path,
) -> None:
    path = write_config(tmp_path, extra="\n[escalaton]\nmax_rounds = 2\n")
    assert problems_of(path) == [
        f"{path}: unknown section [escalaton] — did you mean [escalation]?"
    ]


def test_a_misspelt_key_names_the_nearest_key_of_its_own_section(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, extra='\n[escalation]\nreescalate_aftr = "5m"\n[logging]\nlevle = "INFO"\n'
    )
    assert problems_of(path) == [
        f"{path}: unknown key escalation.reescalate_aftr — did you mean "
        "escalation.reescalate_after?",
        f"{path}: unknown key logging.levle — did you mean logging.level?",
    ]


def test_a_key_far_from_any_name_lists_the_keys_its_section_has(tmp_path: Path) -> None:
    path = write_config(tmp_path, extra="\n[ha]\nreplicas = 2\n")
    assert problems_of(path) == [
        f"{path}: unknown key ha.replicas (expected one of takeover_after in [ha])"
    ]


def test_a_misspelt_required_key_is_one_mistake_not_also_a_missing_one(tmp_path: Path) -> None:
    path = config_with(tmp_path, 'name = "Riverside', 'nmae = "Riverside')
    assert problems_of(path) == [f"{path}: unknown key clinic.nmae — did you mean clinic.name?"]


def test_a_misspelt_required_section_is_one_mistake_not_also_a_missing_one(
    tmp_path: Path,
) -> None:
    path = config_with(tmp_path, "[staff]", "[stafff]")
    assert problems_of(path) == [f"{path}: unknown section [stafff] — did you mean [staff]?"]


def test_a_key_written_above_every_section_is_sent_to_its_section(tmp_path: Path) -> None:
    path = write_config(tmp_path, f'token = "{TOKEN}"\n' + VALID_CONFIG)
    assert problems_of(path) == [
        f"{path}: unknown key token — did you mean telegram.token, under [telegram]?"
    ]


def test_a_misspelt_environment_variable_names_the_nearest_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_TELEGRAM_TOKN", TOKEN)
    monkeypatch.setenv("AFTERCARE_ESCALATION_MAX_ROUNDS", "many")
    assert problems_of(write_config(tmp_path)) == [
        "AFTERCARE_TELEGRAM_TOKN: unknown setting telegram.tokn — did you mean "
        "AFTERCARE_TELEGRAM_TOKEN?",
        'escalation.max_rounds (from AFTERCARE_ESCALATION_MAX_ROUNDS): "many" is not a whole '
        "number",
    ]


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        (
            "[1001]",
            "[]",
            "staff.admin_ids: [] is empty (expected a list of Telegram user ids, e.g. [123456789])",
        ),
        (
            "[1001]",
            "1001",
            "staff.admin_ids: 1001 is not a list "
            "(expected a list of Telegram user ids, e.g. [123456789])",
        ),
        ("[1001]", "[1001, 2.5]", "staff.admin_ids item 2: 2.5 is not a whole number"),
        (
            "admin_ids = [1001]",
            'admin_ids = [1001]\nescalation_chat_id = "staff group"',
            'staff.escalation_chat_id: "staff group" is not a whole number',
        ),
        (
            "[telegram]\n",
            "[telegram]\nport = 0\n",
            "telegram.port: 0 is too small (expected 1 or more)",
        ),
        (
            "[telegram]\n",
            "[telegram]\nport = 70000\n",
            "telegram.port: 70000 is too large (expected 65535 or less)",
        ),
        (
            "[telegram]\n",
            '[telegram]\nmode = "pull"\n',
            'telegram.mode: "pull" is not one of the choices '
            '(expected one of "polling", "webhook")',
        ),
        (
            'name = "Riverside Hair Clinic"',
            'name = ""',
            'clinic.name: "" is empty (expected the clinic\'s name, e.g. "Riverside Hair Clinic")',
        ),
        (
            'phone = "+44 20 7946 0000"',
            "phone = 442079460000",
            "clinic.phone: 442079460000 is not text "
            '(expected the number patients call, e.g. "+33 1 23 45 67 89")',
        ),
        (
            "[clinic]\n",
            '[clinic]\ntimezone_choices = ["Europe/Paris", "Nowhere/Special"]\n',
            'clinic.timezone_choices item 2: "Nowhere/Special" is not a known time zone '
            '(expected an IANA name such as "Europe/Paris")',
        ),
    ],
)
def test_a_bad_value_is_one_plain_sentence_after_its_setting(
    tmp_path: Path, old: str, new: str, line: str
) -> None:
    problems = problems_of(config_with(tmp_path, old, new))
    assert problems == [line]
    assert not [phrase for phrase in PYDANTIC_WORDING if phrase in line]


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        (
            '[delivery]\nmax_per_second = "fast"\n',
            'delivery.max_per_second: "fast" is not a number',
        ),
        (
            "[delivery]\nmax_per_second = 0\n",
            "delivery.max_per_second: 0 is too small (expected more than 0)",
        ),
        (
            '[privacy]\non_delete = "shred"\n',
            'privacy.on_delete: "shred" is not one of the choices '
            '(expected one of "erase", "anonymise")',
        ),
        (
            '[logging]\njson = "maybe"\n',
            'logging.json: "maybe" is not true or false (expected true or false, unquoted)',
        ),
        (
            '[ha]\ntakeover_after = "0s"\n',
            'ha.takeover_after: "0s" is too short (expected at least 1s, e.g. "30s")',
        ),
        (
            'escalation = "often"\n',
            'escalation: "often" is not a table '
            "(expected a [escalation] section with its keys below it)",
        ),
    ],
)
def test_a_bad_value_in_an_optional_section_is_said_plainly(
    tmp_path: Path, extra: str, line: str
) -> None:
    text = extra + VALID_CONFIG if not extra.startswith("[") else VALID_CONFIG + "\n" + extra
    assert problems_of(write_config(tmp_path, text)) == [line]


def test_a_missing_section_says_what_it_should_hold(tmp_path: Path) -> None:
    text = VALID_CONFIG.split("[staff]")[0]
    assert problems_of(write_config(tmp_path, text)) == [
        "staff: missing (expected a [staff] table with admin_ids)"
    ]


@pytest.mark.parametrize(
    ("extra", "value"),
    [
        ('[schedule]\ngrace = "6x"\n', '"6x"'),
        ('[schedule]\nquiet_hours = "21-09"\n', '"21-09"'),
        ("[schedule]\ntick = 7\n", "7 is"),
    ],
)
def test_each_offending_value_is_printed_once(tmp_path: Path, extra: str, value: str) -> None:
    [problem] = problems_of(write_config(tmp_path, extra="\n" + extra))
    assert problem.count(value.split()[0]) == 1
    assert value in problem
    assert "'" not in problem.split(" (expected")[0]


def test_opening_hours_that_run_backwards_show_the_hours_once(tmp_path: Path) -> None:
    path = config_with(tmp_path, '"Mon-Fri 09:00-19:00, Sat 10:00-14:00"', '"Mon-Fri 19:00-09:00"')
    assert problems_of(path) == ['clinic.hours: "Mon-Fri 19:00-09:00" closes before it opens']


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (f'token = "{TOKEN}"', "token = 123456789"),
        (f'token = "{TOKEN}"', f'token = "{TOKEN}!"'),
        (f'token = "{TOKEN}"', f'tokn = "{TOKEN}"'),
        ("[telegram]", "[telegam]"),
        ("[telegram]\n", '[telegram]\nmode = "webhook"\nsecret_token = 123456789\n'),
        ("[telegram]\n", '[telegram]\nmode = "webhook"\nsecret_token = "123456789:AA"\n'),
    ],
)
def test_a_secret_is_never_echoed(tmp_path: Path, old: str, new: str) -> None:
    shown = "\n".join(problems_of(config_with(tmp_path, old, new)))
    assert "123456789" not in shown


def test_a_token_from_the_environment_is_never_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_TELEGRAM_TOKEN", "not-a-token-but-a-secret")
    assert problems_of(write_config(tmp_path)) == [
        'telegram.token (from AFTERCARE_TELEGRAM_TOKEN): "***" is not a bot token '
        "(expected the form 123456:ABC-DEF... from @BotFather)"
    ]


def test_a_database_password_is_masked(tmp_path: Path) -> None:
    path = write_config(tmp_path, database_url="postgres://bot:hunter2@db/aftercare")
    assert problems_of(path) == [
        'database.url: "postgres://bot:***@db/aftercare" is not a supported database URL '
        '(expected "sqlite:///path" or "postgresql://user@host/db")'
    ]


def test_plan_steps_are_counted_from_one(tmp_path: Path) -> None:
    problems = problems_of(write_config(tmp_path, extra=PLAN))
    assert problems == [
        'plans.short step 1, message: "plan.hello" is not a known message key',
        'plans.short step 2, after: "3x" is not a duration '
        '(expected a number and a unit s, m, h, d or w, such as "2h" or "3w")',
    ]


def test_a_misspelt_plan_field_names_the_nearest_and_is_one_mistake(tmp_path: Path) -> None:
    plan = PLAN.replace("sessions = 2", "sesions = 2").replace('after = "3x"', 'aftr = "3h"')
    problems = problems_of(write_config(tmp_path, extra=plan))
    assert problems == [
        "plans.short.sesions: 2 is not a field of a plan — did you mean sessions?",
        'plans.short step 1, message: "plan.hello" is not a known message key',
        'plans.short step 2, aftr: "3h" is not a field of a step — did you mean after?',
    ]


def test_a_missing_plans_file_is_named_as_such(tmp_path: Path) -> None:
    path = write_config(tmp_path, extra='\n[schedule]\nplans_file = "plans.toml"\n')
    assert problems_of(path) == [f"schedule.plans_file: no file at {tmp_path / 'plans.toml'}"]


def test_a_plans_file_is_checked_like_plans_in_the_config_and_named(tmp_path: Path) -> None:
    plans = tmp_path / "plans.toml"
    plans.write_text(PLAN.replace("[plans.short]", "[plan.short]"), encoding="utf-8")
    path = write_config(tmp_path, extra='\n[schedule]\nplans_file = "plans.toml"\n')
    assert problems_of(path) == [
        f"{plans}: unknown section [plan] — did you mean [plans]?",
        f"schedule.plans_file: {plans} has no [plans.NAME] tables (expected at least one)",
    ]
    plans.write_text(PLAN, encoding="utf-8")
    assert problems_of(path)[0] == (
        f'{plans}: plans.short step 1, message: "plan.hello" is not a known message key'
    )


def test_a_misspelt_triage_rule_names_the_nearest(tmp_path: Path) -> None:
    path = write_config(tmp_path, extra='\n[triage]\nurgnt_signs = ["fever"]\n')
    assert problems_of(path) == [
        f"{path}: unknown key triage.urgnt_signs — did you mean triage.urgent_signs?"
    ]


def test_a_missing_texts_folder_is_named_as_such(tmp_path: Path) -> None:
    path = write_config(tmp_path, extra='\n[texts]\ndir = "our-texts"\n')
    assert problems_of(path) == [f"texts.dir: no folder at {tmp_path / 'our-texts'}"]


def test_a_source_key_is_refused_like_any_unknown_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'source = "elsewhere"\n' + VALID_CONFIG)
    assert problems_of(path) == [f"{path}: unknown key source"]


class _Shaped(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(default="AB", pattern=r"^[A-Z]{2}$")
    name: str = Field(default="", max_length=3)
    tags: list[str] = Field(default_factory=list, max_length=2)


def test_kinds_of_problem_the_config_does_not_use_yet_are_plain_too() -> None:
    with pytest.raises(ValidationError) as caught:
        _Shaped(code="abc", name="Riverside", tags=["a", "b", "c"])
    problems = describe_problems(
        caught.value.errors(), model=_Shaped, file=Path("shaped.toml"), environ={}
    )
    assert problems == [
        'code: "abc" is not in the expected form (expected the form shown in config.example.toml)',
        'name: "Riverside" is too long (expected at most 3 characters)',
        'tags: ["a", "b", "c"] is too long (expected at most 2 items)',
    ]


def test_an_environment_list_that_is_not_json_names_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_STAFF_ADMIN_IDS", "1001,1002")
    assert problems_of(write_config(tmp_path)) == [
        "AFTERCARE_STAFF_ADMIN_IDS: cannot be read "
        "(a list in a variable is written as JSON, e.g. [1001, 1002])"
    ]


def every_setting() -> list[tuple[str, str, bool]]:
    """Each section and key of the config, and whether its value is a secret."""
    settings = []
    for section, field in Config.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            for name, info in model.model_fields.items():
                secret = "SecretStr" in str(info.annotation)
                settings.append((section, info.alias or name, secret))
    return settings


@pytest.mark.parametrize(("section", "key", "secret"), every_setting())
def test_no_setting_given_a_wrong_value_shows_pydantic_wording(
    tmp_path: Path, section: str, key: str, secret: bool
) -> None:
    header = f"[{section}]\n"
    valid = re.sub(rf"(?m)^{key} = .*\n", "", VALID_CONFIG)
    refused = 0
    for wrong in ('[{ a = "wrong-1" }]', '"wrong-2"', "-3"):
        if header in valid:
            text = valid.replace(header, f"{header}{key} = {wrong}\n")
        else:
            text = f"{valid}\n{header}{key} = {wrong}\n"
        try:
            load_config(write_config(tmp_path, text))
        except ConfigError as error:
            refused += 1
            shown = "\n".join(error.problems)
            assert not [phrase for phrase in PYDANTIC_WORDING if phrase in shown]
            assert f"{section}.{key}" in shown
            assert not (secret and "wrong" in shown)
    assert refused
