"""Telegram adapter: handlers per audience, keyboards, and the lifecycle of the Application."""
