"""`make bench`: no benchmark exists yet; the Benchmarks issue adds them here."""

import sys


def main() -> int:
    """Say plainly that nothing is measured yet."""
    print("No benchmarks yet: they arrive with the Benchmarks issue.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
