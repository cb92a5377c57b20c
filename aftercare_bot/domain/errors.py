"""One exception tree for the domain, translated into user-facing texts at the edges.

AftercareError
├── InvalidDuration        a duration such as "3x" that is not <number><s|m|h|d|w>
├── InvalidClinicHours     an opening-hours line that cannot be read
└── InvalidPatientName     (domain.patients) an empty, overlong or letterless name
    └── NotAFirstName      (domain.patient_names) more than a first name: digits, a phone,
                           an @ or address, more than three words; `problem` says which
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
