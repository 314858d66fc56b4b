"""A checkpoint uploaded in the app: its files (or one zip of them) checked and written into
a folder made for one run. The files are a stranger's: only their base names are used, a zip
is read within a size limit, and TF's reader only ever opens them inside the run's sandbox.
"""

from __future__ import annotations

import io
import os
import re
import zipfile

# Everything the app accepts for one checkpoint (the server's maxUploadSize matches it).
UPLOAD_LIMIT = 32 * 1024 * 1024
_INDEX = re.compile(r"^(?P<prefix>[^/\\]+)\.index$")
_DATA = re.compile(r"^(?P<prefix>[^/\\]+)\.data-[0-9]{5}-of-[0-9]{5}$")


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
        raise BadUpload(f"{strays[0]} belongs to another checkpoint than {indexes[0]}")
    return kept


def _unzipped(data: bytes, limit: int) -> list[tuple[str, bytes]]:
    """The files of a zip, reading at most ``limit`` bytes of their contents (a zip's
    declared sizes may lie, so the read itself is bounded)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
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
    """Writes checked files into ``folder`` (made for one run); returns the prefix."""
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as out:
            out.write(data)
    index = next(name for name in files if name.endswith(".index"))
    return os.path.join(folder, index[:-len(".index")])
