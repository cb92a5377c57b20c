"""Run the simulator on its own, e.g. to point `make run` at it and drive it with curl."""

from __future__ import annotations

import argparse
import asyncio
import signal

from .simulator import DEFAULT_TOKEN, TelegramSimulator


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m aftercare_bot.sandbox",
        description="Serve a local Telegram Bot API simulator until Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="aftercare_demo_bot")
    parser.add_argument("--bot-first-name", default="Aftercare")
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument(
        "--user", action="append", default=[], metavar="NAME", help="pre-create a user"
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start, print how to connect, and wait for a stop signal."""
    sim = TelegramSimulator(
        args.token,
        bot_username=args.bot_username,
        bot_first_name=args.bot_first_name,
        rate_limits=not args.no_rate_limits,
        host=args.host,
        port=args.port,
    )
    await sim.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    users = [sim.add_user(name) for name in args.user]
    print(f"Telegram simulator for @{sim.bot.username} (token {sim.token})", flush=True)
    print(f"base_url={sim.base_url}", flush=True)
    print(f"base_file_url={sim.base_file_url}", flush=True)
    for user in users:
        print(f"user {user.name}: id={user.id}", flush=True)
    print(f"control API: {sim.url}/_sim/state  (Ctrl-C to stop)", flush=True)
    try:
        await stop.wait()
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point of `python -m aftercare_bot.sandbox`."""
    asyncio.run(serve(_arguments(argv)))


if __name__ == "__main__":
    main()
