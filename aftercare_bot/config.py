"""Load and validate the TOML config once, into frozen objects passed down to everything else.

A clinic's IT person edits this file by hand, so every mistake is reported on one line that
names the key, the value and what was expected, all mistakes at once, and never a traceback.
`AFTERCARE_<SECTION>_<KEY>` in the environment overrides the file (e.g. the token, so that
it need not be written to disk).
"""

import json
import os
import re
import tomllib
from dataclasses import fields
from datetime import time, timedelta
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from aftercare_bot.config_errors import (
    ENV_PREFIX,
    describe_problems,
    unknown_key_line,
    unreadable_variables,
)
from aftercare_bot.domain.clinic_hours import ClinicHours, parse_clinic_hours
from aftercare_bot.domain.durations import parse_duration
from aftercare_bot.domain.plans import InvalidPlan, Plan, parse_plans
from aftercare_bot.domain.privacy import DeleteMode
from aftercare_bot.domain.quiet_hours import QuietHours, parse_quiet_hours
from aftercare_bot.domain.triage import InvalidTriageRules, TriageRules
from aftercare_bot.texts import CatalogueError, Texts, format_hours

DEFAULT_CONFIG_PATH = Path("config.toml")
DEFAULT_SQLITE_NAME = "aftercare.sqlite3"
DEFAULT_QUIET_HOURS = "21:00-09:00"
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """The config cannot be used; `problems` holds one readable line per mistake."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _zone(value: object) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    if not isinstance(value, str) or not value:
        raise ValueError('is not a time zone (expected an IANA name such as "Europe/Paris")')
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            'is not a known time zone (expected an IANA name such as "Europe/Paris")'
        ) from None


def _hours(value: object) -> ClinicHours:
    if isinstance(value, ClinicHours):
        return value
    if not isinstance(value, str):
        raise ValueError('is not opening hours (expected e.g. "Mon-Fri 09:00-19:00")')
    return parse_clinic_hours(value)


def _quiet(value: object) -> QuietHours | None:
    if value is None or isinstance(value, QuietHours):
        return value
    return parse_quiet_hours(str(value))


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(str(value))


def _time_of_day(value: object) -> time | None:
    if value is None or isinstance(value, time):
        return value
    text = str(value).strip()
    if text.lower() == "off":
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text)
    if match is None:
        raise ValueError('is not a time of day (expected "HH:MM", e.g. "09:00", or "off")')
    return time(int(match[1]), int(match[2]))


TimeZone = Annotated[ZoneInfo, BeforeValidator(_zone)]
TimeOfDay = Annotated[time | None, BeforeValidator(_time_of_day)]
OpeningHours = Annotated[ClinicHours, BeforeValidator(_hours)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]
QuietWindow = Annotated[QuietHours | None, BeforeValidator(_quiet)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class TelegramConfig(_Section):
    """How to reach Telegram: the real Bot API, a self-hosted server, or the simulator."""

    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    # "polling" (the default: nothing to expose) or "webhook" (Telegram posts to
    # webhook_url, which a reverse proxy forwards to listen:port).
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = Field(default="", validate_default=True)
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    secret_token: SecretStr = Field(default=SecretStr(""), validate_default=True)

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and not _TOKEN.match(secret):
            raise ValueError(
                "is not a bot token (expected the form 123456:ABC-DEF... from @BotFather)"
            )
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("mode") != "webhook":
            return value
        if not re.match(r"^https://[^/\s]+(/\S*)?$", value):
            raise ValueError(
                "is not an https URL, required in webhook mode (expected e.g. "
                '"https://bot.clinic.example/telegram")'
            )
        return value

    @field_validator("secret_token")
    @classmethod
    def _secret(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if info.data.get("mode") != "webhook":
            return value
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()):
            raise ValueError(
                "is required in webhook mode (expected 16 to 256 letters, digits, _ or -, "
                "e.g. from `openssl rand -hex 32`)"
            )
        return value

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError('is not an http(s) URL (expected e.g. "http://127.0.0.1:8081/bot")')
        return value


class DatabaseConfig(_Section):
    """Where patients and the schedule are stored; SQLite by default, PostgreSQL in production."""

    url: str = ""

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError(
                'is not a supported database URL (expected "sqlite:///path" or '
                '"postgresql://user@host/db")'
            )
        return value


class ClinicConfig(_Section):
    """The clinic as patients meet it: its name, zone, phone numbers and watched hours."""

    name: str = Field(min_length=1)
    timezone: TimeZone
    phone: str = Field(min_length=1)
    emergency_number: str = Field(min_length=1)
    hours: OpeningHours
    language: str = "en"
    # The languages patients and staff are answered in; unset: the clinic's own, English and
    # Russian (as before there were more). Each must have a catalogue in messages/.
    languages: list[str] | None = None
    # Offered as buttons by /timezone (patients can also type a city or a zone).
    timezone_choices: list[TimeZone] = Field(default_factory=list)

    @property
    def offered_languages(self) -> list[str]:
        """The languages offered, the clinic's own first."""
        listed = self.languages if self.languages is not None else ["en", "ru"]
        return list(dict.fromkeys([self.language, *listed]))

    @property
    def text_params(self) -> dict[str, object]:
        """The clinic's details that many texts mention, filled into every text rendered (the
        hours written out in each reader's language)."""
        return {
            "clinic": self.name,
            "phone": self.phone,
            "emergency": self.emergency_number,
            "hours": partial(format_hours, self.hours),
        }

    @property
    def zones_offered(self) -> list[ZoneInfo]:
        """The clinic's zone first, then the configured choices."""
        zones = [self.timezone, *self.timezone_choices]
        return list(dict.fromkeys(zones))


