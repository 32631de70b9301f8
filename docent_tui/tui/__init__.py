"""The Textual shell over the headless core."""
