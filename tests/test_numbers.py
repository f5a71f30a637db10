"""Numbers as the screen writes them: 4 decimals from 1e-4 to 1e4, scientific outside."""

from __future__ import annotations

import pytest

from lstm_engine.numbers import fit, number, plain, short, signed_sum, table_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.0000"),
        (-0.0, "0.0000"),
        (0.48272, "0.4827"),
        (-0.0691, "-0.0691"),
        (1e-4, "0.0001"),
        (9.9e-5, "9.90e-05"),
        (-3e-7, "-3.00e-07"),
        (1234.5678, "1234.5678"),
        (9999.99999, "1.00e+04"),  # rounds up to 1e4: scientific, not "10000.0000"
        (12345.0, "1.23e+04"),
        (1e300, "1.0e+300"),
        (-1e300, "-1.0e+300"),
        (float("inf"), ">1.8e308"),
        (float("-inf"), "<-1.8e308"),
        (float("nan"), "nan"),
    ],
)
def test_number(value: float, text: str) -> None:
    assert number(value) == text


def test_numbers_stay_about_8_characters() -> None:
    for exponent in range(-320, 309):
        for mantissa in (1.0, -9.99):
            assert len(number(mantissa * 10.0**exponent)) <= 10


def test_table_keeps_the_original_4_decimals_below_1e4() -> None:
    assert table_number(3e-7) == "0.0000"  # the original printed small values this way
    assert table_number(0.115056) == "0.1151"
    assert table_number(2e5) == "2.00e+05"


def test_fit_narrows_a_number_without_cutting_it() -> None:
    assert fit(-0.0691, 9) == "-0.0691"
    assert fit(-0.0691, 5) == "-0.07"
    assert fit(123456.0, 7) == "1.2e+05"
    assert fit(2.3025, 5) == "2.303"


def test_signed_sum_reads_naturally() -> None:
    assert signed_sum(["0.0497*0.0000", "-0.0138*5.0000", "0.0000"]) == (
        "0.0497*0.0000 - 0.0138*5.0000 + 0.0000"
    )
    assert signed_sum(["-0.1", "-0.2"]) == "-0.1 - 0.2"


def test_plain_inputs() -> None:
    assert [plain(v) for v in (5.0, 1.9, -0.25, 1e300)] == ["5", "1.9", "-0.25", "1e+300"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(5.0, "5"), (1.9, "1.9"), (-0.25, "-0.25"), (0.1423717298, "0.1424"),
     (9.999888672e-321, "1.0e-320"), (123456789.0, "1.23e+08")],
)  # fmt: skip
def test_the_x_strip_writes_inputs_short(value: float, text: str) -> None:
    assert short(value) == text
