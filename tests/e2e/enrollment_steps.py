"""Staff and patient actions for enrollment tests, written as the people would do them."""

import re
from dataclasses import dataclass
from typing import Any

from aftercare_bot.sandbox import SimUser

LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class EnrolledLink:
    """What staff received: the patient's code, the link and its token."""

    code: str
    link: str
    token: str
    qr_caption: str


async def answer(staff: SimUser, text: str) -> dict[str, Any]:
    """Staff type an answer and get the next question."""
    await staff.send(text)
    return await staff.wait_for_reply()


async def press(staff: SimUser, message: dict[str, Any], label: str) -> dict[str, Any]:
    """Staff press a button and get the next question."""
    await staff.press(message, label)
    return await staff.wait_for_reply()


async def enroll(
    staff: SimUser,
    name: str = "Anna",
    next_label: str = "In 3 weeks",
    language_label: str = "English",
) -> EnrolledLink:
    """Run /enroll with the defaults: now, the staff member, the default plan, English."""
    question = await answer(staff, "/enroll")
    question = await answer(staff, name)
    question = await press(staff, question, "Now")
    question = await press(staff, question, f"Me ({staff.first_name})")
    question = await press(staff, question, next_label)
    question = await press(staff, question, language_label)
    preview = await press(staff, question, "Skip")
    return await confirm(staff, preview)


async def confirm(
    staff: SimUser, preview: dict[str, Any], label: str = "Confirm and create the link"
) -> EnrolledLink:
    """Press Confirm on the dry run and collect the link and its QR code."""
    await staff.press(preview, label)
    done, qr = await staff.wait_for_replies(2)
    match = LINK.search(done["text"])
    assert match is not None, done["text"]
    code = re.search(r"P-[0-9A-Z]{4}", done["text"])
    assert code is not None
    return EnrolledLink(code.group(0), match.group(0), match.group(2), qr.get("caption", ""))
