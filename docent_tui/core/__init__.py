"""Headless core: models, loaders, the local DQL engine. Never imports Textual."""
