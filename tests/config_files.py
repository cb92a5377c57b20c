"""Writing config files for tests, as a clinic would."""

from pathlib import Path

VALID_CONFIG = """\
[telegram]
token = "123456789:AAtest-token-for-the-simulator-00"

[clinic]
name = "Riverside Hair Clinic"
timezone = "Europe/London"
phone = "+44 20 7946 0000"
emergency_number = "999"
hours = "Mon-Fri 09:00-19:00, Sat 10:00-14:00"

[staff]
admin_ids = [1001]
# Tests that are about the daily digest switch it on; elsewhere it would arrive at 09:00 in
# the middle of a conversation the test is having with the admin.
digest_at = "off"
"""


def write_config(
    directory: Path,
    text: str = VALID_CONFIG,
    *,
    database_url: str = "",
    base_url: str = "",
    admin_ids: tuple[int, ...] = (),
    extra: str = "",
) -> Path:
    """A config file in `directory`, optionally pointing at a database and a Bot API server."""
    if database_url:
        extra += f'\n[database]\nurl = "{database_url}"\n'
    if base_url:
        file_url = base_url.replace("/bot", "/file/bot")
        text = text.replace(
            "[telegram]\n",
            f'[telegram]\nbase_url = "{base_url}"\nbase_file_url = "{file_url}"\n',
        )
    if admin_ids:
        text = text.replace("admin_ids = [1001]", f"admin_ids = {list(admin_ids)}")
    path = directory / "config.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path
