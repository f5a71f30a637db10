"""Input sequences from text and files: what is accepted and the error for what is not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lstm_engine import InputError, parse_inputs, read_inputs_file


@pytest.mark.parametrize(
    ("text", "size", "rows"),
    [
        ("5,1.9,2", None, [[5], [1.9], [2]]),
        ("5, 1.9 ,2", 1, [[5], [1.9], [2]]),
        ("1,2;3,4", None, [[1, 2], [3, 4]]),
        ("1,2;3,4;", 2, [[1, 2], [3, 4]]),
        ("1,2", 2, [[1, 2]]),
        ("-1e-3;2e2", 1, [[-0.001], [200]]),
    ],
)
def test_parse(text: str, size: int | None, rows: list[list[float]]) -> None:
    assert parse_inputs(text, size).tolist() == rows


@pytest.mark.parametrize(
    ("text", "size", "message"),
    [
        ("abc", None, "'abc' is not a number"),
        ("", None, "empty"),
        ("  ", None, "empty"),
        ("1,,2", None, "step 2: empty value"),
        ("nan", None, "not a finite number"),
        ("inf", None, "not a finite number"),
        ("1e400", None, "not a finite number"),
        ("1,2,3", 2, "separate steps with ';'"),
        ("1,2;3", None, "step 2 has 1 value"),
        ("1,2;3,4", 3, "needs 3 value"),
    ],
)
def test_parse_errors(text: str, size: int | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_inputs(text, size)


def test_csv_and_npy_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x0,x1\n1,2\n\n3,4\n")
    assert read_inputs_file(tmp_path / "a.csv").tolist() == [[1, 2], [3, 4]]
    np.save(tmp_path / "a.npy", np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert read_inputs_file(tmp_path / "a.npy", 2).tolist() == [[1, 2], [3, 4]]
    np.save(tmp_path / "flat.npy", np.array([5.0, 1.9, 2.0]))
    assert read_inputs_file(tmp_path / "flat.npy", 1).tolist() == [[5], [1.9], [2]]


@pytest.mark.parametrize(
    ("name", "contents", "message"),
    [
        ("a.csv", "1\nabc\n", "line 2: 'abc' is not a number"),
        ("a.csv", "5,abc\n", "line 1: 'abc' is not a number"),
        ("a.csv", "", "empty"),
        ("a.csv", "1,2\n3\n", "step 2 has 1 value"),
        ("a.csv", "1\nnan\n", "not a finite number"),
        ("a.csv", "1\n1e400\n", "not a finite number"),
        ("a.npy", "not numpy", "not an .npy array"),
        ("a.json", "[1]", "expected a .csv or .npy"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, contents: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(contents)
    with pytest.raises(InputError, match=message):
        read_inputs_file(path)


def test_bad_npy_arrays(tmp_path: Path) -> None:
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match=r"obj.npy: object arrays are not accepted \(they need"):
        read_inputs_file(tmp_path / "obj.npy")
    np.save(tmp_path / "nan.npy", np.array([[1.0], [np.nan]]))
    with pytest.raises(InputError, match="step 2: not a finite"):
        read_inputs_file(tmp_path / "nan.npy")
    np.save(tmp_path / "cube.npy", np.zeros((2, 2, 2)))
    with pytest.raises(InputError, match="one row per step"):
        read_inputs_file(tmp_path / "cube.npy")
    np.save(tmp_path / "wide.npy", np.zeros((2, 3)))
    with pytest.raises(InputError, match="needs 1 value"):
        read_inputs_file(tmp_path / "wide.npy", 1)
    with pytest.raises(InputError, match="no such file"):
        read_inputs_file(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("text", "size", "rows"),
    [
        ("5 1.9 2", None, [[5.0], [1.9], [2.0]]),
        ("5, 1.9 2,", 1, [[5.0], [1.9], [2.0]]),
        ("1 2; 3 4", 2, [[1.0, 2.0], [3.0, 4.0]]),
        ("1,2\n3,4\n", 2, [[1.0, 2.0], [3.0, 4.0]]),
        ("-2,1", 1, [[-2.0], [1.0]]),
    ],
)
def test_spaces_and_new_lines_separate_too(text: str, size: int | None, rows: list) -> None:
    assert parse_inputs(text, size).tolist() == rows


def test_two_commas_in_a_row_are_an_empty_value() -> None:
    with pytest.raises(InputError, match="step 2: empty value"):
        parse_inputs("5,,2")


@pytest.mark.parametrize(
    ("text", "message"),
    [("1,2", "has 2"), ("3;4", "has 2"), ("1 2", "has 2"), ("x", "'x' is not a number"),
     ("", "type a number"), ("nan", "'nan' is not a finite")],
)  # fmt: skip
def test_one_number_is_exactly_one(text: str, message: str) -> None:
    from lstm_engine.inputs import one_number

    with pytest.raises(InputError, match=message):
        one_number(text)
    assert one_number(" -1e3 ") == -1000.0
