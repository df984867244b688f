#!/usr/bin/python3
"""Writes print_ref.lua: how NumPy prints float32 arrays, for
tests/lua/test_print.lua, which checks that tostring(x) prints the values
exactly so.

Run with /usr/bin/python3 (Debian's python3-numpy) from anywhere:
    /usr/bin/python3 tests/ref/make_print_ref.py
The generated file is committed, so the tests never need Python.

attnlab prints as NumPy's str(a) does after
    np.set_printoptions(precision=4, floatmode="maxprec_equal",
                        linewidth=80, threshold=1000, edgeitems=3)
(src/core/format.c); each case may change precision, linewidth, threshold,
edgeitems or suppress, as tensor.set_printoptions does. Values are stored
as hexadecimal floats (exact); a large case stores a formula instead, which
Lua computes the same way in double precision before the float32 cast.
"""
import os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULTS = dict(precision=4, floatmode="maxprec_equal", linewidth=80,
                threshold=1000, edgeitems=3, suppress=False)

cases = []


def case(name, values, opts=None, gen=None):
    a = np.asarray(values, dtype=np.float32)
    o = dict(DEFAULTS)
    o.update(opts or {})
    np.set_printoptions(**o)
    cases.append((name, a, opts or {}, gen, str(a)))


def mod_values(n, mul, mod, sub, div):
    # Lua computes ((i * mul) % mod - sub) / div in doubles, then float32
    return np.array([((i * mul) % mod - sub) / div for i in range(n)])


rng = np.random.default_rng(11)

# the values src/core/format.c's C tests print
case("integers", [1, 2, 3])
case("integers of two widths", [-1, 10, 2])
case("fractions", [0.5, 1.25, -3.125])
case("a third and a half", [1 / 3, -12.5])
case("tiny and one", [1e-5, 1])
case("huge and small", [1e9, -2])
case("nan and inf", [1, np.nan, np.inf, -np.inf])
case("a quarter and nan", [0.25, np.nan])
case("only non-finite", [np.nan, np.inf])
case("nan and -inf", [np.nan, -np.inf])
case("a matrix of integers", [[1, -2, 3], [4, 5, 60]])
case("a 3-d tensor", np.arange(8).reshape(2, 2, 2))
case("a 4-d tensor", np.arange(16).reshape(2, 2, 2, 2) / 4)
# the examples
case("1793215.75 alone", [1793215.75])
case("1793215.75 beside 1.5", [1793215.75, 1.5])
case("1793215.75 in a matrix", [[1793215.75, 2.5], [-3.25, 4.0]])
case("a (3, 40) normal tensor wraps at 80 columns", rng.standard_normal((3, 40)))
# magnitudes
for scale in [1e-6, 1e-3, 1, 1e3, 1e5, 1e7, 1e9]:
    case("normal values times %g" % scale, rng.standard_normal((2, 5)) * scale)
case("a ratio just over 1000", [1, 1000.5])
case("a ratio of exactly 1000", [1, 1000])
case("just under 1e-4", [9.9e-5, 0.5])
case("just under 1e8", [99999990, 1])
case("1e8", [1e8, 1])
case("softmax-like", [[0.1, 0.2, 0.7], [0.3333333, 0.3333333, 0.3333334]])
case("masked softmax", [[0.5, 0.5, 1e-9], [1.0, 0.0, 0.0]])
case("short decimals", [0.1, 0.2, 0.30000001])
case("quarters", [0.25, 0.25, 0.5])
case("a tie at the fourth digit", [0.03125, 0.5])
case("0.12345 rounds up", [0.12345])
case("negative zero", [-0.0, 1.0])
case("all zeros", np.zeros((2, 3)))
case("powers of two", [2.0 ** k for k in range(-12, 14, 5)])
case("float32 extremes", [3.4028235e38, 1.1754944e-38, 1e-45])
case("large integers", [16777216, 123456789, 7])
case("integers below 1e8", [16777216, 99999, 7])
case("one number per line at width 10", np.arange(6) * 1.5, {"linewidth": 10})
# line widths
wide = rng.standard_normal((2, 30))
for lw in [20, 40, 75, 100, 200]:
    case("width %d" % lw, wide, {"linewidth": lw})
case("a 3-d tensor at width 40", rng.standard_normal((2, 2, 12)), {"linewidth": 40})
case("1000 ones wrap", None, gen=("mod", (1000,), 0, 1, -1, 1.0))
# precision and suppress
vals = rng.standard_normal(6) * 10
for p in [0, 1, 2, 6, 8]:
    case("precision %d" % p, vals, {"precision": p})
