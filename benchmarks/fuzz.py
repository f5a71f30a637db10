"""A seeded fuzz of the dashboard through Textual's Pilot: every screen and dialog.

For each configuration (a command line: every cell kind, H from 1 to 5, I from 1 to 3,
sequences of 3 to 50 steps and two of 5,000), the app is started headless and sent
seeded random actions, chosen from what the screen on top takes:

* ``binding``: any key bound now (``app.active_bindings``: the screen's keys of
  ``tui/keys.py``, the focused widget's, the app's), but the quit keys;
* ``char``: a printable character (ASCII and a few others; ``q`` only into a field);
* ``number``: a digit, ``-``, ``.`` or ``e`` (live input at the end of the sequence);
* ``special``: enter, escape, tab, arrows, ctrl+p (the palette), ctrl+c, ...;
* ``paste``: a paste of a short or long string (numbers, sequences, junk, NUL, newlines);
* ``type``: a file name or a number typed into the focused field (``x.csv``, ``w.npz``,
  ``~nosuchuser/a``, ``inputs.csv``, ``long.npy``, junk), often followed by enter;
* ``resize``: a terminal size between 20x6 and 250x80 (the corners among them);
* ``quit``: rarely, q or ctrl+q; the app is then started again (a new episode).

After every action the app is checked for an exception (Textual exits on one; the
seed, the configuration, the key history and the traceback are recorded) and for a hang
(an action that does not finish in ``TIMEOUT`` seconds). Every ``CHECK_EVERY`` keys and
at the end of each episode the numbers are checked: dialogs are closed (escape) until
a stepping screen is on top, then the header must end in ``step t / T`` of the
controller's frame, every state panel's h row must show the engine's h of the selected
unit (before and after, formatted with ``lstm_engine.numbers.fit`` as the panel does),
and each lane's record must be its session's current one.

The fuzz runs in a temporary folder (HOME too), so that typed file names land there;
before every action a field whose value would name a file outside it is cut back to a
name inside it. Prints a JSON summary: keys by kind, configurations, sizes, screens
seen, checks, exceptions, hangs, mismatches and the time. ``--failures FILE`` writes
each failure's whole history, for ``replay``.

    python benchmarks/fuzz.py --keys 10000 --seed 1
    python benchmarks/fuzz.py --keys 600 --configs lstm-h1-i1,slstm-h5-i1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import string
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from textual import events
from textual._wait import wait_for_idle
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.widgets import Input

from lstm_engine.numbers import fit
from tui.app import StepperApp, make_app
from tui.screens.stepping import SteppingScreen
from tui.widgets import HeaderBar, StatePanel
from tui.widgets.states import COLUMN

#: Seconds an action may take before it counts as a hang.
TIMEOUT = 60.0
#: Keys between two checks of the displayed numbers.
CHECK_EVERY = 500
#: Actions of a failure's history kept in the summary (all of them go to --failures).
TAIL = 60
#: Terminal sizes: the smallest and the largest the issue names.
MIN_SIZE, MAX_SIZE = (20, 6), (250, 80)
CORNERS = ((20, 6), (250, 80), (20, 80), (250, 6), (80, 24), (120, 40))

#: How often each kind of action is chosen.
WEIGHTS = {
    "binding": 46,
    "char": 12,
    "number": 12,
    "special": 12,
    "paste": 7,
    "type": 2.5,
    "resize": 6,
    "scenario": 2.5,
    "burst": 3,
    "quit": 0.15,
}

SPECIAL = (
    "enter",
    "escape",
    "tab",
    "shift+tab",
    "backspace",
    "delete",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "space",
    "ctrl+p",
    "ctrl+c",
    "ctrl+a",
    "ctrl+e",
    "ctrl+u",
    "ctrl+k",
    "ctrl+w",
    "ctrl+s",
    "ctrl+o",
    "ctrl+v",
    "ctrl+x",
    "f1",
)
CHARS = [c for c in string.printable if not c.isspace()] + ["é", "π", "∑", "€", "😀", "µ"]
NUMBER_CHARS = "0123456789-.e"
NAMES = (
    "x.csv",
    "x.json",
    "x.txt",
    "trace.csv",
    "X.CSV",
    "x.xlsx",
    "w.npz",
    "weights.npz",
    "weights",
    "inputs.csv",
    "bad.csv",
    "long.npy",
    "~nosuchuser/a",
    "~nosuchuser/a.csv",
    "no/such/dir/x.csv",
    "sub/",
    ".csv",
    "a b.csv",
    "junk!@#$%",
    "",
    "  ",
    "0.5",
    "-1e3",
    "1e400",
    "nan",
    "1, 2; 3, 4",
    "1;2;3",
)


#: Short scripts into the deeper states: a file that exists (the confirm dialog), saving
#: and loading weights, a 5,000-step file of inputs (a job), switching cells and compare
#: mode with escape in the same burst (the progress dialog, cancelled).
SCENARIOS: tuple[tuple[Any, ...], ...] = (
    ("x", "enter", "x", "enter"),
    ("w", "S", "enter", "S", "enter"),
    ("w", "l", "enter"),
    ("e", "ctrl+o", "home", "ctrl+k", *"long.npy", "enter"),
    ("e", "ctrl+o", "enter"),
    ("end",),
    ("burst", ("end", "escape")),
    ("burst", ("c", "escape")),
    ("burst", ("v", "escape")),
    ("burst", ("e", "ctrl+o", "enter", "escape")),
    ("burst", ("w", "l", "enter", "escape")),
)


@dataclass(frozen=True)
class Config:
    name: str
    argv: tuple[str, ...]
    cell: str
    hidden: int
    inputs: int
    steps: int


def sequence(rng: random.Random, steps: int, size: int) -> str:
    """A seeded input sequence for ``--inputs``: steps by ';', values by ','."""
    scale = rng.choice((0.5, 1.0, 3.0, 10.0))
    rows = (",".join(f"{rng.gauss(0.0, scale):.4g}" for _ in range(size)) for _ in range(steps))
    return ";".join(rows)


#: (cell, H, I, T): every cell twice, H from 1 to 5, I from 1 to 3, and two long ones.
PLAN = (
    ("lstm", 1, 1, 3),
    ("lstm", 5, 3, 20),
    ("peephole", 2, 1, 12),
    ("peephole", 4, 3, 50),
    ("slstm", 1, 2, 8),
    ("slstm", 5, 1, 30),
    ("mlstm", 3, 2, 16),
    ("mlstm", 5, 3, 40),
    ("lstm", 2, 1, 5000),
    ("mlstm", 4, 2, 5000),
)


def configs(seed: int) -> list[Config]:
    out = []
    for cell, hidden, size, steps in PLAN:
        name = f"{cell}-h{hidden}-i{size}" + ("-long" if steps > 1000 else "")
        rng = random.Random(f"{seed}:{name}")
        if (cell, hidden, size, steps) == ("lstm", 1, 1, 3):
            argv: tuple[str, ...] = ()  # the original example: no options at all
        else:
            argv = (
                "--cell",
                cell,
                "--hidden-size",
                str(hidden),
                "--input-size",
                str(size),
                "--seed",
                str(rng.randrange(1000)),
                "--inputs",
                sequence(rng, steps, size),
            )
        out.append(Config(name, argv, cell, hidden, size, steps))
    return out


def paste_text(rng: random.Random, size: int) -> str:
    r = rng.randrange(14)
    if r == 0:
        return f"{rng.gauss(0, 3):.4g}"
    if r == 1:
        return ", ".join(f"{rng.gauss(0, 2):.3g}" for _ in range(size))
    if r == 2:
        return sequence(rng, rng.randint(1, 50), size)
    if r == 3:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 40)))
    if r == 4:
        return rng.choice(("\x00", "1\x002", "\x00\x00.csv", "x\x00.npz"))
    if r == 5:
        return rng.choice("0123456789") * rng.randint(300, 20000)
    if r == 6:
        return ", ".join("1.5" for _ in range(rng.randint(100, 6000)))
    if r == 7:
        return rng.choice(("1\n2", "3\r\n", "\n", "\t1\t", "1;\n2"))
    if r == 8:
        return rng.choice(("", " ", "   \t "))
    if r == 9:
        return rng.choice(("nan", "inf", "-inf", "1e308", "-1e309", "1e-400", "0x10", "1_000"))
    if r == 10:
        return rng.choice(NAMES)
    if r == 11:
        return "-" + str(rng.randint(0, 99))
    if r == 12:
        return "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 12)))
    return "\x1b[A\x1b[200~x\x1b[201~"  # escape sequences as text


def write_files(folder: Path, config: Config, rng: random.Random) -> None:
    """What the typed names can load: good and bad inputs, a long sequence, a bad .npz."""
    rows = "\n".join(
        ",".join(f"{rng.gauss(0, 1):.3f}" for _ in range(config.inputs)) for _ in range(6)
    )
    (folder / "inputs.csv").write_text(rows + "\n")
    (folder / "bad.csv").write_text("a,b\nx,y,z\n")
    np.save(folder / "long.npy", np.random.default_rng(0).normal(size=(5000, config.inputs)))
    (folder / "w.npz").write_bytes(bytes(rng.randrange(256) for _ in range(64)))


@dataclass
class Stats:
    seed: int
    keys: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    slowest: list[tuple[float, str, str]] = field(default_factory=list)
    screens: Counter[str] = field(default_factory=Counter)
    sizes: set[tuple[int, int]] = field(default_factory=set)
    checks: int = 0
    episodes: int = 0
    quits: int = 0
    guarded: int = 0
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    hangs: list[dict[str, Any]] = field(default_factory=list)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    per_config: list[dict[str, Any]] = field(default_factory=list)


Action = tuple[str, Any]  #: ("key", name), ("paste", text) or ("resize", [w, h])


def bound_keys(app: StepperApp) -> list[str]:
    """Every key bound now, on the screen on top and its focused widget, but quitting."""
    keys = []
    for key, active in app.active_bindings.items():
        action = active.binding.action
        if action in ("quit", "app.quit"):
            continue
        keys.append(key)
    return sorted(keys)


def in_field(app: StepperApp) -> bool:
    return isinstance(app.focused, Input)


def choose(app: StepperApp, rng: random.Random, config: Config) -> tuple[str, list[Action]]:
    """The next action: its kind and the events it sends."""
    kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    if kind == "binding":
        keys = bound_keys(app)
        if keys:
            return kind, [("key", rng.choice(keys))]
        kind = "special"
    if kind == "char":
        pool = CHARS if in_field(app) else [c for c in CHARS if c != "q"]
        return kind, [("key", rng.choice(pool))]
    if kind == "number":
        return kind, [("key", rng.choice(NUMBER_CHARS))]
    if kind == "special":
        return kind, [("key", rng.choice(SPECIAL))]
    if kind == "paste":
        return kind, [("paste", paste_text(rng, config.inputs))]
    if kind == "resize":
        if rng.random() < 0.2:
            w, h = rng.choice(CORNERS)
        else:
            w, h = rng.randint(MIN_SIZE[0], MAX_SIZE[0]), rng.randint(MIN_SIZE[1], MAX_SIZE[1])
        return kind, [("resize", [w, h])]
    if kind == "type":
        text = rng.choice(NAMES)
        if rng.random() < 0.3:
            text = rng.choice(("", "x", "_")) + f"{rng.gauss(0, 5):.3g}"
        out: list[Action] = []
        if rng.random() < 0.7:  # clear the field first
            out += [("key", "home"), ("key", "ctrl+k")]
        out += [("key", ch) for ch in text]
        if rng.random() < 0.7:
            out.append(("key", "enter"))
        return kind, out
    if kind == "scenario":
        script = rng.choice(SCENARIOS)
        if script[0] == "burst":
            return kind, [("burst", list(script[1]))]
        return kind, [("key", k) for k in script]
    if kind == "burst":  # keys that arrive in one read: all sent before any is handled
        pool = [*bound_keys(app), *SPECIAL, *NUMBER_CHARS]
        pool = [k for k in pool if k not in ("q", "ctrl+q")]
        return kind, [("burst", [rng.choice(pool) for _ in range(rng.randint(2, 8))])]
    return "quit", [("key", rng.choice(("q", "ctrl+q")))]


def guard(app: StepperApp, root: Path) -> bool:
    """Cut a field's value back to a name in ``root`` if it names a file outside it."""
    widget = app.focused
    if not isinstance(widget, Input):
        return False
    value = widget.value.strip()
    if not value or "\0" in value:
        return False
    try:
        path = Path(value).expanduser()
    except RuntimeError:  # ~nosuchuser: not a path at all
        return False
    try:
        inside = (root / path).resolve().is_relative_to(root.resolve())
    except (OSError, ValueError):
        inside = False
    if inside:
        return False
    widget.value = "".join(c for c in value if c not in "/~.") or "x"
    return True


