"""The running process: CLI, the aiohttp application, scheduling and the chat platforms."""
