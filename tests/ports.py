"""A port for a server under test to listen on.

Asking the kernel for one (bind to port 0, close, hand the number on) races: the number comes
from the ephemeral range, the same range every outgoing connection takes its local port from,
and the tests make hundreds of connections at once across their workers. Between the probe
closing and the server binding, one of them may take it ("address already in use"). A port
below the ephemeral range is never handed to an outgoing connection, so it stays free unless
another test picks the same one, which the probe's bind rules out for every port in use.
"""

import random
import socket
from pathlib import Path

_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 20_000  # well above the ports services listen on


def _ephemeral_start() -> int:
    try:
        return int(_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def free_port() -> int:
    """A port on 127.0.0.1 that nobody listens on, outside the ephemeral range when it can."""
    start = _ephemeral_start()
    candidates = list(range(_LOWEST, start)) if start > _LOWEST + 1_000 else []
    random.shuffle(candidates)
    for port in candidates[:200]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:  # no room below the ephemeral range: ask the kernel
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
