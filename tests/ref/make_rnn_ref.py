#!/usr/bin/python3
"""Writes rnn_ref.lua: reference values of Keras's recurrent layers (GRU with
reset_after True and False, LSTM, SimpleRNN, Bidirectional and the two-layer
bidirectional GRU seed model) computed by PyTorch.

Run with /usr/bin/python3 (PyTorch) from anywhere:
    /usr/bin/python3 tests/ref/make_rnn_ref.py
The generated file is committed, so the tests never need Python.

The layers are written out step by step in plain torch with Keras's weight
layout and Keras 3's semantics (gate order, masking, go_backwards,
zero_output_for_mask, Bidirectional merging). Before anything is written the
step-by-step code is checked against torch.nn.GRU / LSTM / RNN (unmasked:
forward, go_backwards, initial states, bidirectional, the stacked seed model;
values and gradients) and, for masked sequences, against torch.nn run on each
row's unmasked steps alone; the script fails if any check is off by 1e-10.

Every input (x, weights, initial states, the loss weights r) is drawn from a
seeded generator and rounded to float32; everything is then computed in
float64, so the file holds the exact answer for the float32 inputs. For each
case
    loss = sum(output * r) + sum_i sum(states[i] * r_states[i])
and grads holds d loss / d x, d each weight (Keras layout, get_weights()
order) and d each initial state given. Numbers are printed with "%.9g".
"""
import os
import sys

import torch

TOL = 1e-10
B, T, D, U = 3, 5, 4, 6
# Row 0: a masked step in the middle and trailing padding; row 1: leading
# padding; row 2: no padding.
MASK = [[1, 1, 0, 1, 0],
        [0, 0, 1, 1, 1],
        [1, 1, 1, 1, 1]]

torch.set_default_dtype(torch.float64)


def f32(t):
    """t rounded to float32, kept in float64 for the computation."""
    return t.to(torch.float32).to(torch.float64)


