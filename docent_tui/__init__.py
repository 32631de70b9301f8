"""docent-tui: a terminal browser for Docent agent runs."""

__version__ = "0.1.0"
