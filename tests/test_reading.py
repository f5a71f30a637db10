"""Reading weights and inputs files within bounds: a file that declares more than it may
hold is refused from its header or zip directory, before anything big is allocated or
decompressed, with one line that says what is wrong."""

from __future__ import annotations

import io
import re
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lstm_engine
from lstm_engine import InputError, LSTMCell, WeightsError, read_inputs_file
from lstm_engine.arrays import ArrayFileError, Limits, read_npy, read_npz
from lstm_engine.cli import build_parser, main, print_notes, session_from_options
from lstm_engine.inputs import MAX_CSV_BYTES, read_inputs_table

#: Peak Python and NumPy allocation allowed for refusing a file (a chunk or two).
FEW_MB = 4 * 2**20
GIB = 2**30


def npy_bytes(array: np.ndarray[Any, Any]) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def npy_header(shape: tuple[int, ...], descr: str = "<f8", version: int = 1) -> bytes:
    out = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    write = (
        np.lib.format.write_array_header_1_0
        if version == 1
        else np.lib.format.write_array_header_2_0
    )
    write(out, header)
    return out.getvalue()


def zip_of(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def weights_members(cell: LSTMCell) -> dict[str, bytes]:
    return {f"{key}.npy": npy_bytes(np.asarray(value)) for key, value in cell.params.items()}


@pytest.fixture
def cell() -> LSTMCell:
    return LSTMCell.init(2, 3, seed=5)


def peak_while(action: Callable[[], object]) -> tuple[int, float, BaseException | None]:
    """The peak of traced allocations, the seconds taken, and what ``action`` raised."""
    tracemalloc.start()
    start = time.perf_counter()
    raised: BaseException | None = None
    try:
        action()
    except Exception as exc:  # the refusals under test
        raised = exc
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, seconds, raised


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["trace", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- a .npy that declares a huge array -------------------------------------------------


@pytest.fixture
def huge_npy(tmp_path: Path) -> Path:
    """1 KB that declares 100000 x 100000 float64 (74.5 GiB)."""
    path = tmp_path / "huge.npy"
    path.write_bytes(npy_header((100_000, 100_000)).ljust(1024, b"\0"))
    return path


def test_a_huge_npy_is_refused_from_its_header(huge_npy: Path) -> None:
    assert huge_npy.stat().st_size == 1024
    peak, _, raised = peak_while(lambda: read_inputs_file(huge_npy))
    assert isinstance(raised, InputError) and peak < FEW_MB
    assert str(raised) == (
        f"{huge_npy}: declares shape (100000, 100000) of float64 (74.5 GiB), "
        "more than the 256 MiB allowed"
    )


def test_the_cli_refuses_a_huge_npy_in_one_line(huge_npy: Path, capsys) -> None:
    code, out, err = run_cli(capsys, "--inputs-file", str(huge_npy))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("lstm-engine: error: ") and "74.5 GiB" in err


def test_a_huge_weight_is_refused_from_its_header(tmp_path: Path, cell: LSTMCell, capsys) -> None:
    members = weights_members(cell)
    members["weight_hh.npy"] = npy_header((100_000, 100_000)) + bytes(1000)
    path = zip_of(tmp_path / "w.npz", members)
    peak, _, raised = peak_while(lambda: lstm_engine.load(path))
    assert isinstance(raised, WeightsError) and peak < FEW_MB
    assert str(raised).startswith(f"{path}: weight_hh: declares shape (100000, 100000)")
    assert "more than the 512 MiB allowed" in str(raised)
    code, _, err = run_cli(capsys, "--weights", str(path))
    assert code == 2 and err.count("\n") == 1


# -- a zip bomb --------------------------------------------------------------------------

#: The member that lies: a header declaring 100 float64 (800 bytes), then 1 GiB of zeros.
LIAR_HEADER = npy_header((100,))
LIAR_SIZE = len(LIAR_HEADER) + 800


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 5 MB weight file: an LSTM's weights and ``junk.npy``, 1 GiB uncompressed."""
    out = io.BytesIO()
    zeros = bytes(2**24)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in weights_members(LSTMCell.init(2, 3, seed=5)).items():
            archive.writestr(name, data)
        with archive.open("junk.npy", "w") as member:
            member.write(LIAR_HEADER)
            for _ in range(GIB // len(zeros)):
                member.write(zeros)
    return out.getvalue()


def with_declared_size(archive: bytes, name: str, size: int) -> bytes:
    """``archive`` with the zip directory's uncompressed size of ``name``, its last
    member, set to ``size`` (the local header is left as it was)."""
    entry = archive.rindex(b"PK\x01\x02")  # the directory's last entry
    assert archive[entry + 46 : entry + 46 + len(name)] == name.encode()
    return archive[: entry + 24] + struct.pack("<I", size) + archive[entry + 28 :]


def load_bounded(path: Path) -> tuple[int, float, BaseException | None]:
    return peak_while(lambda: lstm_engine.load(path))


def test_a_member_declaring_1_gib_is_refused_from_the_directory(
    tmp_path: Path, bomb: bytes
) -> None:
    path = tmp_path / "bomb.npz"
    path.write_bytes(bomb)
    assert path.stat().st_size < 8 * 2**20
    peak, seconds, raised = load_bounded(path)
    assert isinstance(raised, WeightsError) and peak < FEW_MB and seconds < 1
    assert str(raised) == (
        f"{path}: junk: declares 1 GiB uncompressed, more than the 512 MiB an array may have"
    )


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        (LIAR_SIZE, r"junk: unreadable \(Bad CRC-32"),  # the directory claims what the header says
        (500 * 2**20, r"junk: unreadable: more data than the 800 bytes declared"),
    ],
)
def test_a_directory_that_lies_costs_no_more_than_the_header_declares(
    tmp_path: Path, bomb: bytes, declared: int, message: str
) -> None:
    path = tmp_path / "liar.npz"
    path.write_bytes(with_declared_size(bomb, "junk.npy", declared))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("junk.npy").file_size == declared
    peak, seconds, raised = load_bounded(path)
    assert isinstance(raised, WeightsError) and peak < FEW_MB and seconds < 1
    assert re.search(message, str(raised))


# -- damaged and odd members -------------------------------------------------------------


def test_a_truncated_member_is_unreadable(tmp_path: Path, cell: LSTMCell) -> None:
    members = weights_members(cell)
    members["bias_ih.npy"] = members["bias_ih.npy"][:-10]
    with pytest.raises(WeightsError, match=r"bias_ih: unreadable: truncated \(86 of 96 bytes\)"):
        lstm_engine.load(zip_of(tmp_path / "cut.npz", members))


def test_a_truncated_header_and_a_member_that_is_not_npy(tmp_path: Path, cell: LSTMCell) -> None:
    members = weights_members(cell)
    members["bias_ih.npy"] = members["bias_ih.npy"][:20]
    with pytest.raises(WeightsError, match="bias_ih: unreadable: truncated in its header"):
        lstm_engine.load(zip_of(tmp_path / "cut.npz", members))
    members["bias_ih.npy"] = b"just text"
    with pytest.raises(WeightsError, match="bias_ih: not an .npy array"):
        lstm_engine.load(zip_of(tmp_path / "text.npz", members))


def test_a_cut_off_file_is_not_a_readable_npz(tmp_path: Path, cell: LSTMCell) -> None:
    lstm_engine.save(cell, tmp_path / "w.npz")
    whole = (tmp_path / "w.npz").read_bytes()
    (tmp_path / "w.npz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(WeightsError, match="not a readable .npz weight file"):
        lstm_engine.load(tmp_path / "w.npz")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update({"notes.txt": b"hi"}), r"unexpected member 'notes.txt'"),
        (lambda m: m.update({f"k{n}.npy": npy_bytes(np.zeros(1)) for n in range(20)}),
         # the mLSTM's 12 arrays, a readout's 2, the kind and the format
         r"holds 24 members; at most 16 are read"),
        (lambda m: m.update({"bias_ih.npy": npy_header((8,), "|O") + bytes(64)}),
         r"bias_ih: object arrays are not accepted \(they need pickle\)"),
        (lambda m: m.update({"bias_ih.npy": npy_header((8,), "<i4,<f8")}),
         r"bias_ih: structured arrays are not accepted"),
        (lambda m: m.update({"bias_ih.npy": npy_header((-8,))}),
         r"bias_ih: unreadable: the header declares shape \(-8,\)"),
        (lambda m: m.update({"bias_ih.npy": m["bias_ih.npy"] + b"\0"}),
         r"bias_ih: unreadable: more data than the 96 bytes declared"),
    ],
)  # fmt: skip
def test_odd_members_are_refused_by_name(tmp_path: Path, cell: LSTMCell, change, message) -> None:
    members = weights_members(cell)
    change(members)
    with pytest.raises(WeightsError, match=message):
        lstm_engine.load(zip_of(tmp_path / "odd.npz", members))


