"""Talking to a Docent server: settings, the HTTP client and its cache (headless)."""
