"""Local-file loaders: Docent AgentRun JSON/JSONL and Inspect AI logs as RunRecord dicts.

Headless; every iterator yields runs or LoadProblems and never raises for bad data.
"""

from docent_tui.core.loaders.ids import collection_id_for, collection_name_for
from docent_tui.core.loaders.problems import LoadProblem
from docent_tui.core.loaders.sources import (
    SourceScan,
    iter_file_runs,
    iter_scan_runs,
    iter_source_runs,
    scan_source,
)

__all__ = [
    "LoadProblem",
    "SourceScan",
    "collection_id_for",
    "collection_name_for",
    "iter_file_runs",
    "iter_scan_runs",
    "iter_source_runs",
    "scan_source",
]
