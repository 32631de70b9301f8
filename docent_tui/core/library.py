"""The set of open collections and how each one is loaded into the local engine."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from docent_tui.core.backend import Backend, BackendStatus, LocalBackend
from docent_tui.core.engine import LocalEngine
from docent_tui.core.loaders import (
    LoadProblem,
    collection_id_for,
    collection_name_for,
    iter_scan_runs,
    scan_source,
)

ProgressCallback = Callable[[int], None]


class CollectionState(Enum):
    PENDING = "pending"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass
class Collection:
    """One collection as the app lists it: identity, load state and what went wrong."""

    id: str
    name: str
    source: str
    state: CollectionState = CollectionState.PENDING
    run_count: int = 0
    problems: list[LoadProblem] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    error: str | None = None
    # Where the runs of a generated collection (the demo) come from; None for local sources.
    generate: Callable[[], Iterable[dict[str, Any]]] | None = field(default=None, repr=False)
    # What answers queries about this collection; None until the library assigns one.
    backend: Backend | None = field(default=None, repr=False)
    remote: bool = False
    # A remote collection's run count is unknown until the server says it.
    run_count_known: bool = True

    @property
    def summary(self) -> str:
        """A short status line: run count, or what is happening or wrong."""
        if self.state is CollectionState.FAILED:
            return f"failed: {self.error}"
        if self.run_count_known:
            label = f"{self.run_count:,} run{'s' if self.run_count != 1 else ''}"
        else:
            label = "remote"
        if self.remote:
            label += f" · {self.source}"
        if self.backend is not None and self.backend.status is not BackendStatus.ONLINE:
            return f"{self.backend.status.value} · {label}"
        if self.state is CollectionState.LOADING:
            return f"loading… {label}" if self.run_count_known else "connecting…"
        if self.state is CollectionState.PENDING:
            return "waiting to load"
        if self.problems:
            label += f" · {len(self.problems)} skipped"
        return label


class Library:
    """Owns the local engine and every collection loaded into it; safe to use from workers."""

    def __init__(self, engine: LocalEngine | None = None) -> None:
        self.engine = engine or LocalEngine()
        self.local = LocalBackend(self.engine)
        self._collections: dict[str, Collection] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the local engine (removing its scratch file, if it has one)."""
        self.engine.close()

    @property
    def collections(self) -> list[Collection]:
        with self._lock:
            return list(self._collections.values())

    def get(self, collection_id: str) -> Collection | None:
        with self._lock:
            return self._collections.get(collection_id)

    def backend_for(self, collection_id: str) -> Backend | None:
        """What answers queries about the collection; None for an unknown id."""
        collection = self.get(collection_id)
        return None if collection is None else collection.backend

    def add_remote(
        self,
        backend: Backend,
        collection_id: str,
        name: str,
        source: str,
        run_count: int | None,
    ) -> Collection:
        """Register (or refresh) a collection on a Docent server; it is ready at once."""
        collection = self._register(
            Collection(id=collection_id, name=name, source=source, backend=backend, remote=True)
        )
        collection.name = name
        collection.state = CollectionState.READY
        collection.run_count = run_count or 0
        collection.run_count_known = run_count is not None
        return collection

    def add_connecting(self, collection_id: str, name: str, source: str) -> Collection:
        """Hold a place in the pane while a server is asked for its collections."""
        collection = self._register(Collection(id=collection_id, name=name, source=source))
        collection.state = CollectionState.LOADING
        collection.run_count_known = False
        return collection

    def add_failed(self, collection_id: str, name: str, source: str, error: str) -> Collection:
        """Show something that could not be opened (an unreachable server) with the reason."""
        collection = self._register(Collection(id=collection_id, name=name, source=source))
        collection.state = CollectionState.FAILED
        collection.error = error
        return collection

    def remove(self, collection_id: str) -> None:
        with self._lock:
            self._collections.pop(collection_id, None)

    def add_local(self, path: Path) -> Collection:
        """Register a file or directory as a collection; loading happens in `load_local`."""
        collection = Collection(
            id=collection_id_for(path), name=collection_name_for(path), source=str(path)
        )
        return self._register(collection)

    def add_generated(
        self,
        collection_id: str,
        name: str,
        source: str,
        generate: Callable[[], Iterable[dict[str, Any]]],
    ) -> Collection:
        """Register a collection whose runs come from a generator (the demo)."""
        collection = Collection(id=collection_id, name=name, source=source, generate=generate)
        return self._register(collection)

    def load(self, collection: Collection, on_progress: ProgressCallback | None = None) -> None:
        """Load a registered collection from wherever its runs come from."""
        if collection.generate is not None:
            self.load_runs(collection, collection.generate(), on_progress)
        else:
            self.load_local(collection, on_progress)

    def _register(self, collection: Collection) -> Collection:
        if collection.backend is None and not collection.remote:
            collection.backend = self.local
        with self._lock:
            existing = self._collections.get(collection.id)
            if existing is not None:
                return existing
            self._collections[collection.id] = collection
            return collection

    def load_local(
        self, collection: Collection, on_progress: ProgressCallback | None = None
    ) -> None:
        """Load a local source; broken files and samples are recorded, never raised."""
        path = Path(collection.source)
        if not path.exists():
            collection.state = CollectionState.FAILED
            collection.error = "no such file or directory"
            return
        try:
            scan = scan_source(path)
        except OSError as error:
            collection.state = CollectionState.FAILED
            collection.error = str(error.strerror or error)
            return
        collection.ignored_files = [str(ignored) for ignored in scan.ignored]
        self.load_runs(collection, iter_scan_runs(scan), on_progress)
        if collection.run_count == 0 and collection.problems and path.is_file():
            collection.state = CollectionState.FAILED
            collection.error = collection.problems[0].reason

    def load_runs(
        self,
        collection: Collection,
        items: Iterable[dict[str, Any] | LoadProblem],
        on_progress: ProgressCallback | None = None,
    ) -> None:
        """Insert runs into the engine, keeping problems aside as they stream past."""
        collection.state = CollectionState.LOADING

        def runs_only() -> Iterator[dict[str, Any]]:
            for item in items:
                if isinstance(item, LoadProblem):
                    collection.problems.append(item)
                else:
                    yield item

        def progress(count: int) -> None:
            collection.run_count = count
            if on_progress is not None:
                on_progress(count)

        def skipped(run: str, reason: str) -> None:
            item = run if run.startswith("run ") else f"run {run}"
            collection.problems.append(LoadProblem(collection.source, reason, item))

        try:
            collection.run_count = self.engine.add_collection(
                collection.id, collection.name, runs_only(), on_progress=progress, on_skip=skipped
            )
        except Exception as error:  # one collection's failure must not take down the app
            collection.state = CollectionState.FAILED
            lines = str(error).strip().splitlines()  # DuckDB adds lines of advice to its own
            collection.error = lines[0] if lines else type(error).__name__
            return
        collection.state = CollectionState.READY
