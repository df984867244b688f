#!/usr/bin/python3
"""Writes train_ref.h: reference values for tests/c/test_train.c.

Losses: Keras 3's formulas (keras/src/losses/losses.py and the TensorFlow
backend's nn.py: categorical crossentropy renormalises probabilities and
clips them to [1e-7, 1 - 1e-7]; the sparse one takes the log of the clipped
probabilities as logits; binary crossentropy clips) written with PyTorch ops
in float64 on float32 inputs, with their gradients by autograd. Where
PyTorch has the same loss natively (cross_entropy with probability targets
and label smoothing, cross_entropy with class indices, nll_loss,
binary_cross_entropy(_with_logits), mse_loss, l1_loss) its value is written
too, and the script checks the two agree.

Optimizers: three steps of torch.optim's SGD (momentum, nesterov), RMSprop
(momentum, centered), Adam (amsgrad), AdamW and Adagrad on a 5-vector with
fixed gradients. PyTorch adds epsilon outside the square root (RMSprop,
Adagrad) or after bias correction (Adam) where Keras does not, so these
cases use epsilon = 0, where both rules agree; the C test checks Keras's
own epsilon placement against the formulas by hand.

Run with /usr/bin/python3 (PyTorch) from anywhere:
    /usr/bin/python3 tests/ref/make_train_ref.py
The generated header is committed, so `make check` never needs Python.
"""
import math
import os

import torch
import torch.nn.functional as F

EPS = 1e-7
HI = float(torch.tensor(1.0 - EPS, dtype=torch.float32))  # 1 - eps in float32
LO = float(torch.tensor(EPS, dtype=torch.float32))


def f32(t):
    """t rounded to float32, kept in float64 for the computation."""
    return t.to(torch.float32).to(torch.float64)


def cfloat(v):
    v = float(v)
    if math.isnan(v):
        return "NAN"
    return format(v, ".9g") + ("f" if "e" in format(v, ".9g") or "." in format(v, ".9g") else ".0f")


def carray(name, t):
    vals = [cfloat(v) for v in t.to(torch.float32).flatten()]
    row = t.shape[-1] if t.dim() > 0 else 1
    lines = []
    for i in range(0, len(vals), max(row, 1)):
        lines.append("    " + ", ".join(vals[i:i + row]) + ",")
    if not vals:
        lines = ["    0"]
    return ("static const float %s[] = {\n%s\n};\n" % (name, "\n".join(lines)))


def cshape(shape):
    return "%d, {%s}" % (len(shape), ", ".join(str(s) for s in shape) or "0")


def clip(x):
    return torch.clamp(x, LO, HI)  # clamp's gradient passes at the ends, as TF's


# ---- Keras's losses, per sample ---------------------------------------------

def cce(t, p, from_logits, ls):
    if ls:
        t = t * (1.0 - ls) + ls / t.shape[-1]
    if from_logits:
        return -(t * torch.log_softmax(p, -1)).sum(-1)
    q = p / p.sum(-1, keepdim=True)
    return -(t * torch.log(clip(q))).sum(-1)


def scce(t, p, from_logits, ls):
    del ls
    idx = t.long().unsqueeze(-1)
    if from_logits:
        return -torch.log_softmax(p, -1).gather(-1, idx).squeeze(-1)
    return -torch.log_softmax(torch.log(clip(p)), -1).gather(-1, idx).squeeze(-1)


def bce(t, p, from_logits, ls):
    if ls:
        t = t * (1.0 - ls) + 0.5 * ls
    if from_logits:
        e = torch.clamp(p, min=0) - p * t + torch.log1p(torch.exp(-p.abs()))
    else:
        c = clip(p)
        e = -(t * torch.log(c) + (1 - t) * torch.log(1 - c))
    return e.mean(-1)


def mse(t, p, from_logits, ls):
    return ((t - p) ** 2).mean(-1)


def mae(t, p, from_logits, ls):
    return (t - p).abs().mean(-1)


KINDS = {
    "cce": ("NN_LOSS_CATEGORICAL_CROSSENTROPY", cce),
    "scce": ("NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY", scce),
    "bce": ("NN_LOSS_BINARY_CROSSENTROPY", bce),
    "mse": ("NN_LOSS_MEAN_SQUARED_ERROR", mse),
    "mae": ("NN_LOSS_MEAN_ABSOLUTE_ERROR", mae),
}


