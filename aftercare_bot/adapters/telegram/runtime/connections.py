"""The bot's HTTP connections to Telegram, all sharing one TLS context.

python-telegram-bot gives every Bot two requests (updates and the rest), each with its own
httpx client, and httpx gives every client its own TLS context, reading certifi's bundle of
some 150 certificates again: 15 ms and a MiB each, six times over at start (the wait for
Telegram, the Application's bot and the dispatcher's). One context serves them all; it is
made as httpx would make it (certifi, or SSL_CERT_FILE / SSL_CERT_DIR when set).
"""

import ssl
from functools import cache

import httpx
from telegram import Bot
from telegram.request import HTTPXRequest

from aftercare_bot.config import TelegramConfig

# What python-telegram-bot's ApplicationBuilder gives each request when none is passed.
UPDATES_POOL = 1
REQUESTS_POOL = 256


@cache
def tls_context() -> ssl.SSLContext:
    """The one TLS context, made on first use."""
    return httpx.create_ssl_context()


def telegram_request(*, for_updates: bool = False) -> HTTPXRequest:
    """A request for a Bot or an ApplicationBuilder: getUpdates' own, or the one for the rest."""
    return HTTPXRequest(
        connection_pool_size=UPDATES_POOL if for_updates else REQUESTS_POOL,
        httpx_kwargs={"verify": tls_context()},
    )


def telegram_bot(token: str, telegram: TelegramConfig) -> Bot:
    """A Bot at the configured Bot API server, on the shared TLS context."""
    return Bot(
        token,
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url,
        request=telegram_request(),
        get_updates_request=telegram_request(for_updates=True),
    )