class Draw:
    """Float32-rounded random tensors from one seeded generator."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, *shape):
        return f32(torch.randn(*shape, generator=self.g, dtype=torch.float64))

    def uniform(self, lo, hi, *shape):
        u = torch.rand(*shape, generator=self.g, dtype=torch.float64)
        return f32(lo + (hi - lo) * u)


# --------------------------------------------------------------------------
# Keras cells, Keras weight layout.


def split(a, n):
    u = a.shape[-1] // n
    return [a[..., i * u:(i + 1) * u] for i in range(n)]


def gru_cell(reset_after):
    def cell(x, states, w):
        kernel, rkernel, bias = w
        h = states[0]
        if reset_after:
            xz, xr, xh = split(x @ kernel + bias[0], 3)
            hz, hr, hh_ = split(h @ rkernel + bias[1], 3)
            z = torch.sigmoid(xz + hz)
            r = torch.sigmoid(xr + hr)
            hh = torch.tanh(xh + r * hh_)
        else:
            xz, xr, xh = split(x @ kernel + bias, 3)
            uz, ur, uh = split(rkernel, 3)
            z = torch.sigmoid(xz + h @ uz)
            r = torch.sigmoid(xr + h @ ur)
            hh = torch.tanh(xh + (r * h) @ uh)
        hn = z * h + (1 - z) * hh
        return hn, [hn]
    return cell


def lstm_cell(x, states, w):
    kernel, rkernel, bias = w
    h, c = states
    ai, af, ac, ao = split(x @ kernel + h @ rkernel + bias, 4)
    i = torch.sigmoid(ai)
    f = torch.sigmoid(af)
    g = torch.tanh(ac)
    o = torch.sigmoid(ao)
    cn = f * c + i * g
    hn = o * torch.tanh(cn)
    return hn, [hn, cn]


def simple_rnn_cell(x, states, w):
    kernel, rkernel, bias = w
    hn = torch.tanh(x @ kernel + states[0] @ rkernel + bias)
    return hn, [hn]


def cell_for(layer, options):
    if layer == "GRU":
        return gru_cell(options["reset_after"]), 1
    if layer == "LSTM":
        return lstm_cell, 2
    if layer == "SimpleRNN":
        return simple_rnn_cell, 1
    raise ValueError(layer)


def run_rnn(cell, nstates, x, w, units, initial_state, mask, go_backwards,
            zero_output_for_mask):
    """Keras's RNN loop. Returns (outputs in processing order (B, T, U),
    last output (B, U), final states)."""
    b, t = x.shape[0], x.shape[1]
    if initial_state is None:
        states = [torch.zeros(b, units) for _ in range(nstates)]
    else:
        states = list(initial_state)
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    prev = torch.zeros(b, units)  # out_{-1}: zeros, not h0
    outs = []
    for s in steps:
        out, new = cell(x[:, s], states, w)
        if mask is not None:
            m = mask[:, s:s + 1] != 0
            states = [torch.where(m, n, o) for n, o in zip(new, states)]
            keep = torch.zeros_like(out) if zero_output_for_mask else prev
            out = torch.where(m, out, keep)
        else:
            states = new
        prev = out
        outs.append(out)
    return torch.stack(outs, 1), prev, states


def layer_forward(layer, units, options, x, w, initial_state, mask,
                  zero_output_for_mask=False):
    """A Keras recurrent layer: (output, returned states or None)."""
    cell, nstates = cell_for(layer, options)
    seq, last, states = run_rnn(cell, nstates, x, w, units, initial_state,
                                mask, options["go_backwards"],
                                zero_output_for_mask)
    out = seq if options["return_sequences"] else last
    return out, (states if options["return_state"] else None)


def bidirectional_forward(inner, merge_mode, x, w, mask):
    """Keras Bidirectional(inner layer); w = forward's weights + backward's."""
    layer, units, options = inner["layer"], inner["units"], inner["options"]
    assert not options["return_state"]
    rs = options["return_sequences"]
    bopts = dict(options, go_backwards=not options["go_backwards"])
    n = len(w) // 2
    yf, _ = layer_forward(layer, units, options, x, w[:n], None, mask, rs)
    yb, _ = layer_forward(layer, units, bopts, x, w[n:], None, mask, rs)
    if rs:
        yb = torch.flip(yb, [1])
    if merge_mode == "concat":
        return torch.cat([yf, yb], -1)
    if merge_mode == "sum":
        return yf + yb
    if merge_mode == "ave":
        return (yf + yb) / 2
    if merge_mode == "mul":
        return yf * yb
    raise ValueError(merge_mode)


# --------------------------------------------------------------------------
# Weights.


def draw_weights(dr, layer, d, units, options):
    gates = {"GRU": 3, "LSTM": 4, "SimpleRNN": 1}[layer]
    kernel = dr.uniform(-0.5, 0.5, d, gates * units)
    rkernel = dr.uniform(-0.5, 0.5, units, gates * units)
    if layer == "GRU" and options["reset_after"]:
        bias = dr.uniform(-0.5, 0.5, 2, gates * units)
    else:
        bias = dr.uniform(-0.5, 0.5, gates * units)
    return [kernel, rkernel, bias]


# --------------------------------------------------------------------------
# Checks against torch.nn.


def perm_gru(a):
    """Swaps the first two gate blocks of the last axis: Keras z|r|h <->
    torch r|z|n (its own inverse)."""
    z, r, h = split(a, 3)
    return torch.cat([r, z, h], -1)


def to_torch_params(layer, w):
    """Keras (kernel, recurrent_kernel, bias) -> torch (w_ih, w_hh, b_ih,
    b_hh)."""
    k, rk, b = w
    if layer == "GRU":
        return [perm_gru(k).t(), perm_gru(rk).t(), perm_gru(b[0]),
                perm_gru(b[1])]
    return [k.t(), rk.t(), b.clone(), torch.zeros_like(b)]


def from_torch_grads(layer, g, bias_shape):
    """Gradients of torch (w_ih, w_hh, b_ih, b_hh) -> Keras layout."""
    gih, ghh, gbi, gbh = g
    if layer == "GRU":
        kb = [perm_gru(gih.t()), perm_gru(ghh.t())]
        if len(bias_shape) == 2:
            return kb + [torch.stack([perm_gru(gbi), perm_gru(gbh)])]
        raise ValueError("torch has no reset_after=False GRU")
    close(layer + " bias_ih grad == bias_hh grad", gbi, gbh)
    return [gih.t(), ghh.t(), gbi]


def torch_module(layer, d, units, num_layers=1, bidirectional=False):
    cls = {"GRU": torch.nn.GRU, "LSTM": torch.nn.LSTM,
           "SimpleRNN": torch.nn.RNN}[layer]
    return cls(d, units, num_layers=num_layers, bidirectional=bidirectional,
               batch_first=True).double()


def load_module(m, layer, wlist):
    """wlist: Keras weights per (layer, direction), in torch's order."""
    names = []
    for lw, w in enumerate(wlist):
        sfx = "_l%d%s" % (lw // (2 if m.bidirectional else 1),
                          "_reverse" if m.bidirectional and lw % 2 else "")
        p = to_torch_params(layer, w)
        for base, v in zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
                           p):
            with torch.no_grad():
                getattr(m, base + sfx).copy_(v)
            names.append(base + sfx)
    return names


