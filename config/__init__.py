"""Configuration: the environment (settings.py) and the team's workspace file (workspace.py)."""
