"""Crash-safe results of a sweep: a journal of finished chunks next to the output file.

Layout for `--out results.parquet`:
    results.parquet.parts/manifest.jsonl        one line per saved group of chunks (the record of "done")
    results.parquet.parts/part-000012-1a2b3c4d.parquet   the rows of that group
    results.parquet.parts/lock                  held while a sweep writes here
Finished chunks are saved in groups (every `save_every_s` seconds, default 1 s: one Parquet part file and one
manifest line per group) so that saving costs the driver ~10 ms per second rather than per chunk. A point
counts as done only once its manifest line is complete. Its part file is written to a temporary
name, fsync'ed and renamed first, so a line never points at a half-written file; a process killed midway
leaves at most an unreferenced part file (deleted on the next open) or a torn last line without its newline
(cut off on the next open). Either way those points run again; none is lost or counted twice.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colossim.inputs import InputError, input_error
from colossim.sweep.tasks import ChunkResult

if TYPE_CHECKING:  # pandas is imported on use: workers never need it
    import pandas as pd

JOURNAL_SUFFIX = ".parts"
MANIFEST = "manifest.jsonl"
OUTPUT_SUFFIXES = (".parquet", ".csv")


def _arrow_table(rows: list[dict[str, Any]]) -> Any:
    """Rows (dicts that may differ in keys) to a pyarrow Table; a missing value is null."""
    import pyarrow as pa

    columns = list(dict.fromkeys(k for row in rows for k in row))
    try:
        return pa.table({c: [row.get(c) for row in rows] for c in columns})
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise TypeError(f"the evaluator's rows cannot be stored ({exc}): give each column one type") from None


def _write_parquet(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, path)


def _disk_error(out: Path, exc: OSError, doing: str, saved: int | None = None) -> InputError:
    """An OS error while saving (a full disk: ENOSPC, a quota: EDQUOT, a read-only disk...) as bad input:
    the sweep stops cleanly, keeps what was saved, and says what to change."""
    reason = exc.strerror or str(exc)[:200] or exc.__class__.__name__
    code = errno.errorcode.get(exc.errno or 0, "")
    kept = f"; the {saved:,} points saved so far are kept and a rerun runs only the rest" if saved else ""
    return input_error(str(out), f"cannot {doing} ({reason}{', ' + code if code else ''}){kept}",
                       "free space on that disk (or choose another --out), then rerun the same command")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def journal_dir(out: Path) -> Path:
    return out.with_name(out.name + JOURNAL_SUFFIX)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, write: Any) -> None:
    """write(tmp_path), fsync, then rename over `path`: readers see the old file or the new one."""
    tmp = path.with_name(f".tmp-{secrets.token_hex(4)}-{path.name}")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # nothing half-written is left behind
    _fsync_dir(path.parent)


@dataclass
class _Entry:
    part: str | None
    done: dict[str, str | None]


class Journal:
    """The record of finished chunks for one output file. Use as a context manager."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.root = journal_dir(self.out)
        self.done: dict[str, str | None] = {}   # point key -> None (rows written) or infeasible reason
        self._owner: dict[str, str] = {}         # point key -> part file holding its rows
        self._seq = 0
        self._lock_fd: int | None = None
        self._manifest_fd: int | None = None

    # -- opening -------------------------------------------------------------------------------------
    def open(self, fresh: bool = False) -> Journal:
        if self.out.is_dir():
            raise input_error(str(self.out), "the output path is a directory", "give a .parquet or .csv file")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise input_error(str(self.out), f"cannot create {self.root} ({exc.__class__.__name__})",
                              "give an output path in a writable directory") from None
        try:
            self._lock()
            manifest = self.root / MANIFEST
            if fresh:
                manifest.unlink(missing_ok=True)
            entries = self._read_manifest(manifest)
            self._manifest_fd = os.open(manifest, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            self.close()
            raise _disk_error(self.out, exc, f"open the journal in {self.root}") from None
        for entry in entries:
            if entry.part is not None and not (self.root / entry.part).is_file():
                continue  # its file is gone: run those points again
            for key, reason in entry.done.items():
                if key not in self.done:
                    self.done[key] = reason
                    if reason is None and entry.part is not None:
                        self._owner[key] = entry.part
        self._seq = len(entries)
        referenced = {e.part for e in entries if e.part}
        for path in self.root.iterdir():  # parts no complete line points at, and leftover temp files
            if path.name.startswith(".tmp-") or (path.suffix == ".parquet" and path.name not in referenced):
                path.unlink(missing_ok=True)
        return self

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        fd = os.open(self.root / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise input_error(str(self.out), "another sweep is writing this output right now",
                              "wait for it to finish or choose another --out") from None
        self._lock_fd = fd

    @staticmethod
    def _read_manifest(manifest: Path) -> list[_Entry]:
        if not manifest.exists():
            return []
        data = manifest.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a torn last line from a killed writer: cut it off
            with open(manifest, "rb+") as fh:
                fh.truncate(end)
                os.fsync(fh.fileno())
        entries = []
        for line in data[:end].splitlines():
            try:
                raw = json.loads(line)
                entries.append(_Entry(raw["part"], dict(raw["done"])))
            except (ValueError, KeyError, TypeError):
                continue  # an unreadable line counts as not done
        return entries

    # -- writing -------------------------------------------------------------------------------------
    def commit(self, results: Sequence[ChunkResult]) -> None:
        """Record finished chunks: their rows first, in one part file written atomically, then one manifest
        line (fsync'ed). Points already recorded are skipped, so nothing is ever recorded twice."""
        if self._manifest_fd is None:
            raise RuntimeError("Journal.commit before open()")
        done: dict[str, str | None] = {}
        rows: list[dict[str, Any]] = []
        for result in results:
            new = {k: v for k, v in result.done.items() if k not in self.done and k not in done}
            done.update(new)
            rows += [r for r in result.rows if r.get("point_key") in new]
        if not done:
            return
        part = None
        table = _arrow_table(rows) if rows else None
        entry = {"part": None, "done": done, "rows": len(rows), "chunks": len(results),
                 "task_s": round(sum(r.elapsed_s for r in results), 6)}
        size = os.lseek(self._manifest_fd, 0, os.SEEK_END)
        try:
            if table is not None:
                part = entry["part"] = f"part-{self._seq:06d}-{secrets.token_hex(4)}.parquet"
                _write_atomic(self.root / part, lambda p: _write_parquet(table, p))
            _write_all(self._manifest_fd, (json.dumps(entry, separators=(",", ":")) + "\n").encode("utf-8"))
            os.fsync(self._manifest_fd)
        except OSError as exc:
            with contextlib.suppress(OSError):  # no torn line: back to the last complete one
                os.ftruncate(self._manifest_fd, size)
            if part is not None:
                (self.root / part).unlink(missing_ok=True)
            raise _disk_error(self.out, exc, "save finished results", len(self.done)) from None
        self._seq += 1
        for key, reason in done.items():
            self.done[key] = reason
            if reason is None and part is not None:
                self._owner[key] = part

    # -- reading -------------------------------------------------------------------------------------
    def read_rows(self, keys: Iterable[str]) -> pd.DataFrame:
        """The rows of the given point keys, each from the one part that owns it."""
        import pandas as pd

        wanted = {k for k in keys if k in self._owner}
        by_part: dict[str, set[str]] = {}
        for key in wanted:
            by_part.setdefault(self._owner[key], set()).add(key)
        frames = []
        for part, part_keys in sorted(by_part.items()):
            frame = pd.read_parquet(self.root / part)
            frames.append(frame[frame["point_key"].isin(part_keys)])
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def close(self) -> None:
        for attr in ("_manifest_fd", "_lock_fd"):
            fd = getattr(self, attr)
            if fd is not None:
                os.close(fd)  # closing the descriptor releases the flock
                setattr(self, attr, None)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_output_path(out: Path) -> None:
    if out.suffix not in OUTPUT_SUFFIXES:
        raise input_error("command line", f"unknown output format '{out.suffix or out.name}'",
                          f"give a file ending in {' or '.join(OUTPUT_SUFFIXES)}", "--out")


def write_table(frame: pd.DataFrame, out: Path) -> None:
    """Write the final table atomically, as Parquet or CSV by the file suffix."""
    check_output_path(out)
    writers = {".parquet": lambda p: frame.to_parquet(p, index=False),
               ".csv": lambda p: frame.to_csv(p, index=False)}
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(out, writers[out.suffix])
    except OSError as exc:
        raise _disk_error(out, exc, "write the final table (every point is saved in the journal: a rerun only "
                          "writes the table)") from None
