"""Entry point for `python -m docent_tui.demo`."""

from docent_tui.demo.cli import main

raise SystemExit(main())
