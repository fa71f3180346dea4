"""The journal: a chunk is done only once its manifest line is complete; torn writes are repaired."""

import json

import pytest
from sweep_helpers import spec

from colossim.inputs import InputError
from colossim.sweep.grid import expand_grid
from colossim.sweep.store import MANIFEST, Journal, journal_dir, write_table
from colossim.sweep.tasks import ChunkResult, run_chunk


@pytest.fixture
def results():
    points = expand_grid(spec(models=["tiny", "huge"], clusters=["fast"], gpu_counts=[8, 16]))
    return points, [run_chunk(points[:2]), run_chunk(points[2:])]


def test_committed_chunks_survive_reopening(tmp_path, results):
    points, chunks = results
    out = tmp_path / "r.parquet"
    with Journal(out).open() as j:
        for c in chunks:
            j.commit([c])
    with Journal(out).open() as j:
        assert set(j.done) == {p.key for p in points}
        assert all(j.done[p.key] is None for p in points[:2])
        assert all("fits huge" in j.done[p.key] for p in points[2:])
        frame = j.read_rows([p.key for p in points])
    assert set(frame["point_key"]) == {p.key for p in points[:2]}
    assert len(frame) == sum(len(c.rows) for c in chunks)


def test_a_torn_last_line_is_not_done_and_later_commits_stay_readable(tmp_path, results):
    points, chunks = results
    out = tmp_path / "r.parquet"
    with Journal(out).open() as j:
        j.commit([chunks[0]])
    manifest = journal_dir(out) / MANIFEST
    full = manifest.read_bytes()
    manifest.write_bytes(full[: len(full) // 2])  # killed in the middle of writing the line
    with Journal(out).open() as j:
        assert j.done == {}
        j.commit([chunks[1]])
    lines = manifest.read_bytes().splitlines()
    assert len(lines) == 1 and set(json.loads(lines[0])["done"]) == {p.key for p in points[2:]}


def test_part_files_without_a_manifest_line_are_removed(tmp_path, results):
    _, chunks = results
    out = tmp_path / "r.parquet"
    root = journal_dir(out)
    root.mkdir()
    (root / "part-000000-deadbeef.parquet").write_bytes(b"PAR1 half written")
    (root / ".tmp-1234-part-000001-x.parquet").write_bytes(b"")
    with Journal(out).open() as j:
        assert j.done == {}
    assert sorted(p.name for p in root.iterdir()) == ["lock", MANIFEST]


def test_a_line_whose_part_file_vanished_runs_again(tmp_path, results):
    points, chunks = results
    out = tmp_path / "r.parquet"
    with Journal(out).open() as j:
        j.commit([chunks[0]])
    for part in journal_dir(out).glob("part-*.parquet"):
        part.unlink()
    with Journal(out).open() as j:
        assert not any(p.key in j.done for p in points[:2])


def test_a_point_claimed_twice_is_read_once(tmp_path, results):
    points, chunks = results
    out = tmp_path / "r.parquet"
    with Journal(out).open() as j:
        j.commit([chunks[0]])
    manifest = journal_dir(out) / MANIFEST
    line = manifest.read_bytes()
    manifest.write_bytes(line + line)  # e.g. two writers before locking existed
    with Journal(out).open() as j:
        frame = j.read_rows([p.key for p in points])
    assert len(frame) == len(chunks[0].rows)


def test_a_group_of_chunks_is_one_part_and_one_line(tmp_path, results):
    points, chunks = results
    out = tmp_path / "r.parquet"
    with Journal(out).open() as j:
        j.commit(chunks + chunks)  # the same points twice in one group: recorded once
        j.commit(chunks)  # and again later: nothing new, no line
    lines = (journal_dir(out) / MANIFEST).read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["rows"] == sum(len(c.rows) for c in chunks)
    assert len(list(journal_dir(out).glob("part-*.parquet"))) == 1


def test_rows_with_different_columns_are_stored_with_nulls(tmp_path):
    out = tmp_path / "r.parquet"
    a = ChunkResult(done={"k1": None, "k2": None}, rows=[{"point_key": "k1", "rank": 1, "x": 1.5},
                                                          {"point_key": "k2", "rank": 1, "y": "s"}])
    with Journal(out).open() as j:
        j.commit([a])
        frame = j.read_rows(["k1", "k2"])
    assert frame.set_index("point_key")["x"].to_dict()["k1"] == 1.5
    assert frame.set_index("point_key")["y"].isna().to_dict() == {"k1": True, "k2": False}


def test_a_column_mixing_types_is_a_clear_error_and_records_nothing(tmp_path):
    out = tmp_path / "r.parquet"
    bad = ChunkResult(done={"k1": None, "k2": None}, rows=[{"point_key": "k1", "rank": 1, "x": 1.5},
                                                            {"point_key": "k2", "rank": 1, "x": "fast"}])
    with Journal(out).open() as j:
        with pytest.raises(TypeError, match="give each column one type"):
            j.commit([bad])
        assert j.done == {}


def test_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path):
    out = tmp_path / "r.parquet"
    with Journal(out).open():
        with pytest.raises(InputError, match="another sweep is writing"):
            Journal(out).open()
    Journal(out).open().close()  # released on close


def test_fresh_discards_earlier_results(tmp_path, results):
    _, chunks = results
    out = tmp_path / "r.parquet"
    with Journal(out).open() as j:
        j.commit([chunks[0]])
    with Journal(out).open(fresh=True) as j:
        assert j.done == {}
    assert not list(journal_dir(out).glob("part-*"))


def test_output_path_that_is_a_directory_is_refused(tmp_path):
    (tmp_path / "d.parquet").mkdir()
    with pytest.raises(InputError, match="is a directory"):
        Journal(tmp_path / "d.parquet").open()


def test_write_table_refuses_unknown_formats(tmp_path):
    import pandas as pd

    with pytest.raises(InputError, match=r"\.parquet or \.csv"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "r.xlsx")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "sub" / "r.csv")
    assert (tmp_path / "sub" / "r.csv").read_text().splitlines() == ["a", "1"]