def test_only_stored_and_deflated_members_are_read(tmp_path: Path, cell: LSTMCell) -> None:
    path = zip_of(tmp_path / "bz.npz", weights_members(cell), zipfile.ZIP_BZIP2)
    with pytest.raises(WeightsError, match="compressed with zip method 12; only stored and"):
        lstm_engine.load(path)
    stored = zip_of(tmp_path / "stored.npz", weights_members(cell), zipfile.ZIP_STORED)
    assert lstm_engine.load(stored) == cell


def test_a_member_twice_is_refused(tmp_path: Path, cell: LSTMCell) -> None:
    path = zip_of(tmp_path / "twice.npz", weights_members(cell))
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as archive:
        archive.writestr("bias_ih.npy", npy_bytes(np.ones(12)))
    with pytest.raises(WeightsError, match="bias_ih: appears twice"):
        lstm_engine.load(path)


def test_a_header_that_claims_to_be_huge_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "long.npy"
    path.write_bytes(np.lib.format.magic(2, 0) + struct.pack("<I", 2**31) + b"{")
    with pytest.raises(ArrayFileError, match=r"a header of 2147483648 bytes \(at most 10000\)"):
        read_npy(path, Limits(2**20, 2**20))


def test_the_total_of_an_npz_is_bounded_too(tmp_path: Path) -> None:
    members = {f"a{n}.npy": npy_bytes(np.zeros(10)) for n in range(3)}  # 80 bytes each
    path = zip_of(tmp_path / "three.npz", members)
    assert set(read_npz(path, Limits(array_bytes=80, total_bytes=240, members=3))) == {
        "a0", "a1", "a2",
    }  # fmt: skip
    with pytest.raises(ArrayFileError, match=r"more than the 200 bytes allowed in all \(a2 brings"):
        read_npz(path, Limits(array_bytes=80, total_bytes=200, members=3))


