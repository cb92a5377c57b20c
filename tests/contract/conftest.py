"""Every contract test runs twice, on the real database and on the in-memory fake (the
`units` fixture in tests/conftest.py), so the fake that use-case tests rely on cannot drift
from what the SQL repositories do."""
