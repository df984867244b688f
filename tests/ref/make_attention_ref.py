#!/usr/bin/python3
"""Writes attention_ref.lua: reference values of Keras 3's attention layers
(Attention with score_mode "dot" and "concat", AdditiveAttention,
MultiHeadAttention) computed by PyTorch.

Run with /usr/bin/python3 (PyTorch) from anywhere:
    /usr/bin/python3 tests/ref/make_attention_ref.py
The generated file is committed, so the tests never need Python.

The layers are written out in plain torch following Keras 3's sources
(keras/src/layers/attention/attention.py, additive_attention.py,
multi_head_attention.py, layers/core/einsum_dense.py,
layers/activations/softmax.py), with Keras's weight layout and
get_weights() order:
  Attention           [scale ()] [concat_score_weight ()]
  AdditiveAttention   [scale (dim,)]
  MultiHeadAttention  query kernel (dim, heads, key_dim), query bias
                      (heads, key_dim), key kernel, key bias, value kernel
                      (dim, heads, value_dim), value bias, output kernel
                      (heads, value_dim, *output_shape), output bias
                      output_shape (biases only with use_bias).
Masks follow Keras: Attention subtracts 1e9 from the scores where the value
mask or the causal mask is 0 and zeroes the output where the query mask is 0;
MultiHeadAttention and-s the query's Keras mask (B, T, 1), the value mask
(B, 1, S), the causal mask (1, T, S) and attention_mask, adds -1e9 where the
result is 0, and multiplies the softmax by it (Keras >= 3.10's Softmax).

Before anything is written the formulas are checked: Attention and
AdditiveAttention against explicit loops over every (query, key) pair, and
MultiHeadAttention against torch.nn.functional.multi_head_attention_forward
(separate projection weights mapped from Keras's layout; unmasked, with an
attention mask and causal; outputs, per-head weights and gradients); the
script fails if any check is off by 1e-10.

Every input (query, value, key, weights, the loss weights R) is drawn from a
seeded generator and rounded to float32; everything is then computed in
float64, so the file holds the exact answer for the float32 inputs. For each
case loss = sum(output * R), and grads holds d loss / d query, value, key
(when given) and each weight in get_weights() order (MultiHeadAttention's key
bias gets exact zeros: its gradient vanishes in exact arithmetic). Numbers are
printed with "%.9g".
"""
import math
import os

import torch
import torch.nn.functional as F

TOL = 1e-10
NEG = 1e9
B, TQ, TV, D = 2, 4, 5, 3
# Rows with masked steps; the first key of each row is unmasked, so no row of
# scores is fully masked with a causal mask (Keras gives a uniform row there
# in float32, which a float64 reference does not reproduce).
QMASK = [[1, 1, 0, 1],
         [1, 1, 1, 0]]
VMASK = [[1, 1, 1, 0, 0],
         [1, 0, 1, 1, 1]]

torch.set_default_dtype(torch.float64)


def f32(t):
    """t rounded to float32, kept in float64 for the computation."""
    return t.to(torch.float32).to(torch.float64)


def f32_scalar(x):
    return torch.tensor(x, dtype=torch.float32).item()


class Draw:
    """Float32-rounded random tensors from one seeded generator."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, *shape, std=1.0):
        return f32(std * torch.randn(*shape, generator=self.g,
                                     dtype=torch.float64))

    def uniform(self, lo, hi, *shape):
        u = torch.rand(*shape, generator=self.g, dtype=torch.float64)
        return f32(lo + (hi - lo) * u)


def causal_mask(tq, tv):
    """Keras's causal mask (1, Tq, Tv): row index >= column index."""
    rows = torch.arange(tq)[:, None]
    cols = torch.arange(tv)[None, :]
    return (rows >= cols).to(torch.float64)[None]


# --------------------------------------------------------------------------
# Keras 3's formulas.


