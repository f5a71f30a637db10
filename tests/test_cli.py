"""The headless CLI: formats, files, the plot, and one-line errors with exit status 2."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_engine.cli import UsageError, main
from lstm_engine.presets import PRESETS, listing

from reference import cases, expected, max_difference, weights
from tui_helpers import session as make_session

ORIGINAL_BLOCK_1 = """\
Step 1 | Input: 5
  Hidden (h): 0.1151 | Cell (c): 0.2494
  Forget gate (f): 0.4827 | Input gate (i): 0.6817
  Output gate (o): 0.4708 | Candidate (c_bar): 0.3659
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_is_the_original_printout(capsys) -> None:
    code, out, err = run(capsys, "trace")
    assert code == 0 and err == ""
    assert out.startswith(ORIGINAL_BLOCK_1 + "-" * 80 + "\n")
    assert "Step 2 | Input: 1.9\n  Hidden (h): 0.1042 | Cell (c): 0.2167" in out
    assert out.endswith("Output gate (o): 0.4877 | Candidate (c_bar): 0.1683\n")
    assert run(capsys, "trace", "--preset", "seed")[1] == out


def test_the_code_sequence_of_the_original(capsys) -> None:
    out = run(capsys, "trace", "--inputs", "5,1,9,2")[1]
    assert "Step 3 | Input: 9\n  Hidden (h): 0.2294 | Cell (c): 0.5670" in out
    assert "Step 4 | Input: 2\n  Hidden (h): 0.1808 | Cell (c): 0.3898" in out


def test_one_block_per_unit(capsys) -> None:
    out = run(capsys, "trace", "--hidden-size", "3", "--inputs", "1;2")[1]
    assert out.count("  Unit ") == 6
    assert out.splitlines()[1:3] == ["  Unit 0", out.splitlines()[2]]
    assert out.splitlines()[2].startswith("    Hidden (h): ")


@pytest.mark.parametrize("name", cases("lstm"))
def test_json_matches_the_reference_key_by_key(tmp_path: Path, capsys, name: str) -> None:
    want = expected(name)
    inputs = tmp_path / "inputs.csv"
    inputs.write_text("\n".join(",".join(repr(v) for v in row) for row in want["inputs"]))
    code, out, _ = run(
        capsys, "trace", "--weights", str(weights(name)), "--inputs-file", str(inputs),
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    got = json.loads(out)
    assert set(got) == set(want)
    assert (got["cell"], got["input_size"], got["hidden_size"]) == (
        want["cell"], want["input_size"], want["hidden_size"],
    )  # fmt: skip
    difference, where = max_difference(got["steps"], want["steps"])
    assert difference <= 1e-12, where
    assert got["inputs"] == want["inputs"]


def test_csv_has_a_column_per_number(capsys) -> None:
    out = run(capsys, "trace", "--format", "csv", "--hidden-size", "2", "--inputs", "1,2;3,4")[1]
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:5] == ["t", "x[0]", "x[1]", "h[0]", "h[1]"]
    assert "candidate[1]" in rows[0] and len(rows) == 3
    json_out = json.loads(
        run(capsys, "trace", "--format", "json", "--hidden-size", "2", "--inputs", "1,2;3,4")[1]
    )
    assert float(rows[2][rows[0].index("c[1]")]) == json_out["steps"][1]["c"][1]


