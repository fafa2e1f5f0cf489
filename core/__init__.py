"""The domain: models, storage, the ingest pipeline, analysis and the ports. No chat SDK here."""