def attention_forward(layer, options, q, v, k, w, qmask, vmask, causal):
    """Attention / AdditiveAttention.call: returns (output, weights)."""
    k = v if k is None else k
    if layer == "Attention":
        mode = options.get("score_mode", "dot")
        use_scale = options.get("use_scale", False)
        i = 0
        scale = csw = None
        if use_scale:
            scale, i = w[0], 1
        if mode == "concat":
            csw = w[i]
        if mode == "dot":
            scores = q @ k.transpose(1, 2)
            if scale is not None:
                scores = scores * scale
        else:
            qk = q[:, :, None, :] + k[:, None, :, :]
            if scale is not None:
                qk = scale * qk
            scores = csw * torch.tanh(qk).sum(-1)
    else:
        t = torch.tanh(q[:, :, None, :] + k[:, None, :, :])
        if options.get("use_scale", True):
            t = w[0] * t
        scores = t.sum(-1)
    smask = None
    if causal:
        smask = causal_mask(q.shape[1], k.shape[1])
    if vmask is not None:
        m = vmask[:, None, :]
        smask = m if smask is None else m * smask
    if smask is not None:
        scores = scores - NEG * (1 - smask)
    weights = torch.softmax(scores, -1)
    out = weights @ v
    if qmask is not None:
        out = out * qmask[:, :, None]
    return out, weights


def attention_loops(layer, options, q, v, k, w, qmask, vmask, causal):
    """The same, one (query, key) pair at a time, for the check."""
    k = v if k is None else k
    b, tq, tv = q.shape[0], q.shape[1], k.shape[1]
    mode = options.get("score_mode", "dot")
    if layer == "Attention":
        use_scale = options.get("use_scale", False)
        scale = w[0] if use_scale else None
        csw = w[1 if use_scale else 0] if mode == "concat" else None
    else:
        use_scale = options.get("use_scale", True)
        scale = w[0] if use_scale else None
    out = torch.zeros(b, tq, v.shape[2])
    weights = torch.zeros(b, tq, tv)
    for n in range(b):
        for i in range(tq):
            s = []
            for j in range(tv):
                if layer == "Attention" and mode == "dot":
                    e = sum(q[n, i, c] * k[n, j, c] for c in range(q.shape[2]))
                    if scale is not None:
                        e = e * scale
                elif layer == "Attention":
                    e = 0
                    for c in range(q.shape[2]):
                        x = q[n, i, c] + k[n, j, c]
                        e = e + math.tanh(x * (scale if scale is not None
                                                else 1.0))
                    e = csw * e
                else:
                    e = 0
                    for c in range(q.shape[2]):
                        t = math.tanh(q[n, i, c] + k[n, j, c])
                        e = e + (scale[c] * t if scale is not None else t)
                keep = True
                if causal and j > i:
                    keep = False
                if vmask is not None and vmask[n, j] == 0:
                    keep = False
                s.append(float(e) if keep else float(e) - NEG)
            top = max(s)
            ex = [math.exp(x - top) for x in s]
            tot = sum(ex)
            for j in range(tv):
                weights[n, i, j] = ex[j] / tot
                out[n, i] += weights[n, i, j] * v[n, j]
            if qmask is not None and qmask[n, i] == 0:
                out[n, i] = 0
    return out, weights


def mha_unpack(options, w):
    it = iter(w)
    use_bias = options.get("use_bias", True)
    names = ["q", "k", "v", "o"]
    got = {}
    for nm in names:
        got[nm + "_kernel"] = next(it)
        got[nm + "_bias"] = next(it) if use_bias else None
    return got


