"""Weight files: exact round trips, and one clear error for every kind of bad file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import lstm_engine
from lstm_engine import LSTMCell, WeightsError


@pytest.fixture
def cell() -> LSTMCell:
    return LSTMCell.init(3, 2, seed=11).with_params(bias_hh=np.arange(8) / 7)


def write(path: Path, **arrays: object) -> Path:
    np.savez(path, **arrays)
    return path


def test_round_trip_is_exact(tmp_path: Path, cell: LSTMCell) -> None:
    lstm_engine.save(cell, tmp_path / "w.npz")
    loaded = lstm_engine.load(tmp_path / "w.npz")
    assert isinstance(loaded, LSTMCell) and loaded == cell
    for key, value in cell.params.items():
        assert loaded.params[key].tobytes() == value.tobytes()


def test_save_replaces_the_file_whole(tmp_path: Path, cell: LSTMCell) -> None:
    target = tmp_path / "w.npz"
    target.write_text("old contents")
    lstm_engine.save(cell, target)
    assert lstm_engine.load(target) == cell
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]  # no temporary left behind


def test_weights_are_read_only(cell: LSTMCell) -> None:
    with pytest.raises(ValueError):
        cell.params["weight_ih"][0, 0] = 1.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.pop("bias_hh"), r"missing bias_hh"),
        (lambda p: p.update(extra=np.zeros(2)), r"unexpected extra"),
        (lambda p: p.update(bias_ih=np.zeros(7)), r"bias_ih: expected shape \(8,\)"),
        (lambda p: p.update(weight_hh=np.zeros((8, 3))), r"weight_hh: expected shape \(8, 2\)"),
        (lambda p: p.update(weight_ih=np.full((8, 3), np.nan)), r"weight_ih: contains NaN"),
        (lambda p: p.update(bias_ih=np.full(8, np.inf)), r"bias_ih: contains NaN or infinite"),
        (lambda p: p.update(bias_ih=np.array(["a"] * 8)), r"bias_ih: expected real numbers"),
        (lambda p: p.update(bias_ih=np.zeros(8, dtype=complex)), r"bias_ih: expected real"),
    ],
)
def test_bad_weights_name_the_key(tmp_path: Path, cell: LSTMCell, change, message) -> None:
    params = dict(cell.params)
    change(params)
    path = write(tmp_path / "bad.npz", **params)
    with pytest.raises(WeightsError, match=message):
        lstm_engine.load(path)


def test_object_arrays_are_refused_without_unpickling(tmp_path: Path, cell: LSTMCell) -> None:
    params = dict(cell.params)
    params["bias_ih"] = np.array([{"evil": 1}] * 8, dtype=object)
    path = write(tmp_path / "pickled.npz", **params)
    with pytest.raises(WeightsError, match="bias_ih: object arrays are not accepted"):
        lstm_engine.load(path)


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        (b"", "not an .npz"),
        (b"PK\x03\x04 broken zip", "not a readable .npz"),
        (b"hello, world", "not an .npz"),
    ],
)
def test_unreadable_files(tmp_path: Path, contents: bytes, message: str) -> None:
    path = tmp_path / "w.npz"
    path.write_bytes(contents)
    with pytest.raises(WeightsError, match=message):
        lstm_engine.load(path)


def test_missing_file_directory_and_npy(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="no such file"):
        lstm_engine.load(tmp_path / "absent.npz")
    with pytest.raises(WeightsError, match="directory"):
        lstm_engine.load(tmp_path)
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(WeightsError, match="single .npy array"):
        lstm_engine.load(tmp_path / "one.npy")


def test_integer_weights_are_accepted_as_float(tmp_path: Path, cell: LSTMCell) -> None:
    params = {k: np.rint(v * 10).astype(np.int64) for k, v in cell.params.items()}
    loaded = lstm_engine.load(write(tmp_path / "int.npz", **params))
    assert loaded.params["weight_ih"].dtype == np.float64


def test_files_carry_the_kind_and_format_version(tmp_path: Path, cell: LSTMCell) -> None:
    lstm_engine.save(cell, tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz", allow_pickle=False) as archive:
        assert str(archive["__kind__"]) == "lstm" and str(archive["__format__"]) == "1"
        assert archive["__kind__"].dtype.kind == "U" and archive["__kind__"].shape == ()


def test_the_stored_kind_wins_and_must_agree_with_the_one_asked(tmp_path: Path) -> None:
    from lstm_engine.cells import PeepholeLSTMCell

    cell = PeepholeLSTMCell.init(1, 2, 3)
    lstm_engine.save(cell, tmp_path / "p.npz")
    assert isinstance(lstm_engine.load(tmp_path / "p.npz"), PeepholeLSTMCell)
    with pytest.raises(WeightsError, match="holds peephole weights, not lstm"):
        lstm_engine.load(tmp_path / "p.npz", kind="lstm")


def test_newer_formats_and_unknown_kinds_are_refused(tmp_path: Path, cell: LSTMCell) -> None:
    arrays = {k: np.asarray(v) for k, v in cell.params.items()}
    write(tmp_path / "new.npz", **arrays, __kind__=np.array("lstm"), __format__=np.array("9"))
    with pytest.raises(WeightsError, match="format 9"):
        lstm_engine.load(tmp_path / "new.npz")
    write(tmp_path / "gru.npz", **arrays, __kind__=np.array("gru"))
    with pytest.raises(WeightsError, match="unknown cell kind 'gru'"):
        lstm_engine.load(tmp_path / "gru.npz")
    write(tmp_path / "odd.npz", **arrays, __kind__=np.arange(3))
    with pytest.raises(WeightsError, match="__kind__"):
        lstm_engine.load(tmp_path / "odd.npz")


def test_files_without_the_kind_load_by_keys_and_shapes(tmp_path: Path, cell: LSTMCell) -> None:
    write(tmp_path / "plain.npz", **{k: np.asarray(v) for k, v in cell.params.items()})
    assert lstm_engine.load(tmp_path / "plain.npz") == cell


def test_detection_tells_kinds_with_the_same_keys_apart_by_shape() -> None:
    from lstm_engine.cells.base import Cell
    from lstm_engine.cells.weights import detect

    class OneRowCell(LSTMCell):  # the keys of nn.LSTMCell with H rows, as nn.RNNCell has
        kind = "one-row"

        @classmethod
        def param_shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
            return {
                "weight_ih": (hidden_size, input_size),
                "weight_hh": (hidden_size, hidden_size),
                "bias_ih": (hidden_size,),
                "bias_hh": (hidden_size,),
            }

    kinds: list[type[Cell]] = [LSTMCell, OneRowCell]
    rnn_like = {"weight_ih": np.zeros((3, 2)), "weight_hh": np.zeros((3, 3)),
                "bias_ih": np.zeros(3), "bias_hh": np.zeros(3)}  # fmt: skip
    lstm_like = {k: np.zeros((12, *v.shape[1:])) for k, v in rnn_like.items()}
    assert detect(rnn_like, kinds) is OneRowCell
    assert detect(lstm_like, kinds) is LSTMCell
    assert detect(lstm_like, [OneRowCell, LSTMCell]) is LSTMCell


@pytest.mark.parametrize("kind", ["lstm", "rnn", "slstm"])
def test_a_model_keeps_its_readout_and_load_ignores_it(tmp_path: Path, kind: str) -> None:
    from lstm_engine.cells import cell_class
    from lstm_engine.files import load_model, save_model
    from lstm_engine.readout import Readout
    from lstm_engine.training import Model

    cell = cell_class(kind).init(2, 3, seed=1)
    model = Model(cell, Readout.init(3, 2, seed=5))
    save_model(model, tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    assert loaded.cell == cell and loaded.readout == model.readout
    assert lstm_engine.load(tmp_path / "m.npz") == cell
    # without the stored kind, the readout's keys do not confuse the detection
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        plain = {k: archive[k] for k in archive.files if not k.startswith("__")}
    assert "readout.weight" in plain
    assert load_model(write(tmp_path / "plain.npz", **plain)).cell == cell
    # a file without a readout gives None
    lstm_engine.save(cell, tmp_path / "bare.npz")
    assert load_model(tmp_path / "bare.npz").readout is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"readout.weight": np.zeros((1, 5))}, r"readout.weight: expected shape \(O, 2\)"),
        ({"readout.bias": np.zeros(3)}, r"readout.bias: expected shape \(1,\), got \(3,\)"),
        ({"readout.bias": None}, "readout.bias: missing"),
        ({"readout.weight": np.full((1, 2), np.nan)}, "readout.weight: contains NaN"),
        ({"readout.extra": np.zeros(1)}, "unexpected readout.extra"),
    ],
)
def test_bad_readouts_name_the_key(tmp_path: Path, cell: LSTMCell, change, message) -> None:
    from lstm_engine.files import load_model

    arrays = {k: np.asarray(v) for k, v in cell.params.items()}
    arrays.update({"readout.weight": np.ones((1, 2)), "readout.bias": np.zeros(1)})
    arrays.update(change)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    path = write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(WeightsError, match=message) as caught:
        load_model(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)
    with pytest.raises(WeightsError, match=message):
        lstm_engine.load(path)  # a bad readout is not ignored silently
