"""The demo: a patient journey played against the built-in Telegram simulator."""

import tomllib
from importlib.resources import files

DEMO_TOML = files(__name__).joinpath("demo.toml").read_text(encoding="utf-8")
# The simulator's token: masked in the demo's logs like a real one.
DEMO_TOKEN: str = tomllib.loads(DEMO_TOML)["telegram"]["token"]