def mha_forward(options, q, v, k, w, attention_mask=None, causal=False,
                qmask=None, vmask=None, kmask=None, keras_scale=True):
    """MultiHeadAttention.call (attention_axes None, rank-3 inputs). Keras
    multiplies the query by 1/sqrt(key_dim) cast to float32; keras_scale=False
    uses the exact value, as torch does (for the check against torch)."""
    N, H = options["num_heads"], options["key_dim"]
    k = v if k is None else k
    p = mha_unpack(options, w)

    def dense(x, kernel, bias):          # EinsumDense "abc,cde->abde"
        y = torch.einsum("abc,cde->abde", x, kernel)
        return y if bias is None else y + bias

    Q = dense(q, p["q_kernel"], p["q_bias"])   # (B, T, N, H)
    K = dense(k, p["k_kernel"], p["k_bias"])
    V = dense(v, p["v_kernel"], p["v_bias"])
    inv = 1.0 / math.sqrt(float(H))
    Q = Q * (f32_scalar(inv) if keras_scale else inv)
    scores = torch.einsum("aecd,abcd->acbe", K, Q)  # (B, N, T, S)
    auto = None
    if qmask is not None:
        auto = qmask[:, :, None]
    if vmask is not None:
        m = vmask[:, None, :]
        auto = m if auto is None else auto * m
    if kmask is not None:
        m = kmask[:, None, :]
        auto = m if auto is None else auto * m
    if causal:
        m = causal_mask(q.shape[1], v.shape[1])
        auto = m if auto is None else auto * m
    mask = attention_mask
    if auto is not None:
        mask = auto if mask is None else mask * auto
    if mask is not None:
        while mask.dim() < 4:
            mask = mask.unsqueeze(-3)
        weights = torch.softmax(scores + (1 - mask) * -NEG, -1) * mask
    else:
        weights = torch.softmax(scores, -1)
    o = torch.einsum("acbe,aecd->abcd", weights, V)  # (B, T, N, Hv)
    kernel, bias = p["o_kernel"], p["o_bias"]
    n_out = kernel.dim() - 2
    letters = "efgh"[:n_out]
    out = torch.einsum("abcd,cd%s->ab%s" % (letters, letters), o, kernel)
    if bias is not None:
        out = out + bias
    return out, weights


def mha_torch(options, q, v, k, w, attn_mask=None):
    """The same layer through torch.nn.functional.multi_head_attention_forward
    (needs query features == heads * key_dim == value heads * value_dim ==
    output features); attn_mask (T, S) 0/1, additive -1e9."""
    N, H = options["num_heads"], options["key_dim"]
    E = N * H
    p = mha_unpack(options, w)
    qd, kd, vd = q.shape[-1], k.shape[-1], v.shape[-1]
    assert qd == E and p["o_kernel"].shape == (N, H, qd)
    q_w = p["q_kernel"].reshape(qd, E).t()
    k_w = p["k_kernel"].reshape(kd, E).t()
    v_w = p["v_kernel"].reshape(vd, E).t()
    in_bias = torch.cat([p["q_bias"].reshape(E), p["k_bias"].reshape(E),
                         p["v_bias"].reshape(E)])
    out_w = p["o_kernel"].reshape(E, qd).t()
    add_mask = None
    if attn_mask is not None:
        add_mask = (1 - attn_mask) * -NEG
    out, weights = F.multi_head_attention_forward(
        q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), E, N,
        None, in_bias, None, None, False, 0.0, out_w, p["o_bias"],
        training=False, need_weights=True, attn_mask=add_mask,
        use_separate_proj_weight=True, q_proj_weight=q_w, k_proj_weight=k_w,
        v_proj_weight=v_w, average_attn_weights=False)
    return out.transpose(0, 1), weights


# --------------------------------------------------------------------------
# Checks of the formulas.


def close(what, a, b):
    err = (a - b).abs().max().item() if a.numel() else 0.0
    scale = max(b.abs().max().item() if b.numel() else 0.0, 1.0)
    if not err <= TOL * scale:
        raise SystemExit("check failed: %s off by %.3g" % (what, err))


def leaves(ts):
    return [t.clone().requires_grad_(True) for t in ts]


