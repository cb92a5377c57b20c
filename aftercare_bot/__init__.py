"""Aftercare follow-up bot for scalp mesotherapy clinics."""

__version__ = "0.1.0"
