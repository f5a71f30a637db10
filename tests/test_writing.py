"""Writing files: the modes a new file gets, links followed, pipes and devices refused,
nothing left behind by an interrupted write, and the paths typed in prompts."""

from __future__ import annotations

import errno
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

import lstm_engine
from lstm_engine import LSTMCell, files
from lstm_engine.writing import (
    WriteError,
    check_target,
    user_path,
    weights_path,
    would_overwrite,
    write_atomic,
)

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534


def write_new(handle: IO[bytes]) -> None:
    handle.write(b"new")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def refused(path: Path | str) -> str:
    """The message write_atomic refuses ``path`` with; fails if it writes or blocks."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            write_atomic(path, lambda handle: pytest.fail("wrote through a refusal"))
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=attempt, daemon=True)  # a FIFO opened would block
    worker.start()
    worker.join(5)
    assert outcome, f"writing {path} blocked"
    error = outcome[0]
    assert isinstance(error, WriteError), f"{path}: {error!r}"
    return str(error)


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    before = os.umask(0o022)
    yield os.umask
    os.umask(before)


# -- modes -------------------------------------------------------------------------------
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_the_umask_gives(
    tmp_path: Path, umask: Callable[[int], int], mask: int, mode: int
) -> None:
    umask(mask)
    write_atomic(tmp_path / "x.csv", write_new)
    assert stat.S_IMODE((tmp_path / "x.csv").stat().st_mode) == mode


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o755, 0o640])
def test_an_existing_file_keeps_its_mode(
    tmp_path: Path, umask: Callable[[int], int], mode: int
) -> None:
    umask(0o077)  # would give 0600 to a new file
    target = tmp_path / "x.csv"
    target.write_bytes(b"old")
    target.chmod(mode)
    write_atomic(target, write_new)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_an_existing_file_keeps_its_owner_when_allowed(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_bytes(b"old")
    owner = (NOBODY, NOBODY) if os.geteuid() == 0 else (os.geteuid(), os.getegid())
    os.chown(target, *owner)
    write_atomic(target, write_new)
    assert (target.stat().st_uid, target.stat().st_gid) == owner


def test_save_keeps_the_mode_of_a_weight_file(tmp_path: Path) -> None:
    target = tmp_path / "w.npz"
    target.write_bytes(b"old")
    target.chmod(0o644)
    lstm_engine.save(LSTMCell.init(2, 1, seed=1), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


# -- links -------------------------------------------------------------------------------
def test_a_symlink_chain_writes_the_file_at_its_end(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    real = tmp_path / "sub" / "real.csv"
    real.write_bytes(b"old")
    (tmp_path / "second").symlink_to("sub/real.csv")
    (tmp_path / "first").symlink_to("second")
    assert write_atomic(tmp_path / "first", write_new) == real
    assert real.read_bytes() == b"new"
    assert os.readlink(tmp_path / "first") == "second"
    assert os.readlink(tmp_path / "second") == "sub/real.csv"
    assert leftovers(tmp_path) == leftovers(tmp_path / "sub") == []


def test_a_dangling_symlink_creates_its_target(tmp_path: Path, umask: Callable[[int], int]) -> None:
    umask(0o022)
    link = tmp_path / "link.csv"
    link.symlink_to("new.csv")
    assert not would_overwrite(link)
    write_atomic(link, write_new)
    assert link.is_symlink() and (tmp_path / "new.csv").read_bytes() == b"new"
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644


def test_a_dangling_symlink_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to("nope/new.csv")
    assert refused(link) == (
        f"cannot write {link} (a link to {tmp_path / 'nope/new.csv'}):"
        f" the folder {tmp_path / 'nope'} does not exist"
    )
    assert link.is_symlink()


def test_a_loop_of_links_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    assert refused(tmp_path / "a") == f"cannot write {tmp_path / 'a'}: a loop of symbolic links"


# -- what is not a regular file ---------------------------------------------------------
def test_a_fifo_is_refused_without_blocking_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert refused(fifo) == f"cannot write {fifo}: it is a named pipe (FIFO), not a regular file"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    link = tmp_path / "out.csv"
    link.symlink_to("fifo")
    assert refused(link) == (
        f"cannot write {link} (a link to {fifo}): it is a named pipe (FIFO), not a regular file"
    )
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert refused(path) == f"cannot write {path}: it is a socket, not a regular file"
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "x.csv"
    folder.mkdir()
    assert refused(folder) == f"cannot write {folder}: it is a directory"
    (tmp_path / "link").symlink_to("x.csv")
    assert (
        refused(tmp_path / "link")
        == f"cannot write {tmp_path / 'link'} (a link to {folder}): it is a directory"
    )
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_dev_null_is_refused_and_left_alone(tmp_path: Path) -> None:
    before = os.lstat("/dev/null")
    assert refused("/dev/null") == "cannot write /dev/null: it is a device, not a regular file"
    link = tmp_path / "out.csv"
    link.symlink_to("/dev/null")
    assert refused(link) == (
        f"cannot write {link} (a link to /dev/null): it is a device, not a regular file"
    )
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev, after.st_mode) == (
        before.st_ino,
        before.st_rdev,
        before.st_mode,
    )
    assert not [name for name in os.listdir("/dev") if name.startswith(".null.")]


def test_a_missing_folder_or_a_file_as_folder_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "x.csv"
    assert (
        refused(missing) == f"cannot write {missing}: the folder {tmp_path / 'nope'} does not exist"
    )
    (tmp_path / "f.txt").write_text("a file")
    under_file = tmp_path / "f.txt" / "x.csv"
    assert refused(under_file) == f"cannot write {under_file}: {tmp_path / 'f.txt'} is not a folder"


def test_nul_and_empty_names_are_refused(tmp_path: Path) -> None:
    assert refused(f"{tmp_path}/a\0b") == "a file name cannot contain a NUL character"
    assert refused("") == "give a file name"


def test_an_unwritable_folder_is_refused_when_access_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    old.write_bytes(b"old")
    assert (
        refused(new)
        == f"cannot write {new}: permission denied (no right to create files in {tmp_path})"
    )
    assert refused(old) == f"cannot write {old}: permission denied (the file is read-only)"
    assert old.read_bytes() == b"old"


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder another user can enter (pytest's tmp_path is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="lstm-writing-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755)
    shutil.rmtree(folder)


def as_nobody_if_root() -> list[str]:
    """A command prefix that drops root (subprocess's ``user=`` cannot exec this venv's
    python, whose interpreter lives under /root; setpriv can)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: the mocked os.access test covers this")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