def grads_of_module(m, layer, wlist, names):
    out = []
    for lw, w in enumerate(wlist):
        g = [getattr(m, n).grad for n in names[4 * lw:4 * lw + 4]]
        out.append(from_torch_grads(layer, g, w[2].shape))
    return out


def close(name, a, b):
    if a is None and b is None:
        return
    err = (a - b).abs().max().item() if a.numel() else 0.0
    if not err < TOL:
        sys.exit("CHECK FAILED: %s: max abs difference %g" % (name, err))
    CHECKS.append(name)


CHECKS = []


def leaf(t):
    return t.clone().requires_grad_(True)


def check_single(layer, go_backwards, with_init, seed):
    """Unmasked single layer, values and gradients, against torch.nn."""
    dr = Draw(seed)
    options = {"return_sequences": True, "return_state": True,
               "go_backwards": go_backwards, "reset_after": True}
    x = dr.normal(B, T, D)
    w = draw_weights(dr, layer, D, U, options)
    ns = 2 if layer == "LSTM" else 1
    init = [dr.normal(B, U) for _ in range(ns)] if with_init else None
    r = dr.normal(B, T, U)
    rs = [dr.normal(B, U) for _ in range(ns)]
    # ours
    xl, wl = leaf(x), [leaf(a) for a in w]
    il = [leaf(a) for a in init] if init else None
    y, st = layer_forward(layer, U, options, xl, wl, il, None)
    loss = (y * r).sum() + sum((s * q).sum() for s, q in zip(st, rs))
    loss.backward()
    # torch.nn: go_backwards = run on the time-reversed input; the processing
    # order output is then torch's output as is.
    m = torch_module(layer, D, U)
    names = load_module(m, layer, [w])
    xt = leaf(x)
    xin = torch.flip(xt, [1]) if go_backwards else xt
    it = [leaf(a.unsqueeze(0)) for a in init] if init else None
    if layer == "LSTM":
        yt, (ht, ct) = m(xin, tuple(it) if it else None)
        stt = [ht[0], ct[0]]
    else:
        yt, ht = m(xin, it[0] if it else None)
        stt = [ht[0]]
    losst = (yt * r).sum() + sum((s * q).sum() for s, q in zip(stt, rs))
    losst.backward()
    tag = "%s%s%s" % (layer, " backwards" if go_backwards else "",
                      " h0" if with_init else "")
    close(tag + " output", y, yt)
    for i, (a, b) in enumerate(zip(st, stt)):
        close(tag + " state %d" % i, a, b)
    close(tag + " dx", xl.grad, xt.grad)
    for i, (a, b) in enumerate(zip(wl, grads_of_module(m, layer, [w],
                                                        names)[0])):
        close(tag + " dweight %d" % i, a.grad, b)
    if init:
        for i, (a, b) in enumerate(zip(il, it)):
            close(tag + " dinit %d" % i, a.grad, b.grad[0])


