#!/usr/bin/python3
"""Writes tests/ref/ops_ref.h: PyTorch reference values for tests/c/test_ops.c.

Run from anywhere (the header is written next to this script):

    /usr/bin/python3 tests/ref/make_ops_ref.py

The inputs are float32 (printed so they read back exactly); every expected
value is computed by PyTorch in float64 from those float32 inputs, so the
reference is more accurate than the float32 code it checks. Expected
gradients are those of sum(w * y) for a fixed random w (of sum(y) for the
unary functions, where that gives dy/dx itself).
"""
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(20240607)
torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops_ref.h")
lines = []


def emit(s=""):
    lines.append(s)


def f32(t):
    """A float32 tensor's values, as the float64 tensor torch computes on."""
    return t.to(torch.float32).to(torch.float64)


def floats(values):
    return ", ".join("%.9gf" % v for v in values)


def doubles(values):
    return ", ".join("%.17g" % v for v in values)


def wrap(body, indent="    "):
    """Splits a comma-separated list over lines of at most 79 columns."""
    out, cur = [], indent
    for item in body.split(", "):
        piece = item + ","
        if len(cur) + len(piece) + 1 > 79 and cur.strip():
            out.append(cur.rstrip())
            cur = indent
        cur += piece + " "
    if cur.strip():
        out.append(cur.rstrip())
    return "\n".join(out)


def inline(values, fmt, last=False):
    """A brace-enclosed initializer on lines of at most 79 columns."""
    emit("     {")
    emit(wrap(fmt([float(v) for v in values]), "      "))
    emit("     }}," if last else "     },")


def array(ctype, name, values, fmt):
    values = [float(v) for v in values]
    emit("static const %s %s[%d] = {" % (ctype, name, len(values)))
    emit(wrap(fmt(values)))
    emit("};")


def shape_init(shape):
    return "{" + ", ".join(str(d) for d in shape) + "}"


def uniform(shape, lo, hi):
    return f32(torch.rand(shape) * (hi - lo) + lo)


# ---- unary functions -------------------------------------------------------

N_UNARY = 16


def away_from_kinks(x, kinks, margin):
    """Redraws values closer than margin to a kink (0 for relu, 3 for
    hard_sigmoid...), where the derivative is undefined."""
    x = x.clone()
    for i in range(x.numel()):
        while any(abs(float(x[i]) - k) < margin for k in kinks):
            x[i] = float(uniform((1,), -4.0, 4.0))
    return x


x_any = away_from_kinks(uniform((N_UNARY,), -4.0, 4.0), (-3.0, 0.0, 3.0),
                        0.1)
x_pos = uniform((N_UNARY,), 0.05, 5.0)

UNARY = [
    # name, input, torch function (the order of nn_unary_kind)
    ("neg", "any", lambda x: -x),
    ("exp", "any", torch.exp),
    ("log", "pos", torch.log),
    ("sqrt", "pos", torch.sqrt),
    ("abs", "any", torch.abs),
    ("square", "any", lambda x: x * x),
    ("tanh", "any", torch.tanh),
    ("sigmoid", "any", torch.sigmoid),
    ("relu", "any", F.relu),
    ("elu", "any", lambda x: F.elu(x, alpha=1.0)),
    ("selu", "any", F.selu),
    ("gelu", "any", lambda x: F.gelu(x, approximate="none")),
    ("softplus", "any", F.softplus),
    ("softsign", "any", F.softsign),
    ("hard_sigmoid", "any", F.hardsigmoid),  # relu6(x + 3) / 6, as Keras 3
    ("silu", "any", F.silu),
]

# ---- softmax ---------------------------------------------------------------

SOFTMAX_SHAPE = (2, 3, 4)
sm_x = f32(torch.randn(SOFTMAX_SHAPE) * 2.0)
sm_w = uniform(SOFTMAX_SHAPE, -1.0, 1.0)

# ---- matmul and batch_dot --------------------------------------------------

MATMUL = [
    # name, a shape, b shape, transpose_a, transpose_b
    ("2d", (3, 4), (4, 5), 0, 0),
    ("batched", (2, 3, 4), (2, 4, 5), 0, 0),
    ("batch_times_matrix", (2, 3, 4), (4, 5), 0, 0),
    ("broadcast_batch_1", (1, 3, 4), (2, 4, 5), 0, 0),
    ("broadcast_both", (2, 1, 3, 4), (3, 4, 2), 0, 0),
    ("transpose_a", (4, 3), (4, 5), 1, 0),
    ("transpose_b", (2, 3, 4), (5, 4), 0, 1),
    ("transpose_both", (2, 4, 3), (2, 5, 4), 1, 1),
]

BATCH_DOT = [
    # name, x shape, y shape, default axes, ax, ay, einsum of the result
    ("default_3d", (2, 3, 4), (2, 4, 5), 1, 0, 0, "bnk,bkm->bnm"),
    ("default_2d", (3, 4), (3, 4), 1, 0, 0, "bk,bk->b"),
    ("axes_2_2", (2, 3, 4), (2, 5, 4), 0, 2, 2, "bnk,bmk->bnm"),
    ("default_2d_3d", (3, 4), (3, 4, 2), 1, 0, 0, "bk,bkm->bm"),
    ("axes_1_2", (2, 4, 3), (2, 5, 4), 0, 1, 2, "bkn,bmk->bnm"),
    ("axes_neg1_1_4d", (2, 3, 4, 5), (2, 5, 2), 0, -1, 1,
     "bpqk,bkm->bpqm"),
]


