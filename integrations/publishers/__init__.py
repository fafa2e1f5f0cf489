"""Where an approved reply can be posted back: Mastodon and Bluesky (the `Publisher` port)."""
