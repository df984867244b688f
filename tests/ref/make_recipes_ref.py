#!/usr/bin/python3
"""Writes recipes_ref.lua: reference values of the four attention-over-RNN
Keras tutorial recipes, computed by PyTorch.

Run with /usr/bin/python3 (PyTorch) from anywhere:
    /usr/bin/python3 tests/ref/make_recipes_ref.py
The generated file is committed, so the tests never need Python.

The recurrent layers (Keras GRU with reset_after=True, LSTM, Bidirectional
with merge_mode="concat") come from make_rnn_ref.py, imported from its path;
the attention parts are written out here in plain torch with Keras's
semantics and weight layout. Every input (x, ids, weights, the loss weights
r) is drawn from a seeded generator and rounded to float32; everything is
then computed in float64. Weights use Keras-like initialization magnitudes:
glorot_uniform kernels (Keras's fan computation, also for the 3-D
self-attention kernel), orthogonal recurrent kernels, biases uniform(-0.1,
0.1); the embeddings are uniform(-0.05, 0.05) * 10.

The recipes (B=2, T=6, F=4, U=3 unless stated):
  1  x -> Bidirectional(GRU(U, rs)) -> Bidirectional(GRU(U, rs)) = h2
     time_last = transpose(h2, [0, 2, 1])                  (B, 2U, T)
     att_1 = Dense(T, tanh)(time_last)
     att_2 = Dense(T, softmax, use_bias=False)(att_1)      softmax over time
     out = sum(time_last * att_2, axis=-1)                 (B, 2U)
     final = Dense(5, softmax)(out)
  2  h = LSTM(U, rs)(x); query = Dense(U, tanh)(h)
     scores = Dot(axes=(2, 2))([query, h])                 (B, T, T)
     weights = softmax(scores, -1); context = Dot(axes=(2, 1))([weights, h])
     pooled = sum(context, axis=1); last = h[:, -1]
     final = Concatenate()([pooled, last])                 (B, 2U)
  3  ids (B, T) in [1, V) with trailing zeros (row 1: 2 padded steps, row
     2: none), V=7, d=4; e = Embedding(V, d, mask_zero=True)(ids);
     Masking() leaves the values alone and, embedding row 0 being zeros,
     its recomputed mask any(e != 0) is ids != 0;
     u = e @ w - 1e9 * (1 - mask); a = softmax(u over time);
     out = sum(a * e, axis=1); final = Dense(2, softmax)(out)
  4  h = LSTM(5, rs)(x) (or Bidirectional(LSTM(5, rs)), d_in = 10);
     K (3, d_in, 4); Q, Kk, V = h @ K[0], h @ K[1], h @ K[2];
     weights = softmax(Q Kk^T / 8, -1); out = weights @ V = final
For every case
    loss = sum(final * r)
and grads holds d loss / d x (float inputs only) and d each weight (Keras
layout, get_weights() order, layers in the order they are called).

Before anything is written, each recipe is recomputed by an independent
torch.nn implementation (nn.GRU / nn.LSTM, nn.Linear, nn.Embedding, bmm,
masked_fill) and compared (values, intermediates, gradients mapped back to
Keras layout; 1e-10), and the small cases pass torch.autograd.gradcheck.
The script fails loudly on any mismatch. Numbers are printed with "%.9g".
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "make_rnn_ref", os.path.join(HERE, "make_rnn_ref.py"))
rnn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rnn)  # sets the default dtype to float64

import torch  # noqa: E402
import torch.nn.functional as Fn  # noqa: E402

f32, Draw, close, leaf = rnn.f32, rnn.Draw, rnn.close, rnn.leaf
torch.set_default_dtype(torch.float64)

GRU_OPTS = {"return_sequences": True, "return_state": False,
            "go_backwards": False, "reset_after": True}
LSTM_OPTS = {"return_sequences": True, "return_state": False,
             "go_backwards": False}


# --------------------------------------------------------------------------
# Keras-like initialization.


def fans(shape):
    """keras.src.initializers.random_initializers.compute_fans."""
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = 1
    for s in shape[:-2]:
        rf *= s
    return shape[-2] * rf, shape[-1] * rf


def glorot(dr, *shape):
    fi, fo = fans(shape)
    limit = (6.0 / (fi + fo)) ** 0.5
    return dr.uniform(-limit, limit, *shape)


def orthogonal(dr, rows, cols):
    """keras Orthogonal for shape (rows, cols)."""
    a = dr.normal(max(rows, cols), min(rows, cols))
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r))
    if rows < cols:
        q = q.t()
    return f32(q.contiguous())


def bias(dr, *shape):
    return dr.uniform(-0.1, 0.1, *shape)


def rnn_weights(dr, layer, d, units):
    g = {"GRU": 3, "LSTM": 4}[layer] * units
    b = bias(dr, 2, g) if layer == "GRU" else bias(dr, g)  # reset_after
    return [glorot(dr, d, g), orthogonal(dr, units, g), b]


RNN_W = ["kernel", "recurrent_kernel", "bias"]


def bidi_weights(dr, layer, d, units, prefix):
    w = rnn_weights(dr, layer, d, units) + rnn_weights(dr, layer, d, units)
    low = layer.lower()
    names = (["%s/forward_%s/%s" % (prefix, low, n) for n in RNN_W]
             + ["%s/backward_%s/%s" % (prefix, low, n) for n in RNN_W])
    return w, names


# --------------------------------------------------------------------------
# Keras building blocks.


def bidi(layer, units, x, w):
    opts = GRU_OPTS if layer == "GRU" else LSTM_OPTS
    inner = {"layer": layer, "units": units, "options": opts}
    return rnn.bidirectional_forward(inner, "concat", x, w, None)


def rnn_seq(layer, units, x, w):
    opts = GRU_OPTS if layer == "GRU" else LSTM_OPTS
    y, _ = rnn.layer_forward(layer, units, opts, x, w, None, None)
    return y


def dense(x, kernel, b=None):
    y = x @ kernel
    return y + b if b is not None else y


# --------------------------------------------------------------------------
# The recipes in Keras semantics. Each takes (x, weights list) and returns
# (final, ordered dict of intermediates).


def recipe1(x, w, units):
    h1 = bidi("GRU", units, x, w[0:6])
    h2 = bidi("GRU", units, h1, w[6:12])
    time_last = h2.permute(0, 2, 1)
    att_1 = torch.tanh(dense(time_last, w[12], w[13]))
    att_2 = torch.softmax(dense(att_1, w[14]), -1)
    out = (time_last * att_2).sum(-1)
    final = torch.softmax(dense(out, w[15], w[16]), -1)
    return final, {"h1": h1, "h2": h2, "att_1": att_1, "att_2": att_2,
                   "out": out}


def recipe2(x, w, units):
    h = rnn_seq("LSTM", units, x, w[0:3])
    query = torch.tanh(dense(h, w[3], w[4]))
    scores = torch.einsum("biu,bju->bij", query, h)
    weights = torch.softmax(scores, -1)
    context = torch.einsum("bij,bju->biu", weights, h)
    pooled = context.sum(1)
    last = h[:, -1, :]
    final = torch.cat([pooled, last], -1)
    return final, {"h": h, "query": query, "scores": scores,
                   "weights": weights, "context": context, "pooled": pooled}


def recipe3(ids, mask, w):
    emb, att_w, dk, db = w
    e = emb[ids]                                     # (B, T, d)
    u = (e @ att_w).squeeze(-1)                      # (B, T)
    u = u - 1e9 * (1 - mask)
    a = torch.softmax(u, 1)
    out = (a.unsqueeze(-1) * e).sum(1)
    final = torch.softmax(dense(out, dk, db), -1)
    return final, {"a": a, "out": out}


def recipe4(x, w, units, bidirectional, scale):
    if bidirectional:
        h = bidi("LSTM", units, x, w[0:6])
        k = w[6]
    else:
        h = rnn_seq("LSTM", units, x, w[0:3])
        k = w[3]
    q, kk, v = h @ k[0], h @ k[1], h @ k[2]
    scores = q @ kk.transpose(1, 2) / scale
    weights = torch.softmax(scores, -1)
    out = weights @ v
    return out, {"h": h, "scores": scores, "weights": weights, "out": out}


# --------------------------------------------------------------------------
# Independent torch.nn implementations for the checks. Each returns
# (final, intermediates, function giving the Keras-layout weight grads).


def nn_rnn(layer, d, units, wlist, bidirectional, num_layers=1):
    m = rnn.torch_module(layer, d, units, num_layers=num_layers,
                         bidirectional=bidirectional)
    names = rnn.load_module(m, layer, wlist)
    return m, lambda: sum(rnn.grads_of_module(m, layer, wlist, names), [])


def nn_linear(kernel, b=None):
    m = torch.nn.Linear(kernel.shape[0], kernel.shape[1],
                        bias=b is not None).double()
    with torch.no_grad():
        m.weight.copy_(kernel.t())
        if b is not None:
            m.bias.copy_(b)

    def grads():
        g = [m.weight.grad.t()]
        return g + [m.bias.grad] if b is not None else g
    return m, grads


def nn_recipe1(x, w, f, units):
    gru, g0 = nn_rnn("GRU", f, units, [w[i:i + 3] for i in range(0, 12, 3)],
                     True, num_layers=2)
    a1, g1 = nn_linear(w[12], w[13])
    a2, g2 = nn_linear(w[14])
    fd, g3 = nn_linear(w[15], w[16])
    h2, _ = gru(x)
    tl = h2.transpose(1, 2)
    att_2 = Fn.softmax(a2(torch.tanh(a1(tl))), dim=2)
    out = torch.bmm(tl.reshape(-1, 1, tl.shape[2]),
                    att_2.reshape(-1, tl.shape[2], 1)).reshape(tl.shape[:2])
    final = Fn.softmax(fd(out), dim=1)
    return final, {"h2": h2, "att_2": att_2, "out": out}, \
        lambda: g0() + g1() + g2() + g3()


def nn_recipe2(x, w, f, units):
    lstm, g0 = nn_rnn("LSTM", f, units, [w[0:3]], False)
    ql, g1 = nn_linear(w[3], w[4])
    h, _ = lstm(x)
    query = torch.tanh(ql(h))
    scores = torch.bmm(query, h.transpose(1, 2))
    weights = Fn.softmax(scores, dim=2)
    context = torch.bmm(weights, h)
    pooled = context.sum(1)
    final = torch.cat([pooled, h[:, -1]], 1)
    return final, {"h": h, "scores": scores, "weights": weights,
                   "context": context, "pooled": pooled}, \
        lambda: g0() + g1()


def nn_recipe3(ids, mask, w):
    emb = torch.nn.Embedding(w[0].shape[0], w[0].shape[1]).double()
    with torch.no_grad():
        emb.weight.copy_(w[0])
    att, ga = nn_linear(w[1])
    fd, gd = nn_linear(w[2], w[3])
    e = emb(ids)
    u = att(e).squeeze(2).masked_fill(mask == 0, float("-inf"))
    a = Fn.softmax(u, dim=1)
    out = torch.bmm(a.unsqueeze(1), e).squeeze(1)
    final = Fn.softmax(fd(out), dim=1)
    return final, {"a": a, "out": out}, \
        lambda: [emb.weight.grad] + ga() + gd()


def nn_recipe4(x, w, f, units, bidirectional, scale):
    n = 6 if bidirectional else 3
    lstm, g0 = nn_rnn("LSTM", f, units, [w[i:i + 3] for i in range(0, n, 3)],
                      bidirectional)
    kp = torch.nn.Parameter(w[n].clone())
    h, _ = lstm(x)
    q, kk, v = [Fn.linear(h, kp[i].t()) for i in range(3)]
    weights = Fn.softmax(torch.bmm(q, kk.transpose(1, 2)).mul(1.0 / scale),
                         dim=2)
    out = torch.bmm(weights, v)
    return out, {"h": h, "weights": weights, "out": out}, \
        lambda: g0() + [kp.grad]


# --------------------------------------------------------------------------
# Cases.


def run_case(name, fwd, nn_fwd, x, w, names, r, gradcheck):
    """Runs fwd (ours) and nn_fwd (torch.nn) on leaves, checks them against
    each other and returns (final, intermediates, grads)."""
    xl = leaf(x) if x is not None and x.is_floating_point() else x
    wl = [leaf(a) for a in w]
    final, inter = fwd(xl, wl)
    (final * r).sum().backward()
    grads = {}
    if xl is not None and xl.is_floating_point():
        grads["x"] = xl.grad
    grads["weights"] = [a.grad for a in wl]

    xt = leaf(x) if x is not None and x.is_floating_point() else x
    finalt, intert, gw = nn_fwd(xt, w)
    (finalt * r).sum().backward()
    close(name + " final", final.detach(), finalt.detach())
    for k, v in intert.items():
        close(name + " " + k, inter[k].detach(), v.detach())
    if "x" in grads:
        close(name + " dx", grads["x"], xt.grad)
    gt = gw()
    assert len(gt) == len(w) == len(names)
    for nm, a, b in zip(names, grads["weights"], gt):
        close(name + " d " + nm, a, b)

    if gradcheck:
        inputs = [leaf(a) for a in w]
        if "x" in grads:
            inputs = [leaf(x)] + inputs

            def loss(xx, *ww):
                return (fwd(xx, list(ww))[0] * r).sum()
        else:
            def loss(*ww):
                return (fwd(x, list(ww))[0] * r).sum()
        if not torch.autograd.gradcheck(loss, tuple(inputs), eps=1e-6,
                                        atol=1e-7, rtol=1e-5):
            sys.exit("CHECK FAILED: %s gradcheck" % name)
        rnn.CHECKS.append(name + " gradcheck")

    return final.detach(), {k: v.detach() for k, v in inter.items()}, grads


def case_recipe1(name, seed, b, t, f, u, n_out, intermediates, gradcheck):
    dr = Draw(seed)
    x = dr.normal(b, t, f)
    w1, n1 = bidi_weights(dr, "GRU", f, u, "bidirectional_1")
    w2, n2 = bidi_weights(dr, "GRU", 2 * u, u, "bidirectional_2")
    w = w1 + w2 + [glorot(dr, t, t), bias(dr, t), glorot(dr, t, t),
                   glorot(dr, 2 * u, n_out), bias(dr, n_out)]
    names = n1 + n2 + ["att_1/kernel", "att_1/bias", "att_2/kernel",
                       "dense/kernel", "dense/bias"]
    r = dr.normal(b, n_out)
    final, inter, grads = run_case(
        name, lambda xx, ww: recipe1(xx, ww, u),
        lambda xx, ww: nn_recipe1(xx, ww, f, u), x, w, names, r, gradcheck)
    return {"name": name, "recipe": 1,
            "sizes": {"B": b, "T": t, "F": f, "U": u, "classes": n_out},
            "x": x, "weight_names": names, "weights": w,
            "intermediates": {k: inter[k] for k in intermediates},
            "final": final, "r": r, "grads": grads}


def case_recipe2(name, seed, b, t, f, u):
    dr = Draw(seed)
    x = dr.normal(b, t, f)
    w = rnn_weights(dr, "LSTM", f, u) + [glorot(dr, u, u), bias(dr, u)]
    names = ["lstm/" + n for n in RNN_W] + ["query/kernel", "query/bias"]
    r = dr.normal(b, 2 * u)
    final, inter, grads = run_case(
        name, lambda xx, ww: recipe2(xx, ww, u),
        lambda xx, ww: nn_recipe2(xx, ww, f, u), x, w, names, r, True)
    return {"name": name, "recipe": 2,
            "sizes": {"B": b, "T": t, "F": f, "U": u},
            "x": x, "weight_names": names, "weights": w,
            "intermediates": inter, "final": final, "r": r, "grads": grads}


def case_recipe3(name, seed, b, t, vocab, d, n_out, padded):
    dr = Draw(seed)
    ids = torch.randint(1, vocab, (b, t), generator=dr.g)
    for row, p in enumerate(padded):
        if p:
            ids[row, t - p:] = 0
    mask = (ids != 0).to(torch.float64)
    emb = dr.uniform(-0.05 * 10, 0.05 * 10, vocab, d)
    # Row 0 (the padding id) is zeros: Keras's Masking() recomputes the
    # mask from the values, any(e != 0), so only then does the mask after
    # Embedding(mask_zero=True) -> Masking() stay ids != 0.
    emb[0] = 0.0
    w = [emb, glorot(dr, d, 1), glorot(dr, d, n_out), bias(dr, n_out)]
    names = ["embedding/embeddings", "attention_pooling/kernel",
             "dense/kernel", "dense/bias"]
    r = dr.normal(b, n_out)
    final, inter, grads = run_case(
        name, lambda _, ww: recipe3(ids, mask, ww),
        lambda _, ww: nn_recipe3(ids, mask, ww), ids, w, names, r, True)
    # padded steps get exactly zero attention
    assert bool((inter["a"][mask == 0] == 0).all())
    return {"name": name, "recipe": 3,
            "sizes": {"B": b, "T": t, "V": vocab, "d": d, "classes": n_out},
            "ids": ids, "mask": mask, "weight_names": names, "weights": w,
            "intermediates": inter, "final": final, "r": r, "grads": grads}


def case_recipe4(name, seed, b, t, f, u, d_out, bidirectional, scale=8.0):
    dr = Draw(seed)
    x = dr.normal(b, t, f)
    if bidirectional:
        w, names = bidi_weights(dr, "LSTM", f, u, "bidirectional")
    else:
        w, names = rnn_weights(dr, "LSTM", f, u), ["lstm/" + n for n in RNN_W]
    d_in = 2 * u if bidirectional else u
    w = w + [glorot(dr, 3, d_in, d_out)]
    names = names + ["self_attention/kernel"]
    r = dr.normal(b, t, d_out)
    final, inter, grads = run_case(
        name, lambda xx, ww: recipe4(xx, ww, u, bidirectional, scale),
        lambda xx, ww: nn_recipe4(xx, ww, f, u, bidirectional, scale),
        x, w, names, r, True)
    return {"name": name, "recipe": 4,
            "sizes": {"B": b, "T": t, "F": f, "U": u, "d_in": d_in,
                      "d_out": d_out},
            "bidirectional": bidirectional, "scale": scale,
            "x": x, "weight_names": names, "weights": w,
            "intermediates": inter, "final": final, "r": r, "grads": grads}


# --------------------------------------------------------------------------
# Lua output (insertion order kept).


def lua_value(v, indent):
    if isinstance(v, torch.Tensor):
        return rnn.lua_tensor(v, indent)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return rnn.num(v)
    if isinstance(v, str):
        return '"%s"' % v
    pad = " " * (indent + 2)
    if isinstance(v, list):
        items = [pad + lua_value(a, indent + 2) for a in v]
    elif isinstance(v, dict):
        items = ["%s%s = %s" % (pad, k, lua_value(a, indent + 2))
                 for k, a in v.items() if a is not None]
    else:
        raise TypeError(type(v))
    return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"


def main():
    B, T, F, U = 2, 6, 4, 3
    cases = [
        case_recipe1("recipe1", 3000, B, T, F, U, 5,
                     ["h1", "h2", "att_1", "att_2", "out"], True),
        case_recipe2("recipe2", 3100, B, T, F, U),
        case_recipe3("recipe3", 3200, B, T, 7, 4, 2, [2, 0]),
        case_recipe4("recipe4", 3300, B, T, F, 5, 4, False),
        case_recipe4("recipe4_bidirectional", 3400, B, T, F, 5, 4, True),
        case_recipe1("recipe1_seed", 3500, 2, 64, 32, 64, 5,
                     ["h2", "att_2", "out"], False),
    ]
    path = os.path.join(HERE, "recipes_ref.lua")
    body = ",\n".join("    " + lua_value(c, 4) for c in cases)
    with open(path, "w") as f:
        f.write("-- Generated by tests/ref/make_recipes_ref.py; do not edit.\n"
                "-- Regenerate with: /usr/bin/python3 "
                "tests/ref/make_recipes_ref.py\n"
                "-- Reference values of the four attention-over-RNN recipes\n"
                "-- computed by PyTorch in float64 from float32-rounded "
                "inputs;\n"
                "-- loss = sum(final * r), grads = d loss / d x and d each "
                "weight\n"
                "-- (Keras layout, in weight_names order). See the script "
                "for the recipes.\n"
                "return {\n  cases = {\n" + body + "\n  }\n}\n")
    print("%d checks passed; wrote %s (%d cases, %d bytes)"
          % (len(rnn.CHECKS), path, len(cases), os.path.getsize(path)))


if __name__ == "__main__":
    main()