async def press(app: StepperApp, *keys: str) -> None:
    """``pilot.press(key)`` as Textual does it, but one wait for the app to be idle
    instead of two (and none for animations): twice the keys a second. Several keys are
    sent together, before the app handles any."""
    for key in keys:
        send(app, key)
    await wait_for_idle(0)


def send(app: StepperApp, key: str) -> None:
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
        )
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


async def perform(pilot: Pilot[None], app: StepperApp, action: Action) -> None:
    what, value = action
    if what == "key":
        await press(app, value)
    elif what == "burst":
        await press(app, *value)
    elif what == "paste":
        app.post_message(events.Paste(value))  # as the driver does: to the focus or screen
        await pilot.pause()
    elif what == "resize":
        await pilot.resize_terminal(*value)
    else:
        raise ValueError(f"unknown action {action!r}")


def values(record: object, name: str) -> npt.NDArray[np.float64]:
    """A record's field, flat (records are the cells' own dataclasses)."""
    return np.ravel(getattr(record, name))


def check(app: StepperApp) -> list[str]:
    """What the stepping screen on top shows that the engine does not say."""
    screen = app.screen
    if not isinstance(screen, SteppingScreen):
        return [f"not on a stepping screen: {type(screen).__name__}"]
    frame = app.stepper.frame
    problems = []
    header = screen.query_one(HeaderBar).text()
    want = f"step {frame.t} / {frame.length}"
    if not header.rstrip().endswith(want):
        problems.append(f"header {header.strip()!r} does not end in {want!r}")
    sessions = app.stepper.sessions()
    if len(sessions) != len(frame.lanes):
        problems.append(f"{len(sessions)} sessions for {len(frame.lanes)} lanes")
    for lane, session in zip(frame.lanes, sessions, strict=False):
        if session.t != frame.t:
            problems.append(f"a session at t = {session.t}, the frame at {frame.t}")
        elif lane.record is not None and not np.array_equal(
            values(lane.record, "h"), values(session.current, "h")
        ):
            problems.append(f"lane {lane.cell.kind}: the frame's h is not the session's")
    for panel in screen.query(StatePanel):
        if panel.lane >= len(frame.lanes):
            continue
        record = frame.lanes[panel.lane].record
        column = COLUMN - 1 if panel.compact else COLUMN
        rows = [line.split() for line in panel.text().splitlines()]
        h_rows = [r for r in rows[1:] if r and r[0] == "h"]
        if len(h_rows) != 1:
            problems.append(f"state panel {panel.id or panel.lane}: no h row in {rows!r}")
            continue
        shown = h_rows[0][1:]
        if record is None:
            want_h = [fit(0.0, column)]
        else:
            unit = frame.unit
            old = float(values(record, "h_prev")[unit])
            new = float(values(record, "h")[unit])
            want_h = [fit(old, column), fit(new, column)]
        if shown[: len(want_h)] != want_h:
            problems.append(
                f"state panel {panel.id or panel.lane} (lane {panel.lane}, unit {frame.unit}, "
                f"t {frame.t}): h shows {shown!r}, the engine {want_h!r}"
            )
    return problems