def check_mha_against_torch(seed):
    dr = Draw(seed)
    options = {"num_heads": 2, "key_dim": 3}
    N, H = 2, 3
    q, k, v = dr.normal(B, TQ, N * H), dr.normal(B, TV, 4), dr.normal(B, TV, 5)
    w = [dr.uniform(-0.5, 0.5, N * H, N, H), dr.normal(N, H, std=0.1),
         dr.uniform(-0.5, 0.5, 4, N, H), dr.normal(N, H, std=0.1),
         dr.uniform(-0.5, 0.5, 5, N, H), dr.normal(N, H, std=0.1),
         dr.uniform(-0.5, 0.5, N, H, N * H), dr.normal(N * H, std=0.1)]
    am = (dr.uniform(0, 1, TQ, TV) > 0.4).to(torch.float64)
    am[:, 0] = 1
    R = dr.normal(B, TQ, N * H)
    for name, mask, causal in (("unmasked", None, False),
                               ("attention_mask", am, False),
                               ("causal", causal_mask(TQ, TV)[0], True)):
        a = leaves([q, v, k] + w)
        out, wt = mha_forward(options, a[0], a[1], a[2], a[3:],
                              attention_mask=None if causal else mask,
                              causal=causal, keras_scale=False)
        g1 = torch.autograd.grad((out * R).sum(), a)
        b = leaves([q, v, k] + w)
        out2, wt2 = mha_torch(options, b[0], b[1], b[2], b[3:], mask)
        g2 = torch.autograd.grad((out2 * R).sum(), b)
        close("MHA %s output" % name, out, out2)
        close("MHA %s weights" % name, wt, wt2)
        for i, (x, y) in enumerate(zip(g1, g2)):
            close("MHA %s gradient %d" % (name, i), x, y)


def check_attention_loops(case):
    out, wt = case_forward(case)[:2]
    ins = case_inputs(case)
    out2, wt2 = attention_loops(case["layer"], case["options"], *ins)
    close(case["name"] + " output (loops)", out, out2)
    close(case["name"] + " weights (loops)", wt, wt2)


# --------------------------------------------------------------------------
# The cases.


def t(rows):
    return torch.tensor(rows, dtype=torch.float64)


def case_inputs(case):
    return (case["query"], case["value"], case.get("key"), case["weights"],
            case.get("query_mask"), case.get("value_mask"),
            case["call"].get("use_causal_mask", False))


def case_forward(case, ts=None):
    """(output, weights, leaves) of a case; ts replaces the leaves."""
    names = ["query", "value"] + (["key"] if "key" in case else [])
    xs = ts if ts is not None else [case[n] for n in names] + case["weights"]
    nx = len(names)
    q, v = xs[0], xs[1]
    k = xs[2] if "key" in case else None
    w = xs[nx:]
    causal = case["call"].get("use_causal_mask", False)
    if case["layer"] == "MultiHeadAttention":
        out, wt = mha_forward(case["options"], q, v, k, w,
                              attention_mask=case.get("attention_mask"),
                              causal=causal,
                              qmask=case.get("query_keras_mask"),
                              vmask=case.get("value_keras_mask"))
    else:
        out, wt = attention_forward(case["layer"], case["options"], q, v, k,
                                    w, case.get("query_mask"),
                                    case.get("value_mask"), causal)
    return out, wt, names


def finish(case, dr):
    out, wt, names = case_forward(case)
    case["r"] = dr.normal(*out.shape)
    xs = leaves([case[n] for n in names] + case["weights"])
    out2, _, _ = case_forward(case, xs)
    grads = torch.autograd.grad((out2 * case["r"]).sum(), xs)
    case["output"] = out
    case["scores"] = wt
    g = {n: grads[i] for i, n in enumerate(names)}
    g["weights"] = list(grads[len(names):])
    if case["layer"] == "MultiHeadAttention" and \
            case["options"].get("use_bias", True):
        # d loss / d key bias is zero in exact arithmetic: the bias adds
        # q . b to a whole row of scores, and the softmax ignores that; the
        # float64 value is rounding noise, written as exact zeros.
        kb = g["weights"][3]
        scale = max(x.abs().max().item() for x in grads)
        assert kb.abs().max().item() <= 1e-12 * scale, case["name"]
        g["weights"][3] = torch.zeros_like(kb)
    case["grads"] = g
    case["call"]["return_attention_scores"] = True
    return case


