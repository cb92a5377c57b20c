"""Use cases: each takes a unit of work and `now`, and reads like a script."""