async def to_stepping_screen(pilot: Pilot[None], app: StepperApp, stats: Stats) -> None:
    """Close dialogs (escape) until a stepping screen is on top."""
    for _ in range(12):
        if isinstance(app.screen, SteppingScreen) or app.return_code is not None:
            return
        await pilot.press("escape")
        stats.keys["checkpoint-escape"] += 1
        await pilot.pause()


def failure(
    config: Config, seed: int, history: list[Action], size: tuple[int, int], **more: Any
) -> dict[str, Any]:
    return {
        "config": config.name,
        "argv": list(config.argv),
        "seed": seed,
        "size": list(size),
        "actions": len(history),
        "tail": history[-TAIL:],
        "history": list(history),
        **more,
    }


async def fuzz_config(
    config: Config, keys: int, seed: int, stats: Stats, root: Path, progress: bool = False
) -> None:
    """``keys`` keys over one configuration, in as many episodes as quits make."""
    rng = random.Random(f"{seed}:{config.name}:actions")
    write_files(Path.cwd(), config, rng)
    sent = 0
    next_check = CHECK_EVERY
    checks = episodes = 0
    started = time.perf_counter()
    while sent < keys:
        app = make_app(list(config.argv))
        size = rng.choice(CORNERS) if episodes == 0 else (120, 40)
        history: list[Action] = []
        stats.episodes += 1
        episodes += 1
        stats.sizes.add(size)
        try:
            async with app.run_test(size=size) as pilot:
                while sent < keys and app.return_code is None:
                    stats.screens[type(app.screen).__name__] += 1
                    if guard(app, root):
                        stats.guarded += 1
                    kind, actions = choose(app, rng, config)
                    for action in actions:
                        history.append(action)
                        if action[0] == "resize":
                            stats.sizes.add(tuple(action[1]))  # type: ignore[arg-type]
                        began = time.perf_counter()
                        await asyncio.wait_for(perform(pilot, app, action), TIMEOUT)
                        took = time.perf_counter() - began
                        stats.seconds[kind] = stats.seconds.get(kind, 0.0) + took
                        stats.slowest.append((took, config.name, repr(action)[:60]))
                        stats.slowest = sorted(stats.slowest, reverse=True)[:5]
                        n = len(action[1]) if action[0] == "burst" else 1
                        stats.keys[kind] += n
                        sent += n
                        if app.return_code is not None:
                            break
                    if kind == "quit" and app.return_code is not None:
                        stats.quits += 1
                    if sent >= next_check and app.return_code is None:
                        next_check += CHECK_EVERY
                        await to_stepping_screen(pilot, app, stats)
                        checks += 1
                        problems = check(app)
                        if problems:
                            stats.mismatches.append(
                                failure(config, seed, history, size, problems=problems)
                            )
                if app.return_code is None:  # the end of the run: the numbers once more
                    await to_stepping_screen(pilot, app, stats)
                    await pilot.pause()
                    checks += 1
                    problems = check(app)
                    if problems:
                        stats.mismatches.append(
                            failure(config, seed, history, size, problems=problems)
                        )
        except TimeoutError:
            stats.hangs.append(failure(config, seed, history, size, screen=str(app.screen)))
        except Exception as exc:
            if app._exception is None or app._exception is not exc:
                stats.exceptions.append(
                    failure(config, seed, history, size, traceback=traceback.format_exc())
                )
        if app._exception is not None:
            stats.exceptions.append(
                failure(
                    config,
                    seed,
                    history,
                    size,
                    traceback="".join(traceback.format_exception(app._exception)),
                )
            )
        if app.return_code not in (None, 0) and app._exception is None:
            stats.exceptions.append(
                failure(config, seed, history, size, return_code=app.return_code)
            )
    stats.checks += checks
    if progress:
        print(
            f"{config.name}: {sent} keys in {time.perf_counter() - started:.0f} s, "
            f"{len(stats.exceptions)} exceptions, {len(stats.hangs)} hangs, "
            f"{len(stats.mismatches)} mismatches so far",
            file=sys.stderr,
            flush=True,
        )
    stats.per_config.append(
        {
            "name": config.name,
            "argv": " ".join(config.argv[:8]) + (" --inputs ..." if config.argv else ""),
            "steps": config.steps,
            "keys": sent,
            "episodes": episodes,
            "checks": checks,
            "seconds": round(time.perf_counter() - started, 1),
        }
    )