def attention_case(name, layer, options, seed, key=False, vdim=D,
                   qmask=False, vmask=False, causal=False):
    dr = Draw(seed)
    case = {"name": name, "layer": layer, "options": options,
            "call": {"use_causal_mask": causal}}
    case["query"] = dr.normal(B, TQ, D)
    case["value"] = dr.normal(B, TV, vdim)
    if key:
        case["key"] = dr.normal(B, TV, D)
    w = []
    if layer == "Attention":
        if options.get("use_scale"):
            w.append(dr.uniform(0.5, 1.5, ()))
        if options.get("score_mode") == "concat":
            w.append(dr.uniform(0.5, 1.5, ()))
    elif options.get("use_scale", True):
        w.append(dr.uniform(-1, 1, D))
    case["weights"] = w
    if qmask:
        case["query_mask"] = t(QMASK)
    if vmask:
        case["value_mask"] = t(VMASK)
    return finish(case, dr)


def mha_case(name, options, seed, qdim=4, vdim=5, kdim=None, tq=TQ, tv=TV,
             attention_mask=False, causal=False, qmask=False, vmask=False):
    dr = Draw(seed)
    N, H = options["num_heads"], options["key_dim"]
    Hv = options.get("value_dim") or H
    out_shape = options.get("output_shape") or [qdim]
    if isinstance(out_shape, int):
        out_shape = [out_shape]
    case = {"name": name, "layer": "MultiHeadAttention", "options": options,
            "call": {"use_causal_mask": causal}}
    case["query"] = dr.normal(B, tq, qdim)
    case["value"] = dr.normal(B, tv, vdim)
    if kdim is not None:
        case["key"] = dr.normal(B, tv, kdim)
    use_bias = options.get("use_bias", True)
    w = []
    for din, h in ((qdim, H), (kdim or vdim, H), (vdim, Hv)):
        w.append(dr.uniform(-0.6, 0.6, din, N, h))
        if use_bias:
            w.append(dr.normal(N, h, std=0.2))
    w.append(dr.uniform(-0.6, 0.6, N, Hv, *out_shape))
    if use_bias:
        w.append(dr.normal(*out_shape, std=0.2))
    case["weights"] = w
    if attention_mask:
        am = (dr.uniform(0, 1, B, tq, tv) > 0.45).to(torch.float64)
        am[:, :, 0] = 1
        case["attention_mask"] = am
    if qmask:
        case["query_keras_mask"] = t(QMASK)[:, :tq]
    if vmask:
        case["value_keras_mask"] = t(VMASK)[:, :tv]
    return finish(case, dr)


def make_cases():
    cases = []
    s = 3000
    A, AA = "Attention", "AdditiveAttention"
    for name, layer, options, kw in (
            ("attention_dot", A, {}, {}),
            ("attention_dot_scale_key", A, {"use_scale": True},
             {"key": True, "vdim": 2}),
            ("attention_concat", A, {"score_mode": "concat"}, {}),
            ("attention_concat_scale_key", A,
             {"use_scale": True, "score_mode": "concat"},
             {"key": True, "vdim": 2}),
            ("attention_dot_value_mask", A, {}, {"vmask": True}),
            ("attention_dot_query_mask", A, {}, {"qmask": True}),
            ("attention_dot_causal", A, {}, {"causal": True}),
            ("attention_dot_scale_masks_causal", A, {"use_scale": True},
             {"key": True, "qmask": True, "vmask": True, "causal": True}),
            ("attention_concat_masks", A, {"score_mode": "concat"},
             {"qmask": True, "vmask": True}),
            ("attention_concat_scale_masks_causal", A,
             {"use_scale": True, "score_mode": "concat"},
             {"qmask": True, "vmask": True, "causal": True}),
            ("additive_scale", AA, {}, {}),
            ("additive_noscale", AA, {"use_scale": False}, {}),
            ("additive_scale_key_masks", AA, {},
             {"key": True, "vdim": 2, "qmask": True, "vmask": True}),
            ("additive_noscale_masks_causal", AA, {"use_scale": False},
             {"qmask": True, "vmask": True, "causal": True}),
            ("additive_scale_causal", AA, {}, {"causal": True})):
        cases.append(attention_case(name, layer, options, s, **kw))
        s += 1
    for case in cases:
        check_attention_loops(case)

    s = 3100
    mh = {"num_heads": 2, "key_dim": 3}

    def opt(**extra):
        d = dict(mh)
        d.update(extra)
        return d

    for name, options, kw in (
            ("mha_basic_key", opt(), {"kdim": 3}),
            ("mha_no_key", opt(), {}),
            ("mha_attention_mask", opt(), {"attention_mask": True}),
            ("mha_causal", opt(), {"causal": True, "tq": 5}),
            ("mha_causal_attention_mask", opt(),
             {"causal": True, "attention_mask": True, "kdim": 3}),
            ("mha_value_dim_output_shape", opt(value_dim=2, output_shape=6),
             {}),
            ("mha_output_shape_2d", opt(output_shape=[2, 3]), {"kdim": 2}),
            ("mha_keras_masks", opt(),
             {"qmask": True, "vmask": True}),
            ("mha_keras_masks_causal_attention_mask", opt(value_dim=4),
             {"qmask": True, "vmask": True, "causal": True,
              "attention_mask": True}),
            ("mha_no_bias_causal", opt(use_bias=False),
             {"causal": True, "kdim": 3})):
        cases.append(mha_case(name, options, s, **kw))
        s += 1
    return cases


