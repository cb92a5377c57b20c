"""The domain core: plain Python, no Telegram, database or scheduler imports.

Everything here is given the time (`now`, an aware UTC datetime) instead of reading a clock,
so that the rules are tested in milliseconds and behave the same in the demo and in tests.
"""