case("suppress keeps small values positional", [1e-6, 0.5, 2.0], {"suppress": True})
case("suppress with 1e8 is still scientific", [1e8, 0.5], {"suppress": True})
case("suppress and a ratio", [1e5, 1e-2], {"suppress": True})
# summaries
case("2000 values", None, gen=("mod", (2000,), 1, 10 ** 9, 0, 1.0))
case("1001 values", None, gen=("mod", (1001,), 1, 10 ** 9, 0, 1.0))
case("a (50, 50) matrix", None, gen=("mod", (50, 50), 7919, 1000, 500, 37.0))
case("a (10, 10, 20) tensor", None, gen=("mod", (10, 10, 20), 104729, 2003, 1001, 13.0))
case("a (3, 1000) matrix", None, gen=("mod", (3, 1000), 31, 97, 48, 8.0))
case("a (2000, 1) column", None, gen=("mod", (2000, 1), 17, 89, 44, 16.0))
case("threshold 10", np.arange(20).reshape(4, 5), {"threshold": 10})
case("threshold 10, edgeitems 1", np.arange(20).reshape(4, 5),
     {"threshold": 10, "edgeitems": 1})
case("edgeitems 2 on a (6, 6, 6) tensor", np.arange(216).reshape(6, 6, 6) / 8,
     {"threshold": 100, "edgeitems": 2})
case("a summarised row that wraps", None, {"linewidth": 30},
     gen=("mod", (2000,), 1, 10 ** 9, -1234567, 1000.0))
case("a summary leaves the middle out of the format",
     [1.5, 2.5, np.nan, 1e-9, 3.0, 1e9, 3.5, 4.25], {"threshold": 6, "edgeitems": 2})

# a case with a formula: the values are computed here and in Lua alike
for i, (name, a, opts, gen, s) in enumerate(cases):
    if gen is not None:
        _, shape, mul, mod, sub, div = gen
        a = mod_values(int(np.prod(shape)), mul, mod, sub, div).astype(np.float32).reshape(shape)
        o = dict(DEFAULTS)
        o.update(opts)
        np.set_printoptions(**o)
        cases[i] = (name, a, opts, gen, str(a))


def lua_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_float(v):
    v = float(v)
    if np.isnan(v):
        return "0/0"
    if np.isinf(v):
        return "1/0" if v > 0 else "-1/0"
    if v == 0:
        return "-0.0" if np.signbit(v) else "0.0"
    return v.hex()


def lua_opts(o):
    parts = []
    for k in sorted(o):
        v = o[k]
        parts.append("%s = %s" % (k, "true" if v is True else "false" if v is False else repr(v)))
    return "{ " + ", ".join(parts) + " }"


scalars = [3.0, 3.5, -2.0, 1e-5, 1.5e-5, 1e-4, 9.9999e-5, 0.1, 0.12345, 1793215.75,
           123456789.0, 1e16, 1.2e16, 0.0, -0.0, np.nan, np.inf, -np.inf]

out = []
out.append("-- print_ref.lua - how NumPy %s prints float32 arrays; generated by\n"
           "-- tests/ref/make_print_ref.py, do not edit.\n" % np.__version__)
out.append("return {\n  cases = {\n")
for name, a, opts, gen, s in cases:
    out.append("    {\n      name = %s,\n      shape = { %s },\n"
               % (lua_str(name), ", ".join(str(d) for d in a.shape)))
    if gen is not None:
        _, shape, mul, mod, sub, div = gen
        out.append("      gen = { mul = %d, mod = %d, sub = %d, div = %r },\n" % (mul, mod, sub, div))
    else:
        out.append("      values = { %s },\n" % ", ".join(lua_float(v) for v in a.ravel()))
    out.append("      options = %s,\n      want = %s,\n    },\n" % (lua_opts(opts), lua_str(s)))
out.append("  },\n  scalars = {\n")
for v in scalars:
    out.append("    { %s, %s },\n" % (lua_float(np.float32(v)), lua_str(str(np.array(v, dtype=np.float32)))))
out.append("  },\n}\n")

with open(os.path.join(HERE, "print_ref.lua"), "w") as f:
    f.write("".join(out))
print("wrote %d cases and %d scalars" % (len(cases), len(scalars)))