# writing.py loaded by its path, with the standard library alone: run as nobody, the
# interpreter may not read this venv's packages (CI's venv lives in a 0700 folder).
WRITE_EACH = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("writing", sys.argv[1])
writing = importlib.util.module_from_spec(spec)
sys.modules["writing"] = writing
spec.loader.exec_module(writing)
for name in sys.argv[2:]:
    try:
        writing.write_atomic(name, lambda handle: handle.write(b"new"))
        print("written")
    except writing.WriteError as exc:
        print(exc)
"""


def test_unwritable_folders_and_files_are_refused_for_real(shared_dir: Path) -> None:
    # Root may write anywhere, so as root this runs as nobody; otherwise as ourselves.
    locked, open_ = shared_dir / "locked", shared_dir / "open"
    locked.mkdir()
    open_.mkdir()
    (open_ / "read-only.csv").write_bytes(b"old")
    (open_ / "read-only.csv").chmod(0o444)
    locked.chmod(0o555)
    open_.chmod(0o777)
    names = [locked / "new.csv", open_ / "read-only.csv", open_ / "new.csv"]
    module = shared_dir / "writing.py"  # where nobody can read it, wherever the clone is
    shutil.copy(ROOT / "lstm_engine" / "writing.py", module)
    done = subprocess.run(
        [
            *as_nobody_if_root(),
            getattr(sys, "_base_executable", sys.executable),
            "-I",
            "-c",
            WRITE_EACH,
            str(module),
            *map(str, names),
        ],
        cwd=shared_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines() == [
        f"cannot write {names[0]}: permission denied (no right to create files in {locked})",
        f"cannot write {names[1]}: permission denied (the file is read-only)",
        "written",
    ]
    assert (open_ / "read-only.csv").read_bytes() == b"old"
    assert leftovers(locked) == leftovers(open_) == []


# -- failures and interruptions ----------------------------------------------------------
def test_would_overwrite_asks_about_existing_files_only(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    assert not would_overwrite(target)
    target.write_bytes(b"old")
    assert would_overwrite(target)
    assert check_target(target) == target
    with pytest.raises(WriteError, match="is a directory"):
        would_overwrite(tmp_path)


@pytest.mark.parametrize("error", [ValueError("bad data"), KeyboardInterrupt()])
def test_a_failing_write_leaves_the_target_and_no_temporary(
    tmp_path: Path, error: BaseException
) -> None:
    target = tmp_path / "x.csv"
    target.write_bytes(b"old")

    def half(handle: IO[bytes]) -> None:
        handle.write(b"half")
        raise error

    with pytest.raises(type(error)):
        write_atomic(target, half)
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_an_os_error_while_writing_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_bytes(b"old")

    def full(handle: IO[bytes]) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(WriteError) as caught:
        write_atomic(target, full)
    assert str(caught.value) == f"cannot write {target}: No space left on device"
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []


def own_handler(signum: int, frame: object) -> None:
    """A handler a program installed itself."""


@pytest.mark.parametrize("handler", [signal.SIG_DFL, own_handler])
def test_sigterm_is_caught_only_while_writing_and_only_if_default(
    tmp_path: Path, handler: Callable[[int, object], None] | signal.Handlers
) -> None:
    before = signal.signal(signal.SIGTERM, handler)
    try:
        during = []
        write_atomic(tmp_path / "x", lambda _: during.append(signal.getsignal(signal.SIGTERM)))
        assert signal.getsignal(signal.SIGTERM) == handler
    finally:
        signal.signal(signal.SIGTERM, before)
    assert (during[0] == handler) is (handler is own_handler)


SLOW_WRITER = """
import signal, sys, time
from lstm_engine.writing import write_atomic
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
signal.signal(signal.SIGHUP, signal.SIG_DFL)