@pytest.mark.parametrize(
    "array",
    [
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        np.arange(6.0).reshape(2, 3).astype(">f8"),
        np.arange(4, dtype=np.int16),
        np.array("lstm"),
        np.zeros((0, 3)),
    ],
)
def test_arrays_read_back_exactly(tmp_path: Path, array: np.ndarray[Any, Any]) -> None:
    np.save(tmp_path / "a.npy", array)
    for version in ((1, 0), (2, 0), (3, 0)):
        with open(tmp_path / f"v{version[0]}.npy", "wb") as handle:
            np.lib.format.write_array(handle, array, version=version)
        got = read_npy(tmp_path / f"v{version[0]}.npy", Limits(2**20, 2**20))
        assert got.dtype == array.dtype and got.shape == array.shape
        assert np.array_equal(got, array)


# -- weights: messages and names ------------------------------------------------------------


def test_a_0d_weight_names_the_shape_in_letters(tmp_path: Path) -> None:
    from lstm_engine.cells import SLSTMCell

    params: dict[str, Any] = dict(SLSTMCell.init(2, 3, seed=1).params)
    params["W"] = np.array(1.5)
    np.savez(tmp_path / "s.npz", **params)
    with pytest.raises(WeightsError) as caught:
        lstm_engine.load(tmp_path / "s.npz")
    assert (
        str(caught.value) == f"{tmp_path / 's.npz'}: W: expected shape (4H, I), got a single number"
    )


