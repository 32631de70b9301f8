from docent_tui.cli import main

raise SystemExit(main())
