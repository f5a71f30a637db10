"""Every symbol the dashboard shows, with what it means: one table, as data.

The help screen lists it and the README's table is written from it; a test checks that
every symbol ``lstm_engine.equations`` writes for every cell kind, and every column name
of the gate and state panels, has its entry here. A symbol names a record field where it
can (c_prev, i_raw); where the screen writes it otherwise, the entry says so (c_bar is
the record's g, and the sLSTM's z).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One or more symbols that share a meaning (the four gates' biases, say)."""

    symbols: tuple[str, ...]
    meaning: str
    group: str  #: "data", "LSTM", "sLSTM", ...: the README's table groups rows by it

    @property
    def written(self) -> str:
        return ", ".join(self.symbols)


def _entry(group: str, symbols: str, meaning: str) -> Entry:
    return Entry(tuple(symbols.split()), meaning, group)


#: Every symbol on screen. Order: the data, then each cell's own symbols, the functions,
#: how products and indices are written.
GLOSSARY: tuple[Entry, ...] = (
    _entry("data", "x", "the input of this step: I numbers (x[j] the j-th)."),
    _entry(
        "data",
        "h_prev c_prev n_prev m_prev C_prev",
        "a state before this step: the previous step's h, c, n, m or C (0 at the first step).",
    ),
    _entry(
        "data",
        "H I",
        "the hidden size (the number of units) and the input size (the numbers in x), as "
        "the header writes them: I=1 H=1.",
    ),
    _entry("data", "h", "the hidden state after this step: the cell's output."),
    _entry("data", "c", "the cell state (the memory) after this step."),
    _entry(
        "data",
        "z",
        "in a gate panel: the gate's pre-activation, what its function (sigmoid, tanh, "
        "exp) is applied to; the record calls it z_f, z_i, z_g, z_o (LSTM), i_raw, f_raw, "
        "z_raw, o_raw (xLSTM) or z (RNN).",
    ),
    _entry("LSTM", "f", "forget gate, in (0, 1): the share of c_prev kept."),
    _entry("LSTM", "i", "input gate, in (0, 1): the share of the candidate written."),
    _entry(
        "LSTM",
        "c_bar",
        "the candidate, in (-1, 1): the new value offered to the memory (g in PyTorch, "
        "the record and trace files; z_t in the xLSTM paper).",
    ),
    _entry("LSTM", "o", "output gate, in (0, 1): the share of tanh(c) let out as h."),
    _entry("LSTM", "z_f z_i z_g z_o", "the LSTM's pre-activations (a gate panel's z column)."),
    _entry("LSTM", "tanh(c)", "the squashed cell state that the output gate lets out."),
    _entry(
        "LSTM",
        "W_f W_i W_c W_o",
        "a gate's weights: H rows of H + I, one per unit, applied to [h_prev, x]. In the "
        "sLSTM's full sums W_i, W_f, W_o are the gate's rows of W (on x only: R_i, R_f, R_o "
        "are on h_prev); in the mLSTM's, W_o is the output gate's weights on x.",
    ),
    _entry(
        "LSTM",
        "W_hf W_if W_hi W_ii W_hc W_ic W_ho W_io",
        "a gate's weights split by what they multiply, as PyTorch names them (W_from,to: "
        "h = h_prev, i = the input x): W_f·[h_prev, x] = W_hf·h_prev + W_if·x. W_hf is "
        "the f block of weight_hh, W_if of weight_ih. Shown split where the gate has more "
        "than 3 products, each dot product as one number.",
    ),
    _entry(
        "LSTM",
        "b_f b_i b_c b_o",
        "a gate's bias: bias_ih + bias_hh at the unit's row (PyTorch keeps two); the "
        "sLSTM's is b at that row; the mLSTM's b_i and b_f are one number each, shared by "
        "every unit, its b_o one per unit.",
    ),
    _entry(
        "peephole",
        "p_f p_i p_o",
        "peephole weights, one per unit: how much a gate looks at the cell state (f and i "
        "at c_prev, o at the new c).",
    ),
    _entry(
        "peephole",
        "peephole_f peephole_i peephole_o",
        "the weight file's keys of p_f, p_i, p_o (as the nudge bar names them).",
    ),
    _entry("peephole", "p*c", "a gate panel's column: the peephole term p*c_prev (p_o*c)."),
    _entry(
        "xLSTM",
        "i_raw f_raw o_raw z_raw",
        "the sLSTM's and mLSTM's raw pre-activations of the input, forget and output "
        "gates and (sLSTM) the candidate: the full sum of each equation that reads one "
        "says where it comes from (i_raw = W_i·x + R_i·h_prev + b_i, every product).",
    ),
    _entry(
        "xLSTM",
        "logf",
        "m_prev + logsigmoid(f_raw): the log of the paper's forget gate, in the units of "
        "the stabiliser m.",
    ),
    _entry(
        "xLSTM",
        "m",
        "the stabiliser: the running log of the largest gate (max(i_raw, logf)). The cell "
        "keeps its gates and memory divided by exp(m), so that exp(i_raw) cannot "
        "overflow.",
    ),
    _entry(
        "xLSTM",
        "i' f'",
        "the stabilised gates actually applied, the paper's gates divided by exp(m): the "
        "sLSTM writes them min(exp(i_raw - m), 1) and min(exp(logf - m), 1) (the min only "
        "matters at the first step, where m = i_raw), the mLSTM exp(i_raw - m) and "
        "exp(logf - m). One of them is 1 at every step: f' = 1.0000 means "
        "the forget gate was the larger, not that nothing is forgotten (sigmoid(f_raw), "
        "shown beside it, is). The scale cancels in h (c/n, or qs@C over den).",
    ),
    _entry(
        "xLSTM",
        "exp(z) exp(i_raw)",
        "the paper's input gate exp(i_raw), unstabilised: shown, used by nothing; it may "
        "pass float64's largest number (then >1.8e308).",
    ),
    _entry("xLSTM", "σ(z) sigmoid(f_raw)", "the paper's forget gate, before stabilising."),
    _entry(
        "xLSTM",
        "n",
        "the normaliser: the sum of the gates written so far, decayed like the memory "
        "(sLSTM: h = o*c/n; mLSTM: a vector, n = f'*n_prev + i'*k).",
    ),
    _entry(
        "sLSTM",
        "W_z R_z b_z R_i R_f R_o",
        "the sLSTM's rows of W (on x), R (on h_prev) and b for one gate: i_raw = W_i·x + "
        "R_i·h_prev + b_i, and so on for f, o and the candidate z (the paper's name for "
        "it, here c_bar); the full sum names the row (blocks i, f, z, o).",
    ),
    _entry("mLSTM", "q", "the query, W_q·x + b_q: what h reads from the memory."),
    _entry("mLSTM", "k", "the key, W_k·x + b_k: how much of v goes into each row of C."),
    _entry("mLSTM", "v", "the value, W_v·x + b_v: what is written."),
    _entry(
        "mLSTM",
        "W_q W_k W_v b_q b_k b_v",
        "the projections' weights and biases (q = W_q·x + b_q, ...): a row per unit.",
    ),
    _entry(
        "mLSTM",
        "w_i w_f",
        "the scalar gates' weights on x, one row shared by every unit: i_raw = w_i·x + b_i, "
        "f_raw = w_f·x + b_f (one i' and one f' for the whole memory).",
    ),
    _entry(
        "mLSTM",
        "C",
        "the matrix memory, H x H: C = f'*C_prev + i'*k v^T (rows index the key, columns "
        "the value). Unit u reads column u, C[:,u] (h~[u] = qs·C[:,u]/den), so the "
        "equations and the diagram show the selected unit's column: C[:,u] = "
        "f'*C_prev[:,u] + i'*k*v[u].",
    ),
    _entry(
        "mLSTM",
        "qs",
        "q/sqrt(H), the query den and h~ read (the q line shows it beside q; the full sums "
        "of den and h~ divide each q[j]): mlstm-kernels scales the query (this engine "
        "follows it, and its reference traces check it); the paper and the xlstm package "
        "scale k instead. h is the same either way; C and n here are sqrt(H) times the "
        "paper's.",
    ),
    _entry(
        "mLSTM",
        "den",
        "h~'s denominator, max(|qs·n|, exp(-m)) + eps: exp(-m) is the paper's 1 in the "
        "stabilised units.",
    ),
    _entry("mLSTM", "eps", "1e-06, added to den as the official code does."),
    _entry("mLSTM", "h~", "(qs@C)/den: the memory read out, before the output gate."),
    _entry("RNN", "W_ih W_hh", "the RNN's weights on x and on h_prev (PyTorch's names)."),
    _entry(
        "RNN",
        "b",
        "a bias: the RNN's, bias_ih + bias_hh at the unit's row; in the sLSTM's full sum, "
        "the weight file's bias vector (rows i, f, z, o).",
    ),
    _entry(
        "weights",
        "weight_ih weight_hh bias_ih bias_hh W R",
        "the weight file's keys, in PyTorch's layout: a gate's rows are a block of H "
        "(LSTM: i, f, g, o; sLSTM's W, R, b: i, f, z, o); the full sum names the row.",
    ),
    _entry(
        "nudge",
        "x_t",
        "in the nudge bar: x_t[j] is the input of step t, column j (x_1[0]: step 1's first "
        "value); a weight's element is written key[r,c], row r and column c of that key of "
        "the weight file (weight_ih[5,0]), a vector's key[r], a scalar's key alone (b_i).",
    ),
    _entry("functions", "sigmoid σ", "sigmoid(z) = 1/(1 + exp(-z)), in (0, 1)."),
    _entry("functions", "tanh", "tanh(z), in (-1, 1)."),
    _entry("functions", "exp", "exp(z) = e^z."),
    _entry("functions", "sqrt", "the square root: sqrt(4) = 2."),
    _entry("functions", "logsigmoid", "log(sigmoid(z)), computed without overflow."),
    _entry("functions", "max min |a|", "the larger, the smaller of two; the magnitude of a."),
    Entry(
        ("·", "*", "@", "[u,j]", "[h_prev, x]"),
        "· a dot product (a weight row times a vector: the sum of the products), * a "
        "product of numbers, @ a vector times a matrix; [u,j] row u, column j; [h_prev, x] "
        "h_prev stacked on x; [a, b] a row of numbers.",
        "writing",
    ),
)


def symbols() -> set[str]:
    """Every symbol with an entry."""
    return {s for entry in GLOSSARY for s in entry.symbols}


__all__ = ["GLOSSARY", "Entry", "symbols"]
