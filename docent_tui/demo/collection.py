"""The demo collection's id and default size, and the namespace and clock its runs derive from."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

DEMO_COLLECTION_ID: str = str(uuid5(NAMESPACE_URL, "docent-tui:demo"))
DEMO_RUNS = 300

NAMESPACE = UUID(DEMO_COLLECTION_ID)
BASE_TIME = datetime(2025, 6, 2, 9, 0, 0)
