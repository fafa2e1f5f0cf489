"""The outside world that is not a chat platform: sources, publishers, the model client."""