async def run(
    keys: int, seed: int, names: Sequence[str] | None = None, progress: bool = False
) -> dict[str, Any]:
    """Fuzz ``keys`` keys in all over the configurations named (all of them by default),
    in the current folder; the summary, failures' histories included."""
    chosen = configs(seed)
    if names:
        known = {c.name: c for c in chosen}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"unknown configurations {unknown}; known: {sorted(known)}")
        chosen = [known[n] for n in names]
    stats = Stats(seed)
    root = Path.cwd()
    started = time.perf_counter()
    share, extra = divmod(keys, len(chosen))
    for k, config in enumerate(chosen):
        await fuzz_config(config, share + (k < extra), seed, stats, root, progress)
    seconds = time.perf_counter() - started
    sizes = sorted(stats.sizes)
    sent = sum(v for k, v in stats.keys.items() if k != "checkpoint-escape")
    return {
        "seed": seed,
        "keys": sent,
        "keys_by_kind": dict(stats.keys.most_common()),
        "configs": stats.per_config,
        "sizes": {
            "distinct": len(sizes),
            "widths": f"{min(s[0] for s in sizes)}..{max(s[0] for s in sizes)}",
            "heights": f"{min(s[1] for s in sizes)}..{max(s[1] for s in sizes)}",
            "corners": [f"{w}x{h}" for w, h in CORNERS if (w, h) in stats.sizes],
        },
        "seconds_by_kind": {
            k: round(v, 1) for k, v in sorted(stats.seconds.items(), key=lambda kv: -kv[1])
        },
        "slowest_actions": [f"{t:.2f} s {c} {a}" for t, c, a in stats.slowest],
        "screens_seen": dict(stats.screens.most_common()),
        "episodes": stats.episodes,
        "quits": stats.quits,
        "fields_guarded": stats.guarded,
        "checks": stats.checks,
        "exceptions": stats.exceptions,
        "hangs": stats.hangs,
        "mismatches": stats.mismatches,
        "seconds": round(seconds, 1),
        "keys_per_second": round(sent / seconds, 1) if seconds else None,
    }