def check_masked_states(layer, seed):
    """Masked final states against torch.nn run on each row's unmasked steps
    only (masked steps must leave the states untouched), both directions."""
    dr = Draw(seed)
    x = dr.normal(B, T, D)
    options = {"reset_after": True, "return_sequences": True,
               "return_state": True}
    w = draw_weights(dr, layer, D, U, options)
    ns = 2 if layer == "LSTM" else 1
    init = [dr.normal(B, U) for _ in range(ns)]
    mask = torch.tensor(MASK, dtype=torch.float64)
    m = torch_module(layer, D, U)
    load_module(m, layer, [w])
    for gb in (False, True):
        opts = dict(options, go_backwards=gb)
        y, st = layer_forward(layer, U, opts, x, w, init, mask)
        for row in range(B):
            keep = [s for s in range(T) if MASK[row][s]]
            if gb:
                keep = keep[::-1]
            xs = x[row:row + 1, keep]
            hs = [a[row:row + 1].unsqueeze(0) for a in init]
            with torch.no_grad():
                if layer == "LSTM":
                    yt, (ht, ct) = m(xs, tuple(hs))
                    stt = [ht[0, 0], ct[0, 0]]
                else:
                    yt, ht = m(xs, hs[0])
                    stt = [ht[0, 0]]
            tag = "%s mask row %d%s" % (layer, row, " backwards" if gb else "")
            for i, (a, b) in enumerate(zip(st, stt)):
                close(tag + " state %d" % i, a[row].detach(), b)
            # the outputs at the unmasked steps, in processing order
            order = list(range(T - 1, -1, -1)) if gb else list(range(T))
            sel = [k for k, s in enumerate(order) if MASK[row][s]]
            close(tag + " outputs", y[row, sel].detach(), yt[0])


def check_bidirectional(layer, seed):
    """Unmasked Bidirectional(layer, return_sequences) concat against
    torch.nn's bidirectional module."""
    dr = Draw(seed)
    x = dr.normal(B, T, D)
    options = {"return_sequences": True, "return_state": False,
               "go_backwards": False, "reset_after": True}
    w = (draw_weights(dr, layer, D, U, options)
         + draw_weights(dr, layer, D, U, options))
    r = dr.normal(B, T, 2 * U)
    inner = {"layer": layer, "units": U, "options": options}
    xl, wl = leaf(x), [leaf(a) for a in w]
    y = bidirectional_forward(inner, "concat", xl, wl, None)
    (y * r).sum().backward()
    m = torch_module(layer, D, U, bidirectional=True)
    names = load_module(m, layer, [w[:3], w[3:]])
    xt = leaf(x)
    yt, _ = m(xt)
    (yt * r).sum().backward()
    tag = "Bidirectional(%s)" % layer
    close(tag + " output", y, yt)
    close(tag + " dx", xl.grad, xt.grad)
    gt = sum(grads_of_module(m, layer, [w[:3], w[3:]], names), [])
    for i, (a, b) in enumerate(zip(wl, gt)):
        close(tag + " dweight %d" % i, a.grad, b)


# --------------------------------------------------------------------------
# Cases.


def grads_of(loss, xl, wl, il):
    loss.backward()
    g = {"x": xl.grad, "weights": [a.grad for a in wl]}
    if il:
        g["initial_state"] = [a.grad for a in il]
    return g


PREFIX = {("GRU", True): "gru_reset_after", ("GRU", False): "gru_reset_before",
          ("LSTM", None): "lstm", ("SimpleRNN", None): "simple_rnn"}


def layer_cases(layer, reset_after, seed):
    cases = []
    variants = [
        ("seq", dict(return_sequences=True, return_state=False,
                     go_backwards=False), False),
        ("last_state", dict(return_sequences=False, return_state=True,
                            go_backwards=False), False),
        ("backwards", dict(return_sequences=True, return_state=False,
                           go_backwards=True), False),
        ("mask", dict(return_sequences=True, return_state=True,
                      go_backwards=False), True),
    ]
    ns = 2 if layer == "LSTM" else 1
    for k, (suffix, options, masked) in enumerate(variants):
        if layer == "GRU":
            options = dict(options, reset_after=reset_after)
        dr = Draw(seed + k)
        x = dr.normal(B, T, D)
        w = draw_weights(dr, layer, D, U, options)
        init = [dr.normal(B, U) for _ in range(ns)] if masked else None
        mask = torch.tensor(MASK, dtype=torch.float64) if masked else None
        out_shape = (B, T, U) if options["return_sequences"] else (B, U)
        r = dr.normal(*out_shape)
        rs = ([dr.normal(B, U) for _ in range(ns)]
              if options["return_state"] else None)
        xl, wl = leaf(x), [leaf(a) for a in w]
        il = [leaf(a) for a in init] if init else None
        y, st = layer_forward(layer, U, options, xl, wl, il, mask)
        loss = (y * r).sum()
        if st is not None:
            loss = loss + sum((s * q).sum() for s, q in zip(st, rs))
        grads = grads_of(loss, xl, wl, il)
        cases.append({
            "name": "%s_%s" % (PREFIX[(layer, reset_after)], suffix),
            "layer": layer, "units": U, "options": options,
            "x": x, "mask": mask, "initial_state": init, "weights": w,
            "output": y.detach(),
            "states": [s.detach() for s in st] if st is not None else None,
            "r": r, "r_states": rs, "grads": grads})
    return cases