# --------------------------------------------------------------------------
# Writing Lua.


def num(v):
    return "%.9g" % float(v)


def lua_tensor(x, indent):
    x = x.detach()
    if x.dim() == 0:
        return num(x)
    if x.dim() == 1:
        vals = [num(a) for a in x.tolist()]
        lines = [", ".join(vals[i:i + 8]) for i in range(0, len(vals), 8)]
        if len(lines) <= 1:
            return "{" + (lines[0] if lines else "") + "}"
        pad = " " * (indent + 2)
        return "{\n" + ",\n".join(pad + ln for ln in lines) + "\n" + \
            " " * indent + "}"
    pad = " " * (indent + 2)
    rows = [pad + lua_tensor(a, indent + 2) for a in x]
    return "{\n" + ",\n".join(rows) + "\n" + " " * indent + "}"


def lua_value(v, indent):
    if isinstance(v, torch.Tensor):
        return lua_tensor(v, indent)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return num(v)
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, list):
        if not v:
            return "{}"
        if all(isinstance(a, int) and not isinstance(a, bool) for a in v):
            return "{" + ", ".join(str(a) for a in v) + "}"
        pad = " " * (indent + 2)
        return "{\n" + ",\n".join(pad + lua_value(a, indent + 2)
                                  for a in v) + "\n" + " " * indent + "}"
    if isinstance(v, dict):
        return lua_table(v, indent)
    raise TypeError(type(v))


KEY_ORDER = ["name", "layer", "options", "call", "query", "value", "key",
             "query_mask", "value_mask", "query_keras_mask",
             "value_keras_mask", "attention_mask", "weights", "output",
             "scores", "r", "grads"]


def lua_table(d, indent):
    keys = sorted((k for k, v in d.items() if v is not None),
                  key=lambda k: (KEY_ORDER.index(k) if k in KEY_ORDER
                                 else len(KEY_ORDER), k))
    if not keys:
        return "{}"
    pad = " " * (indent + 2)
    items = ["%s%s = %s" % (pad, k, lua_value(d[k], indent + 2)) for k in keys]
    return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"


def main():
    check_mha_against_torch(1000)
    cases = make_cases()
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "attention_ref.lua")
    body = ",\n".join("    " + lua_table(c, 4) for c in cases)
    with open(path, "w") as f:
        f.write("-- Generated by tests/ref/make_attention_ref.py; do not edit.\n")
        f.write("-- Regenerate with: /usr/bin/python3 "
                "tests/ref/make_attention_ref.py\n")
        f.write("-- Reference values of Keras 3's Attention, AdditiveAttention"
                " and\n-- MultiHeadAttention computed by PyTorch in float64 "
                "from float32-rounded\n-- inputs (see the script for the "
                "semantics). loss = sum(output * r).\n")
        f.write("return {\n  cases = {\n" + body + "\n  }\n}\n")
    print("wrote %s (%d cases)" % (path, len(cases)))


if __name__ == "__main__":
    main()
