"""Inspect AI `.eval` logs: zip archives read one sample member at a time.

Python 3.11's zipfile cannot decompress Zstandard members (method 93), so those are read from
their local file header and decompressed with the `zstandard` package.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import zstandard

from docent_tui.core.loaders.ids import absolute_key
from docent_tui.core.loaders.inspect_samples import eval_key, header_metadata, sample_to_run
from docent_tui.core.loaders.problems import DataShapeError, LoadProblem

ZIP_MAGIC = b"PK\x03\x04"
_ZSTD_METHOD = 93
_ZIPFILE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_LOCAL_HEADER = struct.Struct("<4s5HL2L2H")
_CHUNK = 1 << 20

# Everything reading or decoding one member can raise for bad bytes (RecursionError: deep JSON).
_MEMBER_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    zstandard.ZstdError,
    EOFError,
    OSError,
    ValueError,  # includes JSONDecodeError and UnicodeDecodeError
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # an encrypted member; also RecursionError
)


class _UnreadableArchive(Exception):
    """The archive as a whole cannot be opened; the message is the reason."""


def _read_zstd_member(handle: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """Decompress a Zstandard member from its raw bytes, checking size and CRC like zipfile."""
    if info.flag_bits & 0x1:
        raise RuntimeError("member is encrypted")
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != ZIP_MAGIC:
        raise zipfile.BadZipFile("bad local file header")
    fields = _LOCAL_HEADER.unpack(header)
    name_length, extra_length = fields[-2], fields[-1]
    handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    compressed = handle.read(info.compress_size)
    if len(compressed) != info.compress_size:
        raise zipfile.BadZipFile("member data is truncated")
    reader = zstandard.ZstdDecompressor().stream_reader(
        io.BytesIO(compressed), read_across_frames=True
    )
    chunks: list[bytes] = []
    total = 0
    while chunk := reader.read(_CHUNK):
        total += len(chunk)
        if total > info.file_size:
            raise zipfile.BadZipFile("member is larger than its declared size")
        chunks.append(chunk)
    data = b"".join(chunks)
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile("member fails its CRC check")
    return data


class EvalArchive:
    """An open `.eval` zip; members are read on demand."""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as error:
            raise _UnreadableArchive("not a zip archive (truncated or corrupt .eval)") from error
        except (OSError, ValueError, EOFError, struct.error) as error:
            raise _UnreadableArchive(f"unreadable zip archive: {error}") from error
        self._handle: BinaryIO = self._zip.fp  # type: ignore[assignment]

    def close(self) -> None:
        self._zip.close()

    def members(self) -> list[zipfile.ZipInfo]:
        return self._zip.infolist()

    def find(self, name: str) -> zipfile.ZipInfo | None:
        try:
            return self._zip.getinfo(name)
        except KeyError:
            return None

    def read(self, info: zipfile.ZipInfo) -> bytes:
        if info.compress_type == _ZSTD_METHOD:
            return _read_zstd_member(self._handle, info)
        if info.compress_type not in _ZIPFILE_METHODS:
            raise NotImplementedError(f"unsupported compression method {info.compress_type}")
        return self._zip.read(info)

    def read_json(self, info: zipfile.ZipInfo) -> Any:
        return json.loads(self.read(info))


def is_sample_member(name: str) -> bool:
    """Sample members as the SDK counts them: `samples/*.json`."""
    return name.startswith("samples/") and name.endswith(".json")


def _eval_info(archive: EvalArchive, path_text: str) -> tuple[Any, list[LoadProblem]]:
    """The header's `eval` object, from header.json or else _journal/start.json (may be None)."""
    problems: list[LoadProblem] = []
    for name in ("header.json", "_journal/start.json"):
        info = archive.find(name)
        if info is None:
            continue
        try:
            document = archive.read_json(info)
        except _MEMBER_ERRORS as error:
            problems.append(LoadProblem(path_text, f"unreadable log header: {error}", name))
            continue
        if isinstance(document, dict):
            return document.get("eval"), problems
        problems.append(LoadProblem(path_text, "log header is not a JSON object", name))
    return None, problems


def iter_eval_runs(path: Path) -> Iterator[dict[str, Any] | LoadProblem]:
    """Runs of an Inspect `.eval` log, one per `samples/*.json` member in archive order."""
    path_text = str(path)
    try:
        archive = EvalArchive(path)
    except _UnreadableArchive as error:
        yield LoadProblem(path_text, str(error))
        return
    try:
        members = archive.members()
        samples = [info for info in members if is_sample_member(info.filename)]
        eval_info, problems = _eval_info(archive, path_text)
        if not samples and eval_info is None and not problems:
            yield LoadProblem(path_text, "zip archive is not an Inspect log (no header or samples)")
            return
        yield from problems
        eval_id = eval_key(eval_info, absolute_key(path))
        header = header_metadata(eval_info)
        for info in samples:
            try:
                sample = archive.read_json(info)
            except _MEMBER_ERRORS as error:
                yield LoadProblem(path_text, f"unreadable sample: {error}", info.filename)
                continue
            try:
                run, run_problems = sample_to_run(sample, eval_id, header, info.filename, path_text)
            except DataShapeError as error:
                yield LoadProblem(path_text, str(error), info.filename)
                continue
            except RecursionError:
                yield LoadProblem(path_text, "sample is nested too deeply", info.filename)
                continue
            yield from run_problems
            yield run
    finally:
        archive.close()
