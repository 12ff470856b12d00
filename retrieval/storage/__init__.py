"""Persistence shared by every on-disk artefact: atomic file writes and versioned builds.

`atomic`: replace one file (or a few together) so readers see the old or the new, whole.
`versioned`: build folders aside plus an atomically switched pointer, under a process lock.
"""

from .atomic import (
    Writer,
    fsync_dir,
    fsync_file,
    fsync_tree,
    is_temp_name,
    write_atomic,
    write_bytes_atomic,
    write_files_atomic,
    write_json_atomic,
    write_text_atomic,
)
from .versioned import BuildLayout, BuildStore, LockHeldError, PointerError, new_build_id

__all__ = [
    "BuildLayout",
    "BuildStore",
    "LockHeldError",
    "PointerError",
    "Writer",
    "fsync_dir",
    "fsync_file",
    "fsync_tree",
    "is_temp_name",
    "new_build_id",
    "write_atomic",
    "write_bytes_atomic",
    "write_files_atomic",
    "write_json_atomic",
    "write_text_atomic",
]
