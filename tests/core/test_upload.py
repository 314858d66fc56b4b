"""Uploaded checkpoint files (viz.core.upload): one checkpoint, within bounds."""

from __future__ import annotations

import pytest


def test_an_upload_is_one_checkpoint_within_its_limit() -> None:
    import io
    import zipfile

    import pytest

    from viz.core.upload import BadUpload, checkpoint_files

    index, data = b"i" * 10, b"d" * 10
    # a path in a name is dropped to its base name; files of no checkpoint are left out
    files = checkpoint_files([("../../etc/m.ckpt.index", index),
                              ("m.ckpt.data-00000-of-00001", data), ("notes.txt", b"x")])
    assert files == {"m.ckpt.index": index, "m.ckpt.data-00000-of-00001": data}
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("run/m.ckpt.index", index)
        archive.writestr("run/m.ckpt.data-00000-of-00001", data)
    assert checkpoint_files([("ckpt.zip", packed.getvalue())]) == files
    # a zip bomb: 100 KB of zeros packed small is refused by what it unpacks to
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("m.ckpt.index", b"\0" * 100_000)
    assert len(bomb.getvalue()) < 2000
    with pytest.raises(BadUpload, match="unpacks to more than"):
        checkpoint_files([("bomb.zip", bomb.getvalue())], limit=50_000)
    with pytest.raises(BadUpload, match="larger than"):
        checkpoint_files([("m.ckpt.index", b"x" * 60_000)], limit=50_000)
    with pytest.raises(BadUpload, match="no .index file"):
        checkpoint_files([("m.ckpt.data-00000-of-00001", data)])
    with pytest.raises(BadUpload, match="2 .index files"):
        checkpoint_files([("a.index", index), ("b.index", index)])
    with pytest.raises(BadUpload, match="belongs to another checkpoint"):
        checkpoint_files([("a.index", index), ("b.data-00000-of-00001", data)])
    with pytest.raises(BadUpload, match="cannot be read"):
        checkpoint_files([("broken.zip", b"PK\x03\x04 not a zip")])


@pytest.mark.parametrize("members", [65, 70_000])
def test_a_zip_of_many_members_is_refused_before_it_is_read(members: int) -> None:
    """300,001 members took 22 s of the server's CPU to open and read; the count in the
    zip's end record is read first (past 65,535 a zip64 record holds it)."""
    import io
    import time
    import zipfile

    from viz.core.upload import MAX_ZIP_MEMBERS, BadUpload, checkpoint_files

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("m.ckpt.index", b"i")
        for n in range(members - 1):
            archive.writestr(f"f{n}", b"")
    started = time.process_time()
    with pytest.raises(BadUpload, match=f"a few data files \\(at most {MAX_ZIP_MEMBERS}\\)"):
        checkpoint_files([("many.zip", packed.getvalue())])
    print(f"refused in {(time.process_time() - started) * 1000:.1f} ms of CPU")


@pytest.mark.parametrize("stem", ["a" * 300, "a\0b", "../x"])
def test_uploaded_files_are_written_under_names_of_ours(tmp_path: object, stem: str) -> None:
    """A 300-character name (past the file system's 255) or one with NUL raised from open()."""
    import os

    from viz.core.upload import checkpoint_files, write_checkpoint

    files = checkpoint_files([(f"{stem}.index", b"i"), (f"{stem}.data-00000-of-00001", b"d")])
    prefix = write_checkpoint(files, str(tmp_path))
    assert sorted(os.listdir(str(tmp_path))) == [
        "checkpoint.data-00000-of-00001", "checkpoint.index"]
    assert prefix == os.path.join(str(tmp_path), "checkpoint")