@pytest.mark.parametrize("where", ["part", "manifest"])
def test_a_full_disk_stops_cleanly_keeping_what_was_saved(tmp_path, monkeypatch, where):
    import errno
    import os

    from colossim.sweep import store

    points = expand_grid(spec(models=["tiny"], gpu_counts=[8, 16]))  # 4 feasible points, rows for each
    chunks = [run_chunk(points[:2]), run_chunk(points[2:])]
    out = tmp_path / "r.parquet"
    with Journal(out).open() as j:
        j.commit([chunks[0]])
        before = (journal_dir(out) / MANIFEST).read_bytes()

        def full(*_a, **_k):
            raise OSError(errno.ENOSPC, "No space left on device")

        if where == "part":
            monkeypatch.setattr(store, "_write_parquet", full)
        else:  # the manifest line: half of it written, then the disk is full
            real = os.write
            monkeypatch.setattr(store.os, "write", lambda fd, data: real(fd, bytes(data[: len(data) // 2])))
            monkeypatch.setattr(store.os, "fsync", full)
        with pytest.raises(InputError) as info:
            j.commit([chunks[1]])
        monkeypatch.undo()
    message = info.value.render()
    assert "No space left on device, ENOSPC" in message and "the 2 points saved so far are kept" in message
    assert "free space" in message
    root = journal_dir(out)
    assert (root / MANIFEST).read_bytes() == before  # no torn line, nothing recorded twice
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]  # nothing half-written left
    with Journal(out).open() as j:  # space freed: resume records the rest exactly once
        assert set(j.done) == {p.key for p in points[:2]}
        j.commit(chunks)
        assert set(j.done) == {p.key for p in points}
    lines = (root / MANIFEST).read_bytes().splitlines()
    assert [len(json.loads(line)["done"]) for line in lines] == [2, 2]


def test_a_full_disk_at_the_final_table_says_the_journal_is_complete(tmp_path, monkeypatch):
    import errno

    import pandas as pd

    from colossim.sweep import store

    def full(path, write):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "_write_atomic", full)
    with pytest.raises(InputError, match="final table .* a rerun only writes the table"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