@pytest.mark.parametrize(
    ("kind", "key", "value", "message"),
    [
        ("slstm", "R", np.zeros((2, 2, 2)), "R: expected shape (4H, H), got shape (2, 2, 2)"),
        ("mlstm", "b_i", np.zeros(3), "b_i: expected a single number, got shape (3,)"),
        ("mlstm", "w_i", np.zeros(5), "w_i: expected shape (2,) = (I,) (input size 2, "
         "hidden size 3), got (5,)"),
        ("lstm", "bias_ih", np.zeros(7), "bias_ih: expected shape (12,) = (4H,) (input size 2, "
         "hidden size 3), got (7,)"),
    ],
)  # fmt: skip
def test_shape_messages_say_the_shape_in_letters(kind: str, key: str, value, message) -> None:
    from lstm_engine.cells import cell_class

    cls = cell_class(kind)
    params = dict(cls.init(2, 3, seed=1).params)
    params[key] = value
    with pytest.raises(WeightsError) as caught:
        cls(params)
    assert str(caught.value) == message


def test_npz_in_capitals_loads(tmp_path: Path, cell: LSTMCell) -> None:
    lstm_engine.save(cell, tmp_path / "W.NPZ")
    assert lstm_engine.load(tmp_path / "W.NPZ") == cell
    (tmp_path / "X.NPY").write_bytes(npy_bytes(np.array([[1.0, 2.0]])))  # np.save adds .npy
    assert read_inputs_file(tmp_path / "X.NPY", 2).tolist() == [[1.0, 2.0]]


# -- CSV inputs ----------------------------------------------------------------------------


def test_a_bom_does_not_hide_the_first_value(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("\ufeff5\n1.9\n2\n", encoding="utf-8")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf5")
    table = read_inputs_table(path, 1)
    assert table.values.tolist() == [[5.0], [1.9], [2.0]] and table.names is None


def test_a_header_line_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("\ufeff x0 ,x1\n1,2\n3,4\n", encoding="utf-8")
    table = read_inputs_table(path)
    assert table.values.tolist() == [[1, 2], [3, 4]] and table.names == ("x0", "x1")


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        ("x0,5\n1,2\n", "line 1: 'x0' is not a number"),  # a number in it: not a header
        ("x0,\n1,2\n", "line 1: 'x0' is not a number"),  # an empty name: not a header
        ("a,b,c\n1,2\n", r"line 1 names 3 column\(s\) \(a, b, c\) but the steps have 2 value"),
        ("x0\n1\ny\n", "line 3: 'y' is not a number"),  # only the first line can be a header
        ("1,2\n3\n", r"step 2 has 1 value\(s\) but step 1 has 2"),
        ("x0,x1\n", "no line of numbers follows"),  # names and no steps
    ],
)
def test_header_like_lines_that_are_errors(tmp_path: Path, contents: str, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(contents)
    with pytest.raises(InputError, match=message):
        read_inputs_table(path)


def test_a_csv_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(MAX_CSV_BYTES + 1)  # sparse: nothing is written
    peak, _, raised = peak_while(lambda: read_inputs_file(path))
    assert isinstance(raised, InputError) and peak < FEW_MB
    assert str(raised) == (
        f"{path}: more than 32 MiB, the most a text inputs file may hold "
        "(save long sequences as .npy)"
    )


def test_the_cli_keeps_the_names_and_notes_the_skipped_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("speed,angle\n1,2\n3,4\n")
    args = build_parser().parse_args(["trace", "--inputs-file", str(path)])
    session = session_from_options(args)
    assert session.input_names == ("speed", "angle") and session.inputs.shape == (2, 2)
    assert session.notes == [f"skipped the header line of {path}: speed, angle"]
    err = io.StringIO()
    print_notes(session, err)
    assert err.getvalue() == f"lstm-engine: note: skipped the header line of {path}: speed, angle\n"


def test_no_header_no_names_no_notes(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("1,2\n3,4\n")
    session = session_from_options(build_parser().parse_args(["trace", "--inputs-file", str(path)]))
    assert session.input_names is None and session.notes == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1;2\n", "line 1: '1;2' is not a number"),
        ("1 2\n3 4\n", "line 1: '1 2' is not a number"),
        ("hello\n", "'hello' is not a number, and no line of numbers follows"),
    ],
)
def test_a_first_line_of_numbers_badly_separated_is_an_error_not_a_header(
    tmp_path: Path, text: str, message: str
) -> None:
    """A tester's one-line '1;2' was skipped as a header and read as an empty sequence."""
    path = tmp_path / "x.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=re.escape(message)):
        read_inputs_table(path)
