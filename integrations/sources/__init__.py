"""Where mentions come from: one module per source, the shared HTTP client, the poller."""