def product_case(fn, a_shape, b_shape):
    a = uniform(a_shape, -1.0, 1.0).requires_grad_()
    b = uniform(b_shape, -1.0, 1.0).requires_grad_()
    y = fn(a, b)
    w = uniform(y.shape, -1.0, 1.0)
    (y * w).sum().backward()
    return a, b, y.detach(), w, a.grad, b.grad


def main():
    emit("/*")
    emit(" * ops_ref.h - PyTorch %s reference values for tests/c/test_ops.c."
         % torch.__version__.split("+")[0])
    emit(" *")
    emit(" * GENERATED FILE, do not edit. Regenerate with")
    emit(" *     /usr/bin/python3 tests/ref/make_ops_ref.py")
    emit(" * (see that script for how the values are made).")
    emit(" */")
    emit("#ifndef TEST_OPS_REF_H")
    emit("#define TEST_OPS_REF_H")
    emit()
    emit("#include <stdint.h>")
    emit()

    # unary
    emit("/* ---- unary functions: y = f(x) and dy/dx ---- */")
    emit()
    emit("#define REF_UNARY_N %d" % N_UNARY)
    array("float", "ref_unary_x_any", x_any, floats)
    array("float", "ref_unary_x_pos", x_pos, floats)
    emit()
    emit("typedef struct {")
    emit("    const char *name; /* as nn_unary_name */")
    emit("    const float *x;")
    emit("    double y[REF_UNARY_N], dx[REF_UNARY_N];")
    emit("} ref_unary;")
    emit()
    emit("static const ref_unary ref_unary_cases[] = {")
    for name, which, fn in UNARY:
        x = (x_any if which == "any" else x_pos).clone().requires_grad_()
        y = fn(x)
        y.sum().backward()
        emit('    {"%s", ref_unary_x_%s,' % (name, which))
        inline(y.detach().tolist(), doubles)
        inline(x.grad.tolist(), doubles, last=True)
    emit("};")
    emit("#define REF_UNARY_COUNT %d" % len(UNARY))
    emit()

    # softmax
    emit("/* ---- softmax and log_softmax of x (2, 3, 4) along each axis;")
    emit(" * dx is the gradient of sum(w * y) ---- */")
    emit()
    array("float", "ref_softmax_x", sm_x.flatten(), floats)
    array("float", "ref_softmax_w", sm_w.flatten(), floats)
    emit()
    emit("typedef struct {")
    emit("    int log, axis;")
    emit("    double y[24], dx[24];")
    emit("} ref_softmax;")
    emit()
    emit("static const ref_softmax ref_softmax_cases[] = {")
    for log in (0, 1):
        for axis in (0, 1, 2):
            x = sm_x.clone().requires_grad_()
            y = (F.log_softmax if log else F.softmax)(x, dim=axis)
            (y * sm_w).sum().backward()
            emit("    {%d, %d," % (log, axis))
            inline(y.detach().flatten().tolist(), doubles)
            inline(x.grad.flatten().tolist(), doubles, last=True)
    emit("};")
    emit("#define REF_SOFTMAX_COUNT 6")
    emit()

    # products
    emit("/* ---- matmul and batch_dot: y = a (op) b, and the gradients of")
    emit(" * sum(w * y) with respect to a and b ---- */")
    emit()
    emit("typedef struct {")
    emit("    const char *name;")
    emit("    int trans_a, trans_b;     /* matmul */")
    emit("    int default_axes, ax, ay; /* batch_dot */")
    emit("    int andim, bndim, yndim;")
    emit("    int64_t ashape[4], bshape[4], yshape[4];")
    emit("    const float *a, *b, *w;")
    emit("    const double *y, *ga, *gb;")
    emit("} ref_product;")
    emit()
    for table, cases in (("matmul", MATMUL), ("batch_dot", BATCH_DOT)):
        rows = []
        for case in cases:
            if table == "matmul":
                name, ash, bsh, ta, tb = case
                fn = (lambda ta, tb: lambda a, b: torch.matmul(
                    a.transpose(-1, -2) if ta else a,
                    b.transpose(-1, -2) if tb else b))(ta, tb)
                dflt, ax, ay = 0, 0, 0
            else:
                name, ash, bsh, dflt, ax, ay, eq = case
                ta = tb = 0
                fn = (lambda eq: lambda a, b: torch.einsum(eq, a, b))(eq)
                if eq == "bk,bk->b":  # Keras keeps a (batch, 1) result
                    fn = lambda a, b: torch.einsum("bk,bk->b", a, b)[:, None]
            a, b, y, w, ga, gb = product_case(fn, ash, bsh)
            p = "ref_%s_%s_" % (table, name)
            for suffix, t, fmt, ctype in (("a", a, floats, "float"),
                                          ("b", b, floats, "float"),
                                          ("w", w, floats, "float"),
                                          ("y", y, doubles, "double"),
                                          ("ga", ga, doubles, "double"),
                                          ("gb", gb, doubles, "double")):
                array(ctype, p + suffix, t.detach().flatten().tolist(), fmt)
            rows.append('    {"%s", %d, %d, %d, %d, %d, %d, %d, %d,\n'
                        '     %s, %s, %s,\n'
                        '     %sa, %sb,\n'
                        '     %sw, %sy,\n'
                        '     %sga, %sgb},'
                        % (name, ta, tb, dflt, ax, ay, len(ash), len(bsh),
                           y.dim(), shape_init(ash), shape_init(bsh),
                           shape_init(tuple(y.shape)), p, p, p, p, p, p))
        emit()
        emit("static const ref_product ref_%s_cases[] = {" % table)
        for r in rows:
            emit(r)
        emit("};")
        emit("#define REF_%s_COUNT %d" % (table.upper(), len(cases)))
        emit()

    emit("#endif")
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s" % OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