class EnrollmentConfig(_Section):
    """How long an enrollment or staff invitation link stays usable."""

    link_lifetime: Duration = timedelta(days=7)


class ScheduleConfig(_Section):
    """When messages may go out, and which plans exist."""

    grace: Duration = timedelta(hours=6)
    tick: Duration = timedelta(seconds=5)
    course_overdue_after: Duration = timedelta(weeks=2)
    checkin_nudge_after: Duration = timedelta(hours=8)
    checkin_expire_after: Duration = timedelta(hours=24)
    quiet_hours: QuietWindow = parse_quiet_hours(DEFAULT_QUIET_HOURS)
    default_plan: str = "scalp-mesotherapy"
    plans_file: str = ""


class DeliveryConfig(_Section):
    """How fast the bot sends, replies and reminders together: under Telegram's ~30/s overall,
    and reminders at most one per chat per interval."""

    max_per_second: float = Field(default=29.0, gt=0, le=30)
    per_chat_interval: Duration = timedelta(seconds=1)


class PrivacyConfig(_Section):
    """What /delete keeps: nothing ("erase"), or anonymous check-in answers ("anonymise")."""

    on_delete: DeleteMode = DeleteMode.ERASE
    # How long after a patient's last course closed the bot forgets them (per on_delete).
    retain_after_course: Duration = timedelta(weeks=52)


class CheckinsConfig(_Section):
    """Check-ins: the largest scalp photo a patient may send (Telegram lets bots fetch 20 MB),
    and how long after its last answer a check-in left halfway is closed and triaged."""

    max_photo_mb: int = Field(default=10, gt=0, le=20)
    abandon_after: Duration = timedelta(hours=2)


class FloodsConfig(_Section):
    """Flood control: more than `max_messages` from one chat within `window` is faster than a
    person types. A linked patient's messages in a flood reach staff as one post, due
    `post_within` after the flood began (the dispatcher's tick may add a few seconds)."""

    max_messages: int = Field(default=10, ge=3, le=1000)
    window: Duration = timedelta(seconds=10)
    post_within: Duration = timedelta(seconds=50)


class LoggingConfig(_Section):
    """How the bot logs (always to stderr; ids and codes only, secrets masked)."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # One JSON object per line, for a log collector.
    json_lines: bool = Field(default=False, alias="json")


class HaConfig(_Section):
    """Two `run` processes on one PostgreSQL: one active, one standing by."""

    # A standby takes over when the active instance has not renewed its lease for this long.
    takeover_after: Duration = timedelta(seconds=30)

    @field_validator("takeover_after")
    @classmethod
    def _long_enough(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError('is too short (expected at least 1s, e.g. "30s")')
        return value


class EscalationConfig(_Section):
    """How an urgent incident nobody acknowledges is paged again, and when the patient is told."""

    reescalate_after: Duration = timedelta(minutes=15)
    max_rounds: int = Field(default=3, ge=0, le=20)
    ack_timeout: Duration = timedelta(hours=4)
    patient_safety_net_after: Duration = timedelta(minutes=30)


class TextsConfig(_Section):
    """Where a clinic's own sentences are: files per language with only the keys it changes."""

    dir: str = ""


class StaffConfig(_Section):
    """Who may run staff commands, and where escalations go."""

    admin_ids: list[int] = Field(min_length=1)
    escalation_chat_id: int | None = None
    oncall_ids: list[int] = Field(default_factory=list)
    # Technical errors (ids only, rate-limited) go here; default the admins' private chats.
    ops_chat_id: int | None = None
    # The daily digest is posted to the staff group at this clinic time ("off": only /digest).
    digest_at: TimeOfDay = time(9, 0)