def bidirectional_case(name, layer, return_sequences, merge_mode, masked,
                       seed):
    dr = Draw(seed)
    options = {"return_sequences": return_sequences, "return_state": False,
               "go_backwards": False}
    if layer == "GRU":
        options["reset_after"] = True
    inner = {"layer": layer, "units": U, "options": options}
    x = dr.normal(B, T, D)
    w = (draw_weights(dr, layer, D, U, options)
         + draw_weights(dr, layer, D, U, options))
    mask = torch.tensor(MASK, dtype=torch.float64) if masked else None
    width = 2 * U if merge_mode == "concat" else U
    r = dr.normal(*((B, T, width) if return_sequences else (B, width)))
    xl, wl = leaf(x), [leaf(a) for a in w]
    y = bidirectional_forward(inner, merge_mode, xl, wl, mask)
    grads = grads_of((y * r).sum(), xl, wl, None)
    return {"name": name, "layer": "Bidirectional", "units": U,
            "inner": inner, "merge_mode": merge_mode,
            "x": x, "mask": mask, "weights": w, "output": y.detach(),
            "r": r, "grads": grads}


def keras_init_weights(dr, d, units):
    """GRU weights as Keras initializes them (glorot_uniform kernel,
    orthogonal recurrent kernel), with a small random bias instead of
    zeros so the bias gradients are exercised: the seed model is what
    learners train, and float32 can only match float64 to 1e-5 on weights
    of this scale (uniform(-0.5, 0.5) on 64 units gives ~1e-4 even in
    PyTorch's own float32)."""
    g = 3 * units
    limit = (6.0 / (d + g)) ** 0.5
    kernel = dr.uniform(-limit, limit, d, g)
    a = dr.normal(g, units)
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r))
    rkernel = f32(q.t().contiguous())
    bias = dr.uniform(-0.1, 0.1, 2, g)
    return [kernel, rkernel, bias]


def seed_model_case(seed):
    """Bidirectional(GRU(64, return_sequences=True)) twice, concat, on
    x (4, 64, 32); checked against torch.nn.GRU(num_layers=2,
    bidirectional=True)."""
    b, t, d, u = 4, 64, 32, 64
    dr = Draw(seed)
    options = {"return_sequences": True, "return_state": False,
               "go_backwards": False, "reset_after": True}
    inner = {"layer": "GRU", "units": u, "options": options}
    spec = {"layer": "Bidirectional", "inner": inner, "merge_mode": "concat"}
    x = dr.normal(b, t, d)
    w = []
    for din in (d, 2 * u):
        for _ in range(2):
            w += keras_init_weights(dr, din, u)
    r = dr.normal(b, t, 2 * u)
    xl, wl = leaf(x), [leaf(a) for a in w]
    h = bidirectional_forward(inner, "concat", xl, wl[:6], None)
    y = bidirectional_forward(inner, "concat", h, wl[6:], None)
    grads = grads_of((y * r).sum(), xl, wl, None)
    # check against torch.nn
    m = torch_module("GRU", d, u, num_layers=2, bidirectional=True)
    wlist = [w[i:i + 3] for i in range(0, 12, 3)]
    names = load_module(m, "GRU", wlist)
    xt = leaf(x)
    yt, _ = m(xt)
    (yt * r).sum().backward()
    close("seed model output", y, yt)
    close("seed model dx", grads["x"], xt.grad)
    gt = sum(grads_of_module(m, "GRU", wlist, names), [])
    for i, (a, bb) in enumerate(zip(grads["weights"], gt)):
        close("seed model dweight %d" % i, a, bb)
    return {"name": "seed_model", "layer": "SeedModel", "units": u,
            "layers": [spec, spec], "x": x, "weights": w,
            "output": y.detach(), "r": r, "grads": grads}