def slow(handle):
    handle.write(b"new" * 1000)
    handle.flush()
    print("started", flush=True)
    for _ in range(400):
        handle.write(b"x" * 1000)
        time.sleep(0.05)

write_atomic(sys.argv[1], slow)
print("finished", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_write_leaves_the_target_and_no_temporary(tmp_path: Path, signum: int) -> None:
    target = tmp_path / "x.csv"
    target.write_bytes(b"old bytes")
    with subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline() == "started\n"
        assert len(leftovers(tmp_path)) == 1  # caught in the middle of the write
        child.send_signal(signum)
        _, err = child.communicate(timeout=20)
    assert child.returncode == -signum, err  # ended by the signal, as without us
    assert target.read_bytes() == b"old bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


# -- paths typed in prompts -------------------------------------------------------------
def test_user_path_expands_the_home_and_strips() -> None:
    assert user_path("~") == Path.home()
    assert user_path("  ~/x.csv \n") == Path.home() / "x.csv"
    assert user_path("out/x.csv") == Path("out/x.csv")
    assert files.user_path is user_path and files.write_atomic is write_atomic


def test_user_path_refuses_what_cannot_be_a_path() -> None:
    user = "nosuchuser_lstm_stepper"
    with pytest.raises(KeyError):
        pwd.getpwnam(user)
    with pytest.raises(ValueError) as caught:
        user_path(f"~{user}/x.csv")
    assert str(caught.value) == (
        f"~{user}/x.csv: there is no user '{user}' whose home ~{user} could be"
    )
    for text, message in [("", "give a file name"), ("  ", "give a file name")]:
        with pytest.raises(ValueError, match=f"^{message}$"):
            user_path(text)
    with pytest.raises(ValueError, match="^a file name cannot contain a NUL character$"):
        user_path("x\0.csv")


def test_user_path_without_a_home(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_uid(uid: int) -> pwd.struct_passwd:
        raise KeyError(uid)

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_such_uid)
    with pytest.raises(ValueError, match=r"^~/x.csv: cannot tell your home folder"):
        user_path("~/x.csv")


def test_weights_path_takes_npz_in_any_case_and_adds_it() -> None:
    assert weights_path("w.NPZ") == Path("w.NPZ")
    assert weights_path("w.npz") == Path("w.npz")
    assert weights_path(" w ") == Path("w.npz")
    assert weights_path("~/w") == Path.home() / "w.npz"
    with pytest.raises(ValueError, match="^the file name must end in .npz$"):
        weights_path("w.csv")
    with pytest.raises(ValueError, match="^out/: is a folder"):
        weights_path("out/")


def test_an_upper_case_npz_round_trips(tmp_path: Path) -> None:
    cell = LSTMCell.init(2, 1, seed=3)
    path = weights_path(str(tmp_path / "w.NPZ"))
    lstm_engine.save(cell, path)
    assert lstm_engine.load(path) == cell
    assert [p.name for p in tmp_path.iterdir()] == ["w.NPZ"]