class CalcomConfig(_Section):
    """Cal.com's webhook: its secret signs every delivery (empty: Cal.com is not connected)."""

    webhook_secret: SecretStr = SecretStr("")


class WebConfig(_Section):
    """The staff console in a browser and inside Telegram (a Mini App), served by the bot
    itself on every instance; nothing of it is loaded unless `enabled`."""

    enabled: bool = False
    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # The address staff open, as the reverse proxy serves it ("https://care.clinic.example");
    # sign-in links are made from it, cookies are Secure when it is https, and the Mini App
    # button (Telegram requires https) is offered only then. Empty: http://listen:port.
    public_url: str = ""
    # A console session ends after this long without a request.
    session_idle: Duration = timedelta(minutes=30)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError('is not an http(s) URL (expected e.g. "https://care.clinic.example")')
        return value.rstrip("/")

    @field_validator("session_idle")
    @classmethod
    def _idle_bounds(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= timedelta(hours=12):
            raise ValueError('is out of bounds (expected 1m to 12h, e.g. "30m")')
        return value

    @property
    def base_url(self) -> str:
        """Where the console is reached, without a trailing slash."""
        return self.public_url or f"http://{self.listen}:{self.port}"

    @property
    def secure(self) -> bool:
        """Whether staff reach it over https (cookies are then Secure)."""
        return self.base_url.startswith("https://")


class Config(BaseSettings):
    """The whole validated config; `source` is the file it came from."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
        frozen=True,
    )
    telegram: TelegramConfig = TelegramConfig()
    database: DatabaseConfig = DatabaseConfig()
    texts: TextsConfig = TextsConfig()
    clinic: ClinicConfig
    staff: StaffConfig
    enrollment: EnrollmentConfig = EnrollmentConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    checkins: CheckinsConfig = CheckinsConfig()
    floods: FloodsConfig = FloodsConfig()
    escalation: EscalationConfig = EscalationConfig()
    ha: HaConfig = HaConfig()
    web: WebConfig = WebConfig()
    calcom: CalcomConfig = CalcomConfig()
    logging: LoggingConfig = LoggingConfig()
    triage: dict[str, Any] = Field(default_factory=dict)
    plans: dict[str, Any] = Field(default_factory=dict)
    source: Path = Path(".")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment wins over the file, so a token can stay out of it."""
        return (env_settings, init_settings)

    @property
    def database_url(self) -> str:
        """The database URL, defaulting to a SQLite file next to the config file."""
        if self.database.url:
            return resolve_sqlite_path(self.database.url, self.source.parent)
        return f"sqlite:///{(self.source.parent / DEFAULT_SQLITE_NAME).resolve()}"

    def require_token(self) -> str:
        """The bot token, for the commands that talk to Telegram.

        Raises:
            ConfigError: no token in the file nor in AFTERCARE_TELEGRAM_TOKEN.
        """
        token = self.telegram.token.get_secret_value()
        if not token:
            raise ConfigError(
                [
                    'telegram.token: "" is empty (expected the token from @BotFather, '
                    "or set AFTERCARE_TELEGRAM_TOKEN)"
                ]
            )
        return token


def resolve_sqlite_path(url: str, base: Path) -> str:
    """Make a relative SQLite path relative to the config file rather than to the shell's cwd."""
    match = re.match(r"^(sqlite(?:\+\w+)?:///)(?!/)(.+)$", url)
    if match is None or match[2].startswith(":memory:"):
        return url
    return f"{match[1]}{(base / match[2]).resolve()}"


def load_config(path: Path = DEFAULT_CONFIG_PATH) -> Config:
    """Read, merge with the environment and validate the config file.

    Raises:
        ConfigError: the file is missing, is not TOML, or holds invalid values.
    """
    data = read_toml(path)
    if "source" in data:
        settings = [name for name in Config.model_fields if name != "source"]
        raise ConfigError([unknown_key_line(path, "source", settings)])
    try:
        config = Config(**data, source=path)
    except ValidationError as error:
        problems = describe_problems(error.errors(), model=Config, file=path, environ=os.environ)
        raise ConfigError(problems) from None
    except SettingsError as error:
        raise ConfigError([unreadable_variables(str(error), os.environ)]) from None
    load_texts_and_plans(config)  # refuse to start with texts and plans that disagree
    load_triage_rules(config)
    return config


def load_triage_rules(config: Config) -> TriageRules:
    """The clinic's triage thresholds from `[triage]` (the product's defaults when absent).

    Raises:
        ConfigError: one line per bad key.
    """
    rules = [field.name for field in fields(TriageRules)]
    unknown = [
        unknown_key_line(config.source, f"triage.{key}", [f"triage.{rule}" for rule in rules])
        for key in config.triage
        if key not in rules
    ]
    known = {key: value for key, value in config.triage.items() if key in rules}
    try:
        triage = TriageRules.from_mapping(known)
    except InvalidTriageRules as error:
        raise ConfigError(unknown + list(error.problems)) from None
    if unknown:
        raise ConfigError(unknown)
    return triage


def load_texts_and_plans(config: Config) -> tuple[Texts, dict[str, Plan]]:
    """The texts (shipped or the clinic's) and the plans, checked against each other; the texts
    fill the clinic's details (name, phone, emergency number, hours) into every text.

    Raises:
        ConfigError: a catalogue is broken, a plan names an unknown text, the default plan or
            the clinic's language does not exist.
    """
    base = config.source.parent
    try:
        texts = _load_texts(base, config.texts.dir)
    except (CatalogueError, OSError) as error:
        raise ConfigError([f"texts.dir: {json.dumps(config.texts.dir)}: {error}"]) from None
    problems: list[str] = []
    if config.clinic.language not in texts.languages:
        problems.append(
            f"clinic.language: {json.dumps(config.clinic.language)} is not a supported language "
            f"(expected one of {', '.join(texts.languages)})"
        )
    unknown = [code for code in config.clinic.languages or [] if code not in texts.languages]
    if unknown:
        problems.append(
            f"clinic.languages: {', '.join(json.dumps(code) for code in unknown)} has no "
            f"catalogue (expected some of {', '.join(texts.languages)})"
        )
    tables, origin = _plan_tables(config)
    try:
        plans = parse_plans(
            tables, known_messages=texts.keys(), default_valid_for=config.schedule.grace
        )
    except InvalidPlan as error:
        raise ConfigError(problems + [origin + problem for problem in error.problems]) from None
    if config.schedule.default_plan not in plans:
        problems.append(
            f"schedule.default_plan: {json.dumps(config.schedule.default_plan)} is not a plan "
            f"(expected one of {', '.join(plans)})"
        )
    if problems:
        raise ConfigError(problems)
    offered = texts.offering(config.clinic.offered_languages)
    return offered.with_defaults(config.clinic.text_params), plans


def _load_texts(base: Path, directory: str) -> Texts:
    """The shipped texts, with the sentences a clinic changed in `texts.dir`, if any."""
    shipped = Texts.load()
    if not directory:
        return shipped
    if not (base / directory).is_dir():
        raise ConfigError([f"texts.dir: no folder at {(base / directory).resolve()}"])
    own, problems = shipped.with_overrides(base / directory)
    if problems:
        raise ConfigError([f"texts.dir: {json.dumps(directory)}: {line}" for line in problems])
    return own


def plan_tables(config: Config) -> dict[str, Any]:
    """The plans as the file (or the config, or the shipped plan) writes them: imported into
    the database as version 1 of each."""
    return _plan_tables(config)[0]


def _plan_tables(config: Config) -> tuple[dict[str, Any], str]:
    """The `[plans.NAME]` tables, and how a problem in them names their file ("" for config)."""
    if config.plans:
        return config.plans, ""
    if config.schedule.plans_file:
        path = (config.source.parent / config.schedule.plans_file).resolve()
        return _read_plans_file(path), f"{path}: "
    shipped = files("aftercare_bot").joinpath("default_plans.toml").read_text("utf-8")
    plans: dict[str, Any] = tomllib.loads(shipped)["plans"]
    return plans, ""


def _read_plans_file(path: Path) -> dict[str, Any]:
    """The `[plans]` table of the file `schedule.plans_file` names.

    Raises:
        ConfigError: no such file, not TOML, other sections beside [plans], or no plan at all.
    """
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError([f"schedule.plans_file: no file at {path}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"schedule.plans_file: {path} is not valid TOML ({error})"]) from None
    except OSError as error:
        raise ConfigError([f"schedule.plans_file: cannot read {path} ({error.strerror})"]) from None
    problems = [
        unknown_key_line(path, f"[{key}]", ["[plans]"], kind="section")
        for key in data
        if key != "plans"
    ]
    table = data.get("plans")
    if isinstance(table, dict) and table and not problems:
        return table
    if not (isinstance(table, dict) and table):
        problems.append(
            f"schedule.plans_file: {path} has no [plans.NAME] tables (expected at least one)"
        )
    raise ConfigError(problems)


def read_toml(path: Path) -> dict[str, Any]:
    """The raw TOML table, or a ConfigError naming the file and the line of a syntax error."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(
            [f"{path}: file not found (copy config.example.toml to {path} and fill it in)"]
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML ({error})"]) from None
    return data