def loss_case(idx, what, kind, t, p, from_logits=False, ls=0.0,
              reduction="sum_over_batch_size", native=None, tshape=None,
              pshape=None):
    """One case: the inputs, Keras's value, the gradients of sum(value) (for
    reduction none) in y_pred and y_true. t and p are given in the shapes
    the loss sees after rank matching; tshape/pshape are the shapes handed
    to the C op (e.g. (4, 1) labels)."""
    cname, fn = KINDS[kind]
    tt = t.clone().requires_grad_(kind != "scce")
    pp = p.clone().requires_grad_(True)
    per = fn(tt, pp, from_logits, ls)
    if reduction == "none":
        out = per
    elif reduction == "sum":
        out = per.sum()
    else:
        out = per.mean()
    out.sum().backward()
    nat = float("nan")
    if native is not None:
        nat = float(native(t, p))
        assert abs(nat - float(out)) < 1e-6 * max(1.0, abs(nat)), \
            (what, nat, float(out))
    red = {"sum_over_batch_size": "NN_REDUCTION_SUM_OVER_BATCH_SIZE",
           "sum": "NN_REDUCTION_SUM", "none": "NN_REDUCTION_NONE"}[reduction]
    pre = "loss%d" % idx
    arrays = [carray(pre + "_yt", t), carray(pre + "_yp", p),
              carray(pre + "_value", out.detach().reshape(-1)),
              carray(pre + "_dyp", pp.grad)]
    if kind != "scce":
        arrays.append(carray(pre + "_dyt", tt.grad))
    entry = ("    {\"%s\", %s, %s, %sf, %s,\n"
             "     %s, %s_yt, %s, %s_yp,\n"
             "     %s, %s_value, %s, %s_dyp, %s, %s},\n"
             % (what, cname, "true" if from_logits else "false",
                repr(float(ls)), red,
                cshape(tshape or tuple(t.shape)), pre,
                cshape(pshape or tuple(p.shape)), pre,
                cshape(tuple(out.shape)), pre, cfloat(nat), pre,
                (pre + "_dyt") if kind != "scce" else "NULL",
                "true" if native is not None else "false"))
    return arrays, entry


# ---- optimizers ----------------------------------------------------------------

def opt_case(idx, what, make, cfg, w0, grads):
    w = w0.clone().requires_grad_(True)
    opt = make([w])
    steps = []
    for g in grads:
        w.grad = g.clone()
        opt.step()
        steps.append(w.detach().clone())
    pre = "opt%d" % idx
    arrays = [carray(pre + "_w", torch.stack(steps))]
    fields = ", ".join(".%s = %s" % (k, v) for k, v in cfg.items())
    entry = "    {\"%s\", {%s, .grad_scale = 1.0f}, %s_w},\n" % (what, fields, pre)
    return arrays, entry


