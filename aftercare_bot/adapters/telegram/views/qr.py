"""The enrollment link as a QR code image, scanned by the patient from the staff's screen."""

import io

QR_SCALE = 10  # pixels per module: sharp on a phone camera from a desk screen


def qr_png(link: str) -> bytes:
    """A PNG of the QR code for `link`, made in memory."""
    import segno  # an enrollment needs it, the bot's first minute does not

    buffer = io.BytesIO()
    segno.make_qr(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()
