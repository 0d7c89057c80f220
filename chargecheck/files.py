"""The one write path: every file chargecheck writes (rules, reviews, reports, letters) goes here.

Input: a path the user named (or a default one) and the bytes to put there, or a function that
turns the file's current bytes into new ones.  Output: the file replaced in one step, or a
:class:`~chargecheck.errors.WriteError` naming the path and why, with the file untouched.

What it guarantees, and why:

* **Nothing lost between writers.**  :func:`update_file` (rules, reviews: read, change, write)
  holds an advisory lock (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows; the standard
  library, no extra package) on a hidden ``.chargecheck.lock`` in the target's folder across
  read → change → replace, so twenty ``chargecheck cancel`` run at once keep twenty records.
  The lock file is left in place (deleting it would let a waiting writer lock a file nobody
  else sees); it is hidden, so rules and statement folders pass over it.  :func:`write_file`
  (reports, letters: the whole file replaced) needs no lock: each writer has its own temp file
  and the replace is atomic, so the last one wins whole.
* **Nothing half-written.**  The new bytes go to a hidden temp file beside the target
  (``.<name>.<random>.tmp``), are fsynced, and ``os.replace`` swaps them in; the temp file is
  removed on any exit (``try/finally``).  One left by a killed process (``kill -9``) is hidden
  (never read as a rule or statement) and removed by the next write to the same target: at
  once under the lock, otherwise once it is a minute old (a live writer is done by then).
* **Links followed, odd files refused.**  A symlink is followed to its target (the link stays a
  link; the target gets the bytes); a symlink loop, a directory, a FIFO, a device (``/dev/null``)
  or a socket is refused with one line, never opened (opening a FIFO would block).
* **Inputs protected.**  :func:`check_not_input` refuses a target that is the same file as a
  statement or rules file of the run (compared with ``os.path.samefile``, so ``dl/Download.CSV``
  and ``./dl/../dl/Download.CSV`` and a hard link all count).

May import: :mod:`chargecheck.errors` only.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from .errors import WriteError

__all__ = ["resolve_target", "check_not_input", "write_file", "write_text", "update_file", "locked", "prepare_folder",
           "prepare_target",
           "TEMP_SUFFIX", "LOCK_NAME"]

TEMP_SUFFIX = ".tmp"
LOCK_NAME = ".chargecheck.lock"
STALE_SECONDS = 60.0
T = TypeVar("T")

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words (``a FIFO (named pipe)``, ``a device``…)."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def resolve_target(path: str | Path) -> Path:
    """The real file a write to ``path`` lands on: symlinks followed, anything odd refused.

    Returns an absolute path that either is a writable regular file or does not exist yet (its
    folder may not exist either: the writers create it).  Raises WriteError for a symlink loop,
    a folder, a FIFO, a device or a socket, a read-only file, and a path whose folder part is a
    file.
    """
    given = Path(path)
    try:
        real = Path(os.path.realpath(given, strict=True))
    except FileNotFoundError:  # a new file, or a link to one: written where the link points
        real = Path(os.path.realpath(given))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WriteError("is a symlink loop; not written", path=given) from None
        raise WriteError(f"cannot be written: {exc.strerror}", path=given) from None
    try:
        mode = real.stat().st_mode
    except FileNotFoundError:
        return real
    except NotADirectoryError:
        raise WriteError("cannot be written: a part of the path is a file, not a folder", path=given) from None
    except OSError as exc:
        raise WriteError(f"cannot be written: {exc.strerror}", path=given) from None
    if not stat.S_ISREG(mode):
        raise WriteError(f"is {file_kind(mode)}, not a regular file; not written",
                         path=given, hint="name a new or existing ordinary file") from None
    if not os.access(real, os.W_OK):  # a rename would replace it anyway; respect the read-only mark
        raise WriteError("is read-only; not written", path=given)
    return real


def check_not_input(target: str | Path, inputs: Iterable[str | Path], what: str = "output") -> None:
    """Refuse to write ``target`` when it is the same file as one of ``inputs`` (statements, rules).

    Compared with ``os.path.samefile`` (so relative spellings, symlinks and hard links are
    caught) and, for files that do not exist, by resolved path.
    """
    target = Path(target)
    exists = target.exists()
    real = Path(os.path.realpath(target))
    for item in inputs:
        item = Path(item)
        try:
            same = os.path.samefile(target, item) if exists and item.exists() else real == Path(os.path.realpath(item))
        except OSError:
            continue
        if same:
            raise WriteError(f"is an input of this run ({item}); refusing to overwrite it with the {what}",
                             path=target, hint="write the output to another file")


@contextmanager
def locked(real: Path) -> Iterator[None]:
    """Hold the advisory lock of ``real``'s folder (``real`` already resolved) for the block.

    The lock is the hidden :data:`LOCK_NAME` in the folder, which is created if needed.  Temp
    files a killed writer left for this target are removed once the lock is held.
    """
    _make_folder(real.parent, real)
    lock_path = real.parent / LOCK_NAME
    try:
        handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise WriteError(f"cannot be written: {exc.strerror}", path=real) from None
    try:
        _lock(handle)
        _remove_stale_temps(real, older_than=0.0)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _lock(handle: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        os.lseek(handle, 0, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(handle, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                return
            except OSError:
                continue
    fcntl.flock(handle, fcntl.LOCK_EX)


def _remove_stale_temps(real: Path, older_than: float) -> None:
    """Remove ``.<name>.*.tmp`` left beside ``real`` by a killed writer (modified ``older_than``
    seconds ago or earlier)."""
    import time

    prefix, now = f".{real.name}.", time.time()
    try:
        names = os.listdir(real.parent)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(TEMP_SUFFIX):
            try:
                if now - os.lstat(real.parent / name).st_mtime >= older_than:
                    os.unlink(real.parent / name)
            except OSError:
                pass


def _make_folder(folder: Path, target: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WriteError("cannot be written: a part of the path is a file, not a folder", path=target) from None
    except OSError as exc:
        raise WriteError(f"cannot create the folder {folder}: {exc.strerror}", path=target) from None


def _replace(real: Path, data: bytes) -> None:
    """Write ``data`` beside ``real`` and swap it in (caller holds the lock)."""
    try:
        handle, temp_name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise WriteError(f"cannot be written: {exc.strerror}", path=real) from None
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        _copy_mode(real, temp_name)
        os.replace(temp_name, real)
        _sync_folder(real.parent)
    except OSError as exc:
        raise WriteError(f"cannot be written: {exc.strerror}", path=real) from None
    finally:
        if os.path.lexists(temp_name):
            os.unlink(temp_name)


def _copy_mode(real: Path, temp_name: str) -> None:
    """The new file keeps the old one's permissions (and owner, where allowed); a new file gets
    the usual 0666 minus umask, not mkstemp's 0600."""
    try:
        old = real.stat()
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)
        return
    os.chmod(temp_name, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        try:
            os.chown(temp_name, old.st_uid, old.st_gid)
        except OSError:
            pass  # not root: the file becomes ours, as any editor's save would


def _sync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def prepare_target(path: str | Path) -> Path:
    """:func:`resolve_target`, and its folder created now: an output that cannot be written
    (``-o /proc/nope/x.html``) fails in one line before any work is done, not after it."""
    real = resolve_target(path)
    _make_folder(real.parent, Path(path))
    return real


def prepare_folder(path: str | Path) -> Path:
    """Make sure ``path`` is a folder files can be written into (created if missing), before any
    work is done, so a bad ``--output`` folder fails in one line at once, not after the check."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise WriteError("is not a folder; not written", path=folder, hint="name a folder for the letters")
    _make_folder(folder, folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteError("cannot be written: permission denied", path=folder)
    return folder


def update_file(path: str | Path, change: Callable[[bytes], tuple[bytes, T]]) -> T:
    """Read-modify-write ``path`` under its lock: ``change(current_bytes) -> (new_bytes, value)``.

    ``current_bytes`` is ``b""`` for a file that does not exist yet.  ``change`` may raise (a
    ChargecheckError, say) to leave the file as it was.  Returns ``value``.
    """
    real = resolve_target(path)
    with locked(real):
        try:
            current = real.read_bytes()
        except FileNotFoundError:
            current = b""
        except OSError as exc:
            raise WriteError(f"cannot be read: {exc.strerror}", path=path) from None
        data, value = change(current)
        _replace(real, data)
    return value


def write_file(path: str | Path, data: bytes, *, inputs: Iterable[str | Path] = ()) -> Path:
    """Replace ``path`` with ``data`` atomically; refuses when ``path`` is one of ``inputs``.

    Returns the real path written (the symlink's target when ``path`` is a link).
    """
    real = resolve_target(path)
    check_not_input(real, inputs)
    _make_folder(real.parent, real)
    _remove_stale_temps(real, older_than=STALE_SECONDS)
    _replace(real, data)
    return real


def write_text(path: str | Path, text: str, *, inputs: Iterable[str | Path] = ()) -> Path:
    """:func:`write_file` for text: UTF-8, line endings written as given."""
    return write_file(path, text.encode("utf-8"), inputs=inputs)
