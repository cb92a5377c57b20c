"""The plumbing under the handlers: pacing and the rate limiter, update order, repeats, presses,
blocked chats, keeping updates across a stop, the error handler, typed access to services."""