# --------------------------------------------------------------------------
# Lua output.


def num(v):
    return format(float(v), ".9g")


def lua_tensor(t, indent):
    t = t.detach()
    if t.dim() == 0:
        return num(t)
    if t.dim() == 1:
        vals = [num(v) for v in t.tolist()]
        lines = [", ".join(vals[i:i + 8]) for i in range(0, len(vals), 8)]
        if len(lines) <= 1:
            return "{" + (lines[0] if lines else "") + "}"
        pad = " " * (indent + 2)
        return "{\n" + ",\n".join(pad + ln for ln in lines) + "\n" + \
            " " * indent + "}"
    pad = " " * (indent + 2)
    rows = [pad + lua_tensor(s, indent + 2) for s in t]
    return "{\n" + ",\n".join(rows) + "\n" + " " * indent + "}"


def lua_value(v, indent):
    if isinstance(v, torch.Tensor):
        return lua_tensor(v, indent)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return num(v) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, list):
        pad = " " * (indent + 2)
        return "{\n" + ",\n".join(pad + lua_value(a, indent + 2)
                                  for a in v) + "\n" + " " * indent + "}"
    if isinstance(v, dict):
        return lua_table(v, indent)
    raise TypeError(type(v))


KEY_ORDER = ["name", "layer", "units", "options", "inner", "merge_mode",
             "layers", "x", "mask", "initial_state", "weights", "output",
             "states", "r", "r_states", "grads",
             "return_sequences", "return_state", "go_backwards",
             "reset_after"]


def lua_table(d, indent):
    keys = sorted((k for k, v in d.items() if v is not None),
                  key=lambda k: (KEY_ORDER.index(k) if k in KEY_ORDER
                                 else len(KEY_ORDER), k))
    pad = " " * (indent + 2)
    items = ["%s%s = %s" % (pad, k, lua_value(d[k], indent + 2)) for k in keys]
    return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"


def main():
    # Checks of the step-by-step code against torch.nn.
    s = 1000
    for layer in ("GRU", "LSTM", "SimpleRNN"):
        for gb in (False, True):
            for init in (False, True):
                check_single(layer, gb, init, s)
                s += 1
        check_masked_states(layer, s)
        s += 1
        check_bidirectional(layer, s)
        s += 1

    cases = []
    cases += layer_cases("GRU", True, 2000)
    cases += layer_cases("GRU", False, 2100)
    cases += layer_cases("LSTM", None, 2200)
    cases += layer_cases("SimpleRNN", None, 2300)
    s = 2400
    for mode in ("concat", "sum", "ave", "mul"):
        for masked in (False, True):
            name = "bidirectional_gru_%s%s" % (mode, "_mask" if masked else "")
            cases.append(bidirectional_case(name, "GRU", True, mode, masked,
                                            s))
            s += 1
    cases.append(bidirectional_case("bidirectional_lstm_last_concat_mask",
                                    "LSTM", False, "concat", True, s))
    cases.append(seed_model_case(2500))

    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "rnn_ref.lua")
    body = ",\n".join("    " + lua_table(c, 4) for c in cases)
    with open(path, "w") as f:
        f.write("-- Generated by tests/ref/make_rnn_ref.py; do not edit.\n"
                "-- Regenerate with: /usr/bin/python3 tests/ref/make_rnn_ref.py\n"
                "-- Reference values of Keras's GRU, LSTM, SimpleRNN and\n"
                "-- Bidirectional layers computed by PyTorch in float64 from\n"
                "-- float32-rounded inputs (see the script for the semantics).\n"
                "return {\n  cases = {\n" + body + "\n  }\n}\n")
    print("%d checks passed; wrote %s (%d cases, %d bytes)"
          % (len(CHECKS), path, len(cases), os.path.getsize(path)))


if __name__ == "__main__":
    main()
