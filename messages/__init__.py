"""User-facing texts, one TOML catalogue per language (package data)."""
