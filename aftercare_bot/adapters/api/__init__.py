"""The HTTP API on the console's server: for booking systems and the clinic's own scripts."""
