"""One exception tree for everything the bot raises on purpose, translated into short,
user-facing texts at the edges (a handler, the command line, start-up checks).

AftercareError
├── InvalidDuration        a duration such as "3x" that is not <number><s|m|h|d|w>
├── InvalidClinicHours     an opening-hours line that cannot be read
├── InvalidQuietHours      (domain.quiet_hours) a quiet-hours window that cannot be read
├── InvalidLocalTime       (domain.local_time) a typed date and time that cannot be read
├── InvalidPlan            (domain.plan_model) a plan with mistakes; one line per mistake
├── InvalidAnswers         (domain.check_in_answers) stored check-in answers that cannot be read
├── InvalidTriageRules     (domain.triage) the config's [triage] table cannot be used
├── InvalidSetting         (domain.clinic_settings) a clinic setting unreadable or out of bounds
├── InvalidDelivery        (domain.bookings) a signed Cal.com delivery that is not a booking
├── InvalidTriageResult    (domain.triage) a stored triage result that cannot be read
├── InvalidPatientName     (domain.patients) an empty, overlong or letterless name
│   └── NotAFirstName      (domain.patient_names) more than a first name: digits, a phone,
│                          an @ or address, more than three words; `problem` says which
├── DeliveryError          a message could not be delivered
│   ├── RecipientUnreachable   blocked, deactivated, or the chat is gone: stop trying
│   └── DeliveryDeferred       temporary (network, 5xx, flood limit): try again later
├── NoFreePatientCode      (services.enrollment) random codes kept colliding
└── TelegramUnreachable    (adapters.telegram) getMe failed: token refused or no Bot API server

The errors of the outer shell are not in this tree because nothing translates them for a
patient or a nurse: ConfigError (config), CatalogueError (texts), DatabaseUnusable,
InstanceLocked and BackupImpossible (adapters.persistence) stop the process with one line
for the operator.
"""


class AftercareError(Exception):
    """Base of every error the domain raises on purpose."""


class InvalidDuration(AftercareError, ValueError):
    """A duration string that is not `<number><unit>` with unit s, m, h, d or w."""


class InvalidClinicHours(AftercareError, ValueError):
    """An opening-hours description that cannot be parsed."""


class DeliveryError(AftercareError):
    """A message could not be delivered."""


class RecipientUnreachable(DeliveryError):
    """The recipient blocked the bot, deleted their account, or the chat no longer exists."""


class DeliveryDeferred(DeliveryError):
    """A temporary failure (network, 5xx, flood limit); `retry_after` seconds if known."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
