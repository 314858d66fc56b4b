"""A checkpoint uploaded in the app: its files (or one zip of them) checked and written into
a folder made for one run. The files are a stranger's: their names only pick which file is
which (they are written under names of ours), a zip is read within a size and a member
limit, and TF's reader only ever opens them inside the run's sandbox.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile

from viz.core.escape import shorten

# Everything the app accepts for one checkpoint (the server's maxUploadSize matches it).
UPLOAD_LIMIT = 32 * 1024 * 1024
_INDEX = re.compile(r"^(?P<prefix>[^/\\]+)\.index$")
_DATA = re.compile(r"^(?P<prefix>[^/\\]+)\.data-[0-9]{5}-of-[0-9]{5}$")
# A checkpoint is an index and a few data shards; a zip of 300,001 members took 22 s of the
# server's CPU to open and read, on every run.
MAX_ZIP_MEMBERS = 64
# The prefix the files are written under (a 300-character or NUL-holding name broke open()).
WRITTEN_PREFIX = "checkpoint"
_END_OF_DIRECTORY = b"PK\x05\x06"


class BadUpload(ValueError):
    """The upload is not one checkpoint; the message says what to upload instead."""


def checkpoint_files(uploads: list[tuple[str, bytes]],
                     limit: int = UPLOAD_LIMIT) -> dict[str, bytes]:
    """The checkpoint files among uploaded ``(name, data)`` pairs, zips opened, by base name.

    Raises:
        BadUpload: more than ``limit`` bytes in all (zips counted unpacked), no ``.index``
            file or several, or a data file of another checkpoint.
    """
    files: dict[str, bytes] = {}
    total = 0

    def add(name: str, data: bytes) -> None:
        nonlocal total
        total += len(data)
        if total > limit:
            raise BadUpload(f"the checkpoint is larger than {limit // (1024 * 1024)} MB; "
                            "upload its .index file alone (enough for a TF1 checkpoint)")
        files[os.path.basename(name.replace("\\", "/"))] = data

    for name, data in uploads:
        if name.lower().endswith(".zip"):
            for member, content in _unzipped(data, limit):
                add(member, content)
        else:
            add(name, data)
    indexes = [name for name in files if _INDEX.match(name)]
    if len(indexes) != 1:
        found = "no .index file" if not indexes else f"{len(indexes)} .index files"
        raise BadUpload(f"the upload has {found}; upload one checkpoint's .index file (and "
                        "its .data-00000-of-00001 file for a TF2 checkpoint's saved names)")
    prefix = indexes[0][:-len(".index")]
    kept = {name: data for name, data in files.items()
            if name == indexes[0] or (_DATA.match(name) and name.startswith(prefix + "."))}
    strays = sorted(name for name in files if name not in kept and _DATA.match(name))
    if strays:
        raise BadUpload(f"{shorten(strays[0], 80)} belongs to another checkpoint than "
                        f"{shorten(indexes[0], 80)}")
    return kept


def _declared_members(data: bytes) -> int | None:
    """How many members a zip's end-of-directory record declares (None: no record found),
    read before the directory itself is parsed."""
    at = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, at + 10)[0]


def _too_many(count: str) -> BadUpload:
    return BadUpload(f"the zip holds {count} files; a checkpoint is an .index file and a few "
                     f"data files (at most {MAX_ZIP_MEMBERS})")


def _unzipped(data: bytes, limit: int) -> list[tuple[str, bytes]]:
    """The files of a zip, reading at most ``limit`` bytes of their contents (a zip's
    declared sizes may lie, so the read itself is bounded)."""
    declared = _declared_members(data)
    if declared is not None and declared > MAX_ZIP_MEMBERS:  # 0xFFFF: more, in a zip64 record
        raise _too_many(f"{declared:,}{'+' if declared == 0xFFFF else ''}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:  # the end record may say fewer than there are
            raise _too_many(f"{len(members):,}")
        out, left = [], limit
        for info in members:
            with archive.open(info) as member:
                content = member.read(left + 1)
            if len(content) > left:
                raise BadUpload(f"the zip unpacks to more than {limit // (1024 * 1024)} MB; "
                                "upload the checkpoint's .index file alone")
            left -= len(content)
            out.append((info.filename, content))
        return out
    except BadUpload:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError) as exc:  # corrupt, encrypted, an unknown compression
        raise BadUpload(f"the zip cannot be read: {exc}") from None


def write_checkpoint(files: dict[str, bytes], folder: str) -> str:
    """Writes checked files into ``folder`` (made for one run) under the prefix
    :data:`WRITTEN_PREFIX`, each keeping its ending (``.index``, ``.data-00000-of-00001``);
    returns the prefix."""
    index = next(name for name in files if _INDEX.match(name))
    prefix = index[:-len(".index")]
    for name, data in files.items():
        with open(os.path.join(folder, WRITTEN_PREFIX + name[len(prefix):]), "wb") as out:
            out.write(data)
    return os.path.join(folder, WRITTEN_PREFIX)
