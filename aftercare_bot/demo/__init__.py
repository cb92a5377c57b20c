"""The demo: a patient journey played against the built-in Telegram simulator."""
