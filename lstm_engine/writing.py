"""Writing the files a user names: nothing lost, nothing replaced that is not a file.

``user_path`` and ``weights_path`` turn what was typed in a prompt into a path.
``check_target`` says what writing that path would write, or refuses with one line:
a symlink writes the file it points to (through chains; a dangling link creates its
target, as the shell's ``>`` does, if the target's folder exists), and directories,
named pipes, sockets and devices are refused, never replaced. ``would_overwrite``
lets a dialog ask before replacing a file. ``write_atomic`` writes beside the real
target and renames over it, so readers see the old bytes or the new, never half.

Modes: a new file is created by the kernel with ``0o666`` less the umask (and the
folder's default ACL), exactly as ``open(path, "w")`` would; the umask is never read,
so there is no moment at which the process-wide umask is changed. An existing file
keeps its mode and, when the OS allows it, its owner and group (best effort). Hard
links, extended attributes and ACLs of the old file are not carried over.

Signals: during ``write_atomic`` in the main thread, SIGTERM and SIGHUP, if they have
their default handler, raise inside the write so the temporary file is removed; the
signal is then delivered again with the default handler, so the process ends exactly
as it would have (killed by that signal), minus the temporary file. Handlers the
program installed itself are left alone. SIGINT raises KeyboardInterrupt as usual,
which also removes the temporary file. Only SIGKILL or a crash can leave a
``.NAME.*.tmp`` file behind; the target is intact even then.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

#: Signals that kill by default and are worth a clean-up: ``kill``, a closed terminal.
_CLEANED_UP_ON = (signal.SIGTERM, signal.SIGHUP)


class WriteError(ValueError):
    """A file that cannot or must not be written; the message is one line."""


def user_path(text: str) -> Path:
    """A path typed in a prompt, ``~`` expanded; a ValueError if it cannot be one."""
    name = text.strip()
    if not name:
        raise ValueError("give a file name")
    if "\0" in name:
        raise ValueError("a file name cannot contain a NUL character")
    try:
        return Path(name).expanduser()
    except RuntimeError:  # "~nosuchuser/...": no such user; "~" with no HOME
        user = name[1:].split("/", 1)[0]
        if not user:
            raise ValueError(f"{name}: cannot tell your home folder (HOME is not set)") from None
        raise ValueError(f"{name}: there is no user {user!r} whose home ~{user} could be") from None


def weights_path(text: str) -> Path:
    """A weight file's path typed in a prompt: ``.npz`` in any case, added if missing."""
    path = user_path(text)
    if text.strip().endswith("/"):
        raise ValueError(f"{text.strip()}: is a folder; give a file name ending in .npz")
    if not path.suffix:
        return path.with_name(path.name + ".npz")
    if path.suffix.lower() != ".npz":
        raise ValueError("the file name must end in .npz")
    return path


def check_target(path: str | os.PathLike[str]) -> Path:
    """The real file that writing ``path`` would replace or create, or a WriteError.

    Follows symlinks to the end; refuses what is not a regular file (directory, named
    pipe, socket, device), a missing folder, a folder or file this user cannot write,
    a loop of links and a NUL. Only looks (``stat``): never opens, so a FIFO does not
    block. Messages read "cannot write NAME: why", NAME as given.
    """
    name = os.fspath(path)
    if not name:
        raise WriteError("give a file name")
    if "\0" in name:
        raise WriteError("a file name cannot contain a NUL character")
    real = Path(os.path.realpath(name))
    reason = _why_not(real)
    if reason is None:
        return real
    points_on = os.path.islink(name) and real != Path(os.path.abspath(name))  # not a loop
    subject = f"{name} (a link to {real})" if points_on else name
    raise WriteError(f"cannot write {subject}: {reason}")


def _why_not(real: Path) -> str | None:
    """Why the resolved path ``real`` must not be written, or None if it may."""
    try:
        mode: int | None = os.stat(real).st_mode
    except (FileNotFoundError, NotADirectoryError):  # "f.txt/x.csv": the folder says
        mode = None
    except OSError as exc:
        return "a loop of symbolic links" if exc.errno == errno.ELOOP else exc.strerror
    if mode is not None:
        if not stat.S_ISREG(mode):
            return _not_a_file(mode)
        if not os.access(real, os.W_OK):
            return "permission denied (the file is read-only)"
    folder = real.parent
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            return f"{folder} is not a folder"
    except (FileNotFoundError, NotADirectoryError):
        return f"the folder {folder} does not exist"
    except OSError as exc:
        return f"{folder}: {exc.strerror}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"permission denied (no right to create files in {folder})"
    return None


