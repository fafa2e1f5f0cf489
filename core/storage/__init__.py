"""Storage queries: keyword-only functions that take the session and return models."""