async def replay(argv: Sequence[str], size: tuple[int, int], history: Sequence[Action]) -> str:
    """Send a recorded history to a fresh app; the traceback it raised, or ''."""
    app = make_app(list(argv))
    try:
        async with app.run_test(size=size) as pilot:
            for action in history:
                await asyncio.wait_for(perform(pilot, app, tuple(action)), TIMEOUT)  # type: ignore[arg-type]
                if app.return_code is not None:
                    break
    except Exception:
        return traceback.format_exc()
    return ""


def without_histories(summary: dict[str, Any]) -> dict[str, Any]:
    out = dict(summary)
    for key in ("exceptions", "hangs", "mismatches"):
        out[key] = [{k: v for k, v in f.items() if k != "history"} for f in summary[key]]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=10_000, help="keys in all (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--configs",
        default="",
        help="comma-separated names (default: all): " + ", ".join(c.name for c in configs(0)),
    )
    parser.add_argument("--failures", type=Path, help="write failures' whole histories here")
    args = parser.parse_args(argv)
    names = [n for n in args.configs.split(",") if n]
    failures = args.failures.resolve() if args.failures else None
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="lstm-fuzz-") as folder:
        os.chdir(folder)
        home = os.environ.get("HOME")
        os.environ["HOME"] = folder  # ~/... and Textual's downloads land here too
        try:
            summary = asyncio.run(run(args.keys, args.seed, names, progress=True))
        finally:
            os.chdir(here)
            if home is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = home
    if failures is not None:
        failures.write_text(
            json.dumps({k: summary[k] for k in ("exceptions", "hangs", "mismatches")}, indent=1)
        )
    print(json.dumps(without_histories(summary), indent=1, ensure_ascii=False))
    bad = summary["exceptions"] or summary["hangs"] or summary["mismatches"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
