"""The transcript viewer widget."""

from docent_tui.tui.transcript.view import TranscriptView

__all__ = ["TranscriptView"]
