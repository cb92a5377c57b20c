"""How things read in Telegram: texts rendered from `messages/`, dates in the reader's zone,
keyboards, and every callback-data format with its one parser (callback_data)."""