def would_overwrite(path: str | os.PathLike[str]) -> bool:
    """Whether writing ``path`` would replace an existing file (ask first), or a
    WriteError if it must not be written at all."""
    return check_target(path).exists()


def write_atomic(path: str | os.PathLike[str], write: Callable[[IO[bytes]], object]) -> Path:
    """Write a file so that readers see the old contents or the new, never half of it.

    ``write`` gets a binary handle and may stream into it. Returns the real path
    written (a symlink's target). Raises WriteError for what ``check_target`` refuses
    and for an OS error while writing (a full disk); anything ``write`` raises
    otherwise goes through unchanged. The temporary file never outlives a failure.
    """
    with atomic_writer(path) as handle:
        write(handle)
    return check_target(path)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """``write_atomic`` as a ``with`` block: the file is in place when the block ends
    without an exception; an exception (or a generator holding the block being
    closed: a cancelled export) removes the temporary file and leaves the old one."""
    target = check_target(path)
    tmp = None
    with _clean_up_on_signals():
        try:
            with _signals_deferred():  # a signal now would lose track of the new file
                fd, tmp = _create_beside(target)
            with os.fdopen(fd, "wb") as handle:
                _keep_owner_and_mode(handle.fileno(), target)
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            check_target(path)  # not turned into a FIFO or a folder meanwhile
            os.replace(tmp, target)
        except BaseException as exc:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            if isinstance(exc, OSError):
                raise WriteError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from exc
            raise
    _sync_folder(target.parent)


def kind_of(mode: int) -> str | None:
    """What a file of ``st_mode`` ``mode`` is when it is not a regular file ("a directory",
    "a named pipe (FIFO)", "a socket", "a device", "not a regular file"); None when it is
    one. Writing and reading both refuse these, without opening them."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _not_a_file(mode: int) -> str:
    kind = kind_of(mode) or "not a regular file"
    if kind in ("a directory", "not a regular file"):
        return f"it is {kind}"
    return f"it is {kind}, not a regular file"


def _create_beside(target: Path) -> tuple[int, str]:
    """A new hidden file next to ``target``, created with the mode a new file gets.

    Not ``mkstemp``: it creates 0600 whatever the umask. ``O_EXCL`` never follows or
    reuses anything that is already there.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = str(target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp"))
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name beside it")


def _keep_owner_and_mode(fd: int, target: Path) -> None:
    """Give the new file the old one's owner, group and mode, as far as allowed."""
    try:
        old = os.stat(target)
    except FileNotFoundError:
        return
    new = os.fstat(fd)
    if (old.st_uid, old.st_gid) != (new.st_uid, new.st_gid):
        # Owner first: chown clears set-id bits, the chmod below puts them back.
        for uid in (old.st_uid, -1):
            try:
                os.fchown(fd, uid, old.st_gid)
                break
            except OSError:
                continue
    os.fchmod(fd, stat.S_IMODE(old.st_mode))


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; best effort (some systems cannot open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Interrupted(BaseException):
    """A fatal signal during a write; BaseException so ``except Exception`` lets it by."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, frame: object) -> None:
    raise _Interrupted(signum)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and the signals above until the block is done (this thread)."""
    held = {signal.SIGINT, *_CLEANED_UP_ON}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def _clean_up_on_signals() -> Iterator[None]:
    """While writing, turn default-fatal signals into an exception, then die of them.

    Signal handlers can only be set from the main thread; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    taken = [s for s in _CLEANED_UP_ON if signal.getsignal(s) is signal.SIG_DFL]
    for signum in taken:
        signal.signal(signum, _raise_interrupted)
    try:
        yield
    except _Interrupted as exc:
        for signum in taken:
            signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), exc.signum)
        raise SystemExit(128 + exc.signum) from None  # if the signal did not end us
    finally:
        for signum in taken:
            signal.signal(signum, signal.SIG_DFL)
