"""Adapters between the domain and the outside world: Telegram, the database, timers."""