def main():
    g = torch.Generator().manual_seed(20240611)

    def randn(*shape):
        return f32(torch.randn(*shape, generator=g, dtype=torch.float64))

    def rand(*shape):
        return f32(torch.rand(*shape, generator=g, dtype=torch.float64))

    def randint(n, *shape):
        return torch.randint(0, n, shape, generator=g).to(torch.float64)

    def onehot(labels, n):
        return F.one_hot(labels.long(), n).to(torch.float64)

    B, C = 4, 5
    labels = randint(C, B)
    logits = randn(B, C)
    probs = f32(torch.softmax(logits, -1))
    unnorm = f32(rand(B, C) + 0.1)           # rows that do not sum to 1
    sat = f32(torch.tensor([[1e-9, 1.0 - 1e-9, 0.0, 0.0, 0.0],
                            [0.25, 0.25, 0.25, 0.25, 0.0],
                            [0.9999999, 1e-8, 0.0, 0.0, 1e-8],
                            [0.2, 0.2, 0.2, 0.2, 0.2]], dtype=torch.float64))
    sat_labels = torch.tensor([0.0, 4.0, 0.0, 2.0], dtype=torch.float64)
    labels3 = randint(C, 2, 3)
    logits3 = randn(2, 3, C)
    bin_t = randint(2, B, 3)
    bin_p = f32(rand(B, 3) * 0.9 + 0.05)
    bin_x = randn(B, 3) * 3
    bin_sat = f32(torch.tensor([[0.0, 1.0, 0.5], [1e-9, 0.9999999, 0.3],
                                [1.0, 0.0, 0.7], [0.5, 0.5, 0.5]],
                               dtype=torch.float64))
    reg_t = randn(B, 3)
    reg_p = randn(B, 3)
    reg_p[0, 1] = reg_t[0, 1]  # an exact hit: MAE's gradient is 0 there
    reg_t1 = randn(B)
    reg_p1 = randn(B, 1)

    cases = [
        ("cce probabilities", "cce", onehot(labels, C), probs, {},
         lambda t, p: F.nll_loss(torch.log(p), t.argmax(-1))),
        ("cce unnormalised probabilities", "cce", onehot(labels, C), unnorm,
         {}, lambda t, p: F.nll_loss(torch.log(p / p.sum(-1, keepdim=True)),
                                     t.argmax(-1))),
        ("cce clipped probabilities", "cce", onehot(sat_labels, C), sat, {},
         None),
        ("cce soft labels", "cce", f32(torch.softmax(randn(B, C), -1)), probs,
         {}, None),
        ("cce logits", "cce", onehot(labels, C), logits,
         {"from_logits": True}, lambda t, p: F.cross_entropy(p, t)),
        ("cce logits label_smoothing 0.1", "cce", onehot(labels, C), logits,
         {"from_logits": True, "ls": 0.1},
         lambda t, p: F.cross_entropy(p, t, label_smoothing=0.1)),
        ("cce probabilities label_smoothing 0.2", "cce", onehot(labels, C),
         probs, {"ls": 0.2}, None),
        ("cce logits reduction sum", "cce", onehot(labels, C), logits,
         {"from_logits": True, "reduction": "sum"},
         lambda t, p: F.cross_entropy(p, t, reduction="sum")),
        ("cce logits reduction none", "cce", onehot(labels, C), logits,
         {"from_logits": True, "reduction": "none"}, None),
        ("scce logits", "scce", labels, logits, {"from_logits": True},
         lambda t, p: F.cross_entropy(p, t.long())),
        ("scce logits (4, 1) labels", "scce", labels, logits,
         {"from_logits": True, "tshape": (B, 1)},
         lambda t, p: F.cross_entropy(p, t.long())),
        ("scce logits 3-D", "scce", labels3, logits3, {"from_logits": True},
         lambda t, p: F.cross_entropy(p.permute(0, 2, 1), t.long())),
        ("scce probabilities", "scce", labels, probs, {},
         lambda t, p: F.nll_loss(torch.log(p), t.long())),
        ("scce clipped probabilities", "scce", sat_labels, sat, {}, None),
        ("scce unnormalised probabilities", "scce", labels, unnorm, {}, None),
        ("bce probabilities", "bce", bin_t, bin_p, {},
         lambda t, p: F.binary_cross_entropy(p, t)),
        ("bce clipped probabilities", "bce", bin_t, bin_sat, {}, None),
        ("bce logits", "bce", bin_t, bin_x, {"from_logits": True},
         lambda t, p: F.binary_cross_entropy_with_logits(p, t)),
        ("bce logits label_smoothing 0.2", "bce", bin_t, bin_x,
         {"from_logits": True, "ls": 0.2},
         lambda t, p: F.binary_cross_entropy_with_logits(p, t * 0.8 + 0.1)),
        ("bce probabilities label_smoothing 0.2", "bce", bin_t, bin_p,
         {"ls": 0.2}, lambda t, p: F.binary_cross_entropy(p, t * 0.8 + 0.1)),
        ("mse", "mse", reg_t, reg_p, {}, lambda t, p: F.mse_loss(p, t)),
        ("mse (4,) labels, (4, 1) predictions", "mse", reg_t1.reshape(B, 1),
         reg_p1, {"tshape": (B,)}, lambda t, p: F.mse_loss(p, t)),
        ("mse reduction none", "mse", reg_t, reg_p, {"reduction": "none"},
         None),
        ("mae", "mae", reg_t, reg_p, {}, lambda t, p: F.l1_loss(p, t)),
        ("mae reduction sum", "mae", reg_t, reg_p, {"reduction": "sum"},
         lambda t, p: F.l1_loss(p, t, reduction="sum") / 3),
    ]
    arrays, entries = [], []
    for i, (what, kind, t, p, kw, native) in enumerate(cases):
        a, e = loss_case(i, what, kind, t, p, from_logits=kw.get("from_logits", False),
                         ls=kw.get("ls", 0.0),
                         reduction=kw.get("reduction", "sum_over_batch_size"),
                         native=native, tshape=kw.get("tshape"))
        arrays += a
        entries.append(e)

    w0 = randn(5)
    grads = [randn(5) for _ in range(3)]
    o = torch.optim
    opts = [
        ("SGD", lambda p: o.SGD(p, lr=0.1),
         {"kind": "NN_OPT_SGD", "learning_rate": "0.1f"}),
        ("SGD momentum 0.9", lambda p: o.SGD(p, lr=0.1, momentum=0.9),
         {"kind": "NN_OPT_SGD", "learning_rate": "0.1f", "momentum": "0.9f"}),
        ("SGD nesterov", lambda p: o.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
         {"kind": "NN_OPT_SGD", "learning_rate": "0.1f", "momentum": "0.9f",
          "nesterov": "true"}),
        ("RMSprop epsilon 0", lambda p: o.RMSprop(p, lr=0.01, alpha=0.9, eps=0),
         {"kind": "NN_OPT_RMSPROP", "learning_rate": "0.01f", "rho": "0.9f"}),
        ("RMSprop momentum 0.5 epsilon 0",
         lambda p: o.RMSprop(p, lr=0.01, alpha=0.9, eps=0, momentum=0.5),
         {"kind": "NN_OPT_RMSPROP", "learning_rate": "0.01f", "rho": "0.9f",
          "momentum": "0.5f"}),
        ("RMSprop centered epsilon 0",
         lambda p: o.RMSprop(p, lr=0.01, alpha=0.9, eps=0, centered=True),
         {"kind": "NN_OPT_RMSPROP", "learning_rate": "0.01f", "rho": "0.9f",
          "centered": "true"}),
        ("Adam epsilon 0", lambda p: o.Adam(p, lr=0.01, eps=0),
         {"kind": "NN_OPT_ADAM", "learning_rate": "0.01f", "beta_1": "0.9f",
          "beta_2": "0.999f"}),
        ("Adam amsgrad epsilon 0", lambda p: o.Adam(p, lr=0.01, eps=0, amsgrad=True),
         {"kind": "NN_OPT_ADAM", "learning_rate": "0.01f", "beta_1": "0.9f",
          "beta_2": "0.999f", "amsgrad": "true"}),
        ("AdamW weight_decay 0.1 epsilon 0",
         lambda p: o.AdamW(p, lr=0.01, eps=0, weight_decay=0.1),
         {"kind": "NN_OPT_ADAM", "learning_rate": "0.01f", "beta_1": "0.9f",
          "beta_2": "0.999f", "weight_decay": "0.1f"}),
        ("Adagrad epsilon 0",
         lambda p: o.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=0),
         {"kind": "NN_OPT_ADAGRAD", "learning_rate": "0.1f"}),
    ]
    oarrays, oentries = [], []
    for i, (what, make, cfg) in enumerate(opts):
        a, e = opt_case(i, what, make, cfg, w0, grads)
        oarrays += a
        oentries.append(e)

    parts = [
        "/*\n"
        " * train_ref.h - reference values for tests/c/test_train.c.\n"
        " *\n"
        " * GENERATED by tests/ref/make_train_ref.py (PyTorch %s); do not\n"
        " * edit. Losses: Keras's formulas in float64 with their gradients\n"
        " * (of the sum of the result), and PyTorch's own loss where it has\n"
        " * one; optimizers: three steps of torch.optim.\n"
        " */\n"
        "#ifndef TRAIN_REF_H\n#define TRAIN_REF_H\n\n"
        "#include <math.h>\n#include <stdbool.h>\n\n"
        "#include \"train/losses.h\"\n#include \"train/optimizers.h\"\n"
        % torch.__version__,
        "typedef struct {\n"
        "    const char *what;\n"
        "    nn_loss_kind kind;\n"
        "    bool from_logits;\n"
        "    float label_smoothing;\n"
        "    nn_loss_reduction reduction;\n"
        "    int tndim; int64_t tshape[3]; const float *yt;\n"
        "    int pndim; int64_t pshape[3]; const float *yp;\n"
        "    int ondim; int64_t oshape[3]; const float *value;\n"
        "    float torch_value; /* PyTorch's own loss, NAN if none */\n"
        "    const float *dyp, *dyt; /* dyt NULL: not differentiable */\n"
        "    bool has_torch;\n"
        "} loss_ref;\n",
        "typedef struct {\n"
        "    const char *what;\n"
        "    nn_optimizer_config cfg;\n"
        "    const float *w; /* after steps 1, 2, 3 */\n"
        "} opt_ref;\n",
        carray("opt_w0", w0),
        carray("opt_grads", torch.stack(grads)),
    ]
    parts += arrays
    parts.append("static const loss_ref loss_refs[] = {\n%s};\n"
                 % "".join(entries))
    parts += oarrays
    parts.append("static const opt_ref opt_refs[] = {\n%s};\n"
                 % "".join(oentries))
    parts.append("#endif\n")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "train_ref.h")
    with open(path, "w") as fh:
        fh.write("\n".join(parts))
    print("wrote", path)


if __name__ == "__main__":
    main()