def test_output_file_is_written_whole(tmp_path: Path, capsys) -> None:
    target = tmp_path / "trace.json"
    target.write_text("old")
    code, out, _ = run(capsys, "trace", "--format", "json", "--output", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["steps"][2]["t"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trace.json"]


def test_output_into_a_missing_directory_fails_cleanly(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "trace", "--output", str(tmp_path / "no" / "t.txt"))
    assert code == 2 and out == "" and err.startswith("lstm-engine: error: cannot write")


def test_plot_draws_h_and_c_like_the_original(capsys) -> None:
    code, out, _ = run(capsys, "trace", "--plot")
    assert code == 0
    plot = out.split("Candidate (c_bar): 0.1683\n", 1)[1]
    for text in (
        "Hidden and Cell States Over Time", "Time Step", "State Value",
        "Hidden State (h)", "Cell State (c)",
    ):  # fmt: skip
        assert text in plot
    assert "\x1b[" not in plot  # not a terminal: no colour codes
    assert "oo Hidden State (h)" in plot and "xx Cell State (c)" in plot  # distinct markers


def test_plot_keeps_json_on_stdout_clean(capsys) -> None:
    code, out, err = run(capsys, "trace", "--format", "json", "--plot")
    assert code == 0 and json.loads(out)["cell"] == "lstm"
    assert "Hidden and Cell States Over Time" in err


def test_inputs_from_npy_and_seeded_sizes(tmp_path: Path, capsys) -> None:
    np.save(tmp_path / "x.npy", np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    out = run(capsys, "trace", "--inputs-file", str(tmp_path / "x.npy"), "--format", "json")[1]
    got = json.loads(out)
    assert (got["input_size"], got["hidden_size"], len(got["steps"])) == (2, 1, 3)


def test_weights_fix_the_sizes(capsys) -> None:
    path = str(weights("lstm_i2_h3_t10"))
    code, _, err = run(capsys, "trace", "--weights", path, "--hidden-size", "4", "--inputs", "1,2")
    assert code == 2 and "--hidden-size 4 does not match the weights file (3)" in err
    code, _, err = run(capsys, "trace", "--weights", path, "--seed", "1")
    assert code == 2 and "exclude each other" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--inputs", "abc"], "'abc' is not a number"),
        (["--inputs", ""], "empty"),
        (["--inputs", "nan"], "not a finite number"),
        (["--inputs", "inf"], "not a finite number"),
        (["--inputs", "1e400"], "not a finite number"),
        (["--input-size", "2", "--inputs", "1,2,3"], "needs 2 values"),
        (["--inputs", "1,2;3"], "step 2 has 1 value"),
        (["--inputs-file", "/nonexistent/x.csv"], "no such file"),
        (["--weights", "/nonexistent/w.npz"], "no such file"),
        (["--seed", "x"], "--seed: 'x' is not a whole number"),
        (["--seed", "-1"], "--seed: -1 is outside"),
        (["--hidden-size", "0"], "--hidden-size: 0 is outside"),
        (["--format", "xml"], "invalid choice"),
        (["--cell", "gru"], "invalid choice"),
        (["--inputs", "1", "--inputs-file", "x.csv"], "not allowed with"),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "trace", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("lstm-engine: error: ")
    assert message in err


# -- presets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["lstm-engine", "lstm-stepper"])
def test_preset_list_prints_every_preset_and_exits_0(capsys, command: str) -> None:
    from tui.app import make_app

    with pytest.raises(SystemExit) as stop:
        if command == "lstm-engine":
            main(["trace", "--preset", "list"])
        else:
            make_app(["--preset", "list"])
    out, err = capsys.readouterr()
    assert stop.value.code in (0, None) and err == ""
    assert out == listing() + "\n"
    assert all(f"{name} (" in out for name in PRESETS)


def test_an_unknown_preset_is_one_line_that_lists_the_names(capsys) -> None:
    code, out, err = run(capsys, "trace", "--preset", "remembr")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "no preset 'remembr'" in err and ", ".join(PRESETS) in err and "list" in err


@pytest.mark.parametrize(
    "option",
    [
        ["--seed", "7"],
        ["--weights", "w.npz"],
        ["--cell", "lstm"],
        ["--input-size", "1"],
        ["--hidden-size", "1"],
        ["--task", "adding"],
    ],
)
def test_a_hand_set_preset_conflicts_with_what_it_sets(capsys, option: list[str]) -> None:
    from tui.app import make_app

    code, out, err = run(capsys, "trace", "--preset", "remember", *option)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("lstm-engine: error: --preset remember ")
    assert f"leave out {option[0]}" in err
    with pytest.raises(UsageError, match=f"leave out {option[0]}"):
        make_app(["--preset", "remember", *option])


def test_the_seed_preset_takes_the_model_options(capsys) -> None:
    code, out, err = run(capsys, "trace", "--preset", "seed", "--cell", "peephole", "--seed", "7")
    assert (code, err) == (0, "")
    assert out == run(capsys, "trace", "--cell", "peephole", "--seed", "7")[1]


def test_a_preset_traces_its_own_cell_and_inputs(capsys) -> None:
    code, out, _ = run(capsys, "trace", "--preset", "write-read", "--format", "json")
    cell, inputs = PRESETS["write-read"].build()
    got = json.loads(out)
    assert code == 0 and (got["cell"], got["input_size"]) == ("lstm", 3)
    assert got["inputs"] == inputs.tolist()
    session = make_session("--preset", "write-read")
    assert session.cell == cell and session.origin == "preset write-read"
    assert session.input_names == ("value", "write", "read")


def test_inputs_replace_a_preset_s_inputs_of_its_width(tmp_path: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "trace", "--preset", "write-read", "--inputs", "0.5,1,0;0,0,1", "--format", "json"
    )
    assert code == 0 and json.loads(out)["inputs"] == [[0.5, 1, 0], [0, 0, 1]]
    path = tmp_path / "x.csv"
    path.write_text("v,w,r\n0.5,1,0\n0,0,1\n")
    session = make_session("--preset", "write-read", "--inputs-file", str(path))
    assert session.inputs.tolist() == [[0.5, 1, 0], [0, 0, 1]]
    assert session.input_names == ("v", "w", "r")  # the file's names
    code, out, err = run(capsys, "trace", "--preset", "write-read", "--inputs", "1,2;3,4")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "--preset write-read takes 3 input(s) a step (value, write, read)" in err


@pytest.mark.parametrize("name", ["write-read", "mlstm"])
@pytest.mark.parametrize("given", ["1,2", "1,2;3,4"])
def test_a_preset_s_width_error_gives_an_example_that_works(capsys, name: str, given: str) -> None:
    code, _, err = run(capsys, "trace", "--preset", name, "--inputs", given)
    assert code == 2 and "1,2;3,4" not in err
    example = re.findall(r'"([^"]+)"', err)[-1]  # the example it suggests, as typed
    code, out, err = run(capsys, "trace", "--preset", name, "--inputs", example, "--format", "json")
    assert code == 0 and err == "", err
    assert len(json.loads(out)["inputs"][0]) == PRESETS[name].input_size


@pytest.mark.parametrize("option", [["--inputs", "1"], ["--cell", "rnn"], ["--hidden-size", "2"]])
def test_preset_list_refuses_what_it_would_ignore(capsys, option: list[str]) -> None:
    code, out, err = run(capsys, "trace", "--preset", "list", *option)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"--preset list lists the presets and opens none: leave out {option[0]}" in err


@pytest.mark.parametrize("command", ["lstm-engine", "lstm-stepper"])
def test_preset_list_into_a_pipe_closed_early_ends_quietly(command: str) -> None:
    # | head -1: the reader goes after one line; no BrokenPipeError traceback, exit 0
    argv = [command, *(["trace"] if command == "lstm-engine" else []), "--preset", "list"]
    for _ in range(3):
        writer = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert writer.stdout is not None
        writer.stdout.close()  # gone before the listing is written: its write fails
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0 and b"Traceback" not in err, err.decode()


@pytest.mark.parametrize("contents", ["1\nabc\n", "", "1,2\n3\n", "1\nnan\n"])
def test_bad_input_files(tmp_path: Path, capsys, contents: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(contents)
    code, out, err = run(capsys, "trace", "--inputs-file", str(path))
    assert code == 2 and out == "" and err.count("\n") == 1


def test_malformed_weight_files(tmp_path: Path, capsys) -> None:
    (tmp_path / "w.npz").write_bytes(b"PK\x03\x04garbage")
    code, _, err = run(capsys, "trace", "--weights", str(tmp_path / "w.npz"))
    assert code == 2 and err.count("\n") == 1 and "w.npz" in err


def test_module_entry_point_exit_status_and_no_traceback() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "lstm_engine", "trace"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and ok.stdout.startswith("Step 1 | Input: 5")
    bad = subprocess.run(
        [sys.executable, "-m", "lstm_engine", "trace", "--inputs", "1,x"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr == "lstm-engine: error: step 2: 'x' is not a number\n"


@pytest.mark.parametrize("inputs", ["-2,1", "-2 1", "-.5", "-2"])
def test_inputs_may_begin_with_a_minus(capsys, inputs: str) -> None:
    code, out, err = run(capsys, "trace", "--inputs", inputs, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["inputs"][0][0] < 0


def test_the_dashboard_takes_the_same_negative_inputs() -> None:
    from tui.app import make_app

    app = make_app(["--inputs", "-2,1"])
    assert app.stepper.frame.inputs.tolist() == [[-2.0], [1.0]]


def test_an_option_is_still_an_option_after_a_value_option(capsys) -> None:
    code, _, err = run(capsys, "trace", "--inputs", "--format")
    assert code == 2 and "expected one argument" in err


def test_the_plot_keeps_a_one_step_spike_among_10000_steps(tmp_path: Path, capsys) -> None:
    values = np.zeros(10_000)
    values[6_543] = 8.0  # lifts c to about 0.42 for one step; elsewhere |c| stays tiny
    np.savetxt(tmp_path / "x.csv", values)
    code, out, _ = run(capsys, "trace", "--inputs-file", str(tmp_path / "x.csv"), "--plot")
    assert code == 0
    plot = out.split("Hidden and Cell States Over Time", 1)[1].splitlines()
    canvas = [
        line.split("│" if "│" in line else "┤", 1)[1] for line in plot if "│" in line or "┤" in line
    ]
    canvas = [row for row in canvas if "State (" not in row]  # the legend's rows
    spike_columns = {
        k for row in canvas[: len(canvas) // 2] for k, ch in enumerate(row) if ch == "x"
    }
    assert spike_columns and len(spike_columns) <= 2  # one column, its c reaches the top half
    assert max(spike_columns) / len(canvas[0]) == pytest.approx(6_543 / 10_000, abs=0.03)


def test_the_output_s_suffix_picks_the_format_unless_given(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A tester's `--output t.json` wrote the table into a .json file."""
    import json as json_module

    from lstm_engine.cli import main

    assert main(["trace", "--output", str(tmp_path / "t.json")]) == 0
    assert json_module.loads((tmp_path / "t.json").read_text())["cell"] == "lstm"
    assert main(["trace", "--output", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").read_text().startswith("t,x[0],h[0]")
    assert main(["trace", "--output", str(tmp_path / "t.txt")]) == 0
    assert (tmp_path / "t.txt").read_text().startswith("Step 1 | Input: 5")
    assert main(["trace", "--format", "csv", "--output", str(tmp_path / "x.json")]) == 0
    assert (tmp_path / "x.json").read_text().startswith("t,x[0]")
    assert main(["trace", "--output", ""]) == 2
    assert "give a file name" in capsys.readouterr().err


def test_train_writes_the_weights_with_a_readout_and_the_report(tmp_path: Path, capsys) -> None:
    from lstm_engine.files import load_model

    out, report = tmp_path / "w.npz", tmp_path / "r.json"
    code, stdout, stderr = run(
        capsys, "train", "--task", "remember", "--length", "5", "--hidden-size", "4",
        "--seed", "3", "--updates", "150", "--out", str(out), "--report", str(report),
    )  # fmt: skip
    assert code == 0
    facts = json.loads(report.read_text())
    assert facts["task"] == "remember" and facts["cell"] == "lstm" and facts["seed"] == 3
    assert facts["hidden_size"] == 4 and facts["length"] == 5 and facts["updates"] == 150
    assert facts["best_loss"] < facts["baseline_loss"] / 10
    assert facts["best_loss"] <= facts["final_loss"] and facts["seconds"] > 0
    assert facts["objective"] == "xent" and facts["out"] == str(out)
    assert facts["forget_bias"] == 1.0 and facts["diverged"] is None
    assert facts["config"]["momentum"] is None  # Adam has none
    assert facts["best_update"] in [row[0] for row in facts["history"]]
    model = load_model(out)
    assert model.readout is not None and model.readout.weight.shape == (2, 4)
    assert (
        "baseline 0.693147" in stdout
        and f"saved the best weights and the readout to {out}" in stdout
    )
    # not a terminal: plain lines, the start's, the first evaluation's and the last's
    # (LOG_EVERY apart)
    start, *lines = stderr.splitlines()
    assert start == (
        "lstm-engine: training lstm H=4 on remember T=5: held-out loss against the baseline "
        "0.6931; evaluating the start"
    )
    assert len(lines) == 2 and "update 0/150" in lines[0] and "update 150/150" in lines[1]
    # again over the same file: replaced, and said so
    code, stdout, _ = run(
        capsys, "train", "--task", "remember", "--length", "5", "--updates", "1",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0 and f"replaced {out} with the best weights" in stdout
    assert load_model(out).cell.hidden_size == 8


def test_train_out_gets_npz_or_is_refused(tmp_path: Path, capsys) -> None:
    code, stdout, _ = run(
        capsys, "train", "--task", "adding", "--length", "3", "--updates", "1",
        "--out", str(tmp_path / "plain"),
    )  # fmt: skip
    assert code == 0 and f"to {tmp_path / 'plain.npz'}" in stdout
    assert [p.name for p in tmp_path.iterdir()] == ["plain.npz"]
    code, _, err = run(capsys, "train", "--task", "adding", "--out", str(tmp_path / "w.txt"))
    assert code == 2 and "must end in .npz" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--updates", "5", "--time-limit", "3"], "not allowed with argument --updates"),
        (["--updates", "0"], "0 is outside 1.."),
        (["--lr", "-1"], "must be above 0"),
        (["--lr", "inf"], "not a finite number"),
        (["--batch-size", "x"], "not a whole number"),
        (["--cell", "rnn", "--forget-bias", "3"], "no forget gate"),
        (["--length", "1"], "1 is outside 2..10000"),
        (["--length", "10001"], "10001 is outside 2..10000"),
        (["--report", "r.txt"], "--report r.txt: the file name must end in .json"),
        (["--clip", "-1"], "at least 0"),
        (["--momentum", "0.5"], "--momentum is SGD's; adam has none"),
        (["--forget-bias", "1e300"], "within ±100"),
    ],
)
def test_train_usage_errors_are_one_line(tmp_path: Path, capsys, argv, message) -> None:
    out = tmp_path / "w.npz"
    code, _, err = run(capsys, "train", "--task", "adding", "--out", str(out), *argv)
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()


def test_a_task_example_has_the_same_length_range_for_both_commands(capsys) -> None:
    """lstm-stepper's --length (the model options, shared with trace) and train's."""
    for command in (["trace", "--task", "adding"], ["train", "--task", "adding", "--out", "w"]):
        for length in ("1", "10001"):
            code, _, err = run(capsys, *command, "--length", length)
            assert code == 2 and f"{length} is outside 2..10000" in err, err


def test_train_needs_a_task_and_a_writable_out(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "train", "--out", str(tmp_path / "w.npz"))
    assert code == 2 and "--task" in err
    code, _, err = run(capsys, "train", "--task", "adding")
    assert code == 2 and "--out" in err
    code, _, err = run(capsys, "train", "--task", "adding", "--out", str(tmp_path))
    assert code == 2 and "directory" in err


def test_ctrl_c_stops_training_and_saves_the_best_weights(tmp_path: Path) -> None:
    import signal
    import time

    from lstm_engine.files import load_model

    out, report = tmp_path / "w.npz", tmp_path / "r.json"
    child = subprocess.Popen(
        [sys.executable, "-m", "lstm_engine", "train", "--task", "adding", "--length", "20",
         "--time-limit", "120", "--out", str(out), "--report", str(report)],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stderr is not None
        assert "evaluating the start" in child.stderr.readline()
        first = child.stderr.readline()  # the evaluation before the first update
        assert "update 0" in first
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=60)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 130, stderr
    assert "stopped by Ctrl-C" in stdout
    facts = json.loads(report.read_text())
    assert facts["stopped"] is True and facts["updates"] > 0
    assert load_model(out).readout is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "w.npz"]


def test_train_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    from lstm_engine.cli import build_parser, run_train

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    args = build_parser().parse_args(
        ["train", "--task", "remember", "--length", "4", "--hidden-size", "2",
         "--updates", "120", "--out", str(tmp_path / "w.npz")]
    )  # fmt: skip
    stdout, stderr = io.StringIO(), Terminal()
    assert run_train(args, stdout, stderr) == 0
    shown = stderr.getvalue()
    assert "training lstm H=2 on remember T=4" in shown and "baseline 0.6931" in shown
    assert "120 updates" in shown and "best held-out" in shown
    assert "\x1b[" in shown  # drawn with terminal codes, not plain lines
    assert "ETA" in shown  # the time left says what it is
    assert "lstm-engine: update" not in shown


def test_sgd_takes_a_momentum(tmp_path: Path, capsys) -> None:
    argv = ["train", "--task", "adding", "--length", "3", "--updates", "2", "--optimiser", "sgd"]
    report = tmp_path / "r.json"
    code, _, _ = run(
        capsys, *argv, "--momentum", "0.5", "--out", str(tmp_path / "w"), "--report", str(report)
    )
    assert code == 0 and json.loads(report.read_text())["config"]["momentum"] == 0.5


def test_a_diverging_run_exits_1_in_one_line_and_keeps_its_best_weights(
    tmp_path: Path, capsys
) -> None:
    out = tmp_path / "w.npz"
    code, stdout, err = run(
        capsys, "train", "--task", "adding", "--length", "10", "--lr", "1e300",
        "--updates", "50", "--out", str(out),
    )  # fmt: skip
    problems = [line for line in err.splitlines() if "error" in line]
    assert code == 1 and len(problems) == 1, err
    assert problems[0].startswith("lstm-engine: error: training diverged after")
    assert "the untrained ones (update 0)" in problems[0]
    assert "Warning" not in err and "final diverged" in stdout
    assert load_model_of(out).readout is not None


def load_model_of(path: Path):  # type: ignore[no-untyped-def]
    from lstm_engine.files import load_model

    return load_model(path)


def train_child(tmp_path: Path, *extra: str, **popen) -> subprocess.Popen:  # type: ignore[type-arg, no-untyped-def]
    """``lstm-engine train`` on the adding problem at T = 20 in a child process, its
    weights and report into tmp_path."""
    return subprocess.Popen(
        [sys.executable, "-m", "lstm_engine", "train", "--task", "adding", "--length", "20",
         "--out", str(tmp_path / "w.npz"), "--report", str(tmp_path / "r.json"), *extra],
        **popen,
    )  # fmt: skip


def test_a_closed_output_pipe_stops_the_printing_not_the_run(tmp_path: Path) -> None:
    """`lstm-engine train ... 2>&1 | head -1`: the reader goes after one line; the run
    still trains to its budget, saves, and exits 0 (no 'Exception ignored' exit 120)."""
    child = train_child(
        tmp_path, "--updates", "400", stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        assert child.stdout is not None
        assert b"evaluating the start" in child.stdout.readline()
        assert b"update 0/400" in child.stdout.readline()
        child.stdout.close()  # head exits
        assert child.wait(timeout=120) == 0
    finally:
        child.kill()
        child.wait()
    facts = json.loads((tmp_path / "r.json").read_text())
    assert facts["updates"] == 400 and facts["stopped"] is False
    assert load_model_of(tmp_path / "w.npz").readout is not None
    # stdout gone from the start, stderr kept: nothing but progress lines on it
    log = tmp_path / "err.log"
    with open(log, "w") as err:
        child = train_child(tmp_path, "--updates", "5", stdout=subprocess.PIPE, stderr=err)
        assert child.stdout is not None
        child.stdout.close()
        assert child.wait(timeout=120) == 0
    start, *lines = log.read_text().splitlines()
    assert start.startswith("lstm-engine: training lstm H=8 on adding T=20"), start
    assert lines and all(line.startswith("lstm-engine: update") for line in lines), lines


def test_ctrl_c_with_the_output_piped_through_a_reader_that_dies_too(tmp_path: Path) -> None:
    """`lstm-engine train ... 2>&1 | cat` in a terminal, then Ctrl-C: the signal reaches
    both, cat dies, and the run must still save its best weights and exit 130."""
    import signal

    child = train_child(
        tmp_path, "--time-limit", "120", stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        assert child.stdout is not None
        assert b"evaluating the start" in child.stdout.readline()
        assert b"update 0" in child.stdout.readline()
        child.stdout.close()  # cat is gone ...
        child.send_signal(signal.SIGINT)  # ... by the same Ctrl-C
        assert child.wait(timeout=60) == 130
    finally:
        child.kill()
        child.wait()
    facts = json.loads((tmp_path / "r.json").read_text())
    assert facts["stopped"] is True and facts["out"] == str(tmp_path / "w.npz")
    assert load_model_of(tmp_path / "w.npz").readout is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "w.npz"]


def test_streams_that_break_mid_run_lose_the_text_not_the_weights(tmp_path: Path) -> None:
    from lstm_engine.cli import build_parser, run_train

    class Broken(io.StringIO):
        def __init__(self, lines: int) -> None:
            super().__init__()
            self.lines = lines

        def write(self, text: str) -> int:
            if self.lines <= 0:
                raise BrokenPipeError(32, "Broken pipe")
            self.lines -= text.count("\n")
            return super().write(text)

    out = tmp_path / "w.npz"
    args = build_parser().parse_args(
        ["train", "--task", "remember", "--length", "4", "--updates", "150", "--out", str(out)]
    )
    stdout, stderr = Broken(0), Broken(2)
    assert run_train(args, stdout, stderr) == 0
    assert stderr.getvalue().splitlines()[1].startswith("lstm-engine: update 0/150")
    assert stdout.getvalue() == "" and stderr.getvalue().count("\n") == 2
    assert load_model_of(out).cell.hidden_size == 8


def test_stop_signals_stop_once_interrupt_twice_and_are_held_while_saving() -> None:
    import signal

    from lstm_engine.cli import _Stop

    stop = _Stop()
    assert not stop.asked()
    stop.on_signal(signal.SIGTERM, None)
    assert stop.asked() and stop.signum == signal.SIGTERM
    with pytest.raises(KeyboardInterrupt):
        stop.on_signal(signal.SIGINT, None)
    stop.hold()
    stop.on_signal(signal.SIGINT, None)  # saving: only noted
    assert stop.signum == signal.SIGTERM  # the first one gives the exit status


def test_two_ctrl_c_during_the_first_evaluation_save_the_initial_weights(
    tmp_path: Path,
) -> None:
    """A slow start (the sLSTM at H = 256, T = 1000: seconds to evaluate): the first
    Ctrl-C is acknowledged at once, the second stops at once, and the initial weights are
    saved, without a held-out loss."""
    import signal

    child = subprocess.Popen(
        [sys.executable, "-m", "lstm_engine", "train", "--task", "adding", "--cell", "slstm",
         "--hidden-size", "256", "--length", "1000", "--time-limit", "120",
         "--out", str(tmp_path / "w.npz"), "--report", str(tmp_path / "r")],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stderr is not None
        assert "evaluating the start" in child.stderr.readline()
        child.send_signal(signal.SIGINT)
        assert "Ctrl-C: stopping after this update; Ctrl-C again" in child.stderr.readline()
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 130, stderr
    assert "0 updates" in stdout and "not measured" in stdout
    assert "saved the untrained weights (update 0, without a held-out loss)" in stdout
    facts = json.loads((tmp_path / "r.json").read_text())  # .json added to the name
    assert facts["updates"] == 0 and facts["stopped"] is True
    assert facts["start_loss"] is facts["best_loss"] is facts["final_loss"] is None
    model = load_model_of(tmp_path / "w.npz")
    assert model.cell.kind == "slstm" and model.cell.hidden_size == 256


def test_stopped_before_the_first_update_saves_the_untrained_weights(
    tmp_path: Path, capsys
) -> None:
    """SIGTERM after the start's evaluation (the first progress report): the untrained
    weights are the best, and the summary says so."""
    import os
    import signal

    import lstm_engine.cli as cli

    real_train = cli.train

    def train(config, on_progress, should_stop, trainer):  # type: ignore[no-untyped-def]
        def report(progress):  # type: ignore[no-untyped-def]
            on_progress(progress)
            if progress.updates == 0:
                os.kill(os.getpid(), signal.SIGTERM)

        return real_train(config, report, should_stop, trainer)

    cli.train = train
    try:
        code, out, err = run(
            capsys, "train", "--task", "adding", "--length", "5", "--updates", "50",
            "--optimiser", "sgd", "--out", str(tmp_path / "w"), "--report", str(tmp_path / "r"),
        )  # fmt: skip
    finally:
        cli.train = real_train
    assert code == 128 + signal.SIGTERM, err
    assert "SIGTERM: stopping after this update" in err
    assert "saved the untrained weights (update 0) and the readout" in out
    facts = json.loads((tmp_path / "r.json").read_text())
    assert facts["updates"] == 0 and facts["best_loss"] == facts["start_loss"] > 0
    assert facts["config"]["momentum"] == 0.9  # SGD's default, as used
    assert load_model_of(tmp_path / "w.npz").readout is not None
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back


def test_the_bar_shows_the_phase_before_the_first_update() -> None:
    """A slow start (seconds at T = 1000) must not look dead: 'evaluating the start', then
    'first update' with the start's loss, then the counts."""
    from lstm_engine.cli import Guarded, _progress_shown, _Stop
    from lstm_engine.training import Progress, TrainConfig

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen, stop = Terminal(), _Stop()
    config = TrainConfig("adding", updates=10)
    with _progress_shown(config, Guarded(screen), stop) as show:
        assert "evaluating the start" in screen.getvalue()
        show(Progress(0, 1.0, float("nan"), 0.5, 0.5, 1 / 6))
        assert "first update…  start held-out 0.5" in screen.getvalue()
        assert stop.notice is not None
        stop.notice("Ctrl-C: stopping after this update")
        assert "lstm-engine: Ctrl-C: stopping after this update" in screen.getvalue()
        show(Progress(3, 2.0, 0.25, None, 0.5, 1 / 6))
        assert "3 updates" in screen.getvalue()
