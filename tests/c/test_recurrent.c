/*
 * test_recurrent.c - the recurrent kernels (GRU with and without
 * reset_after, LSTM, SimpleRNN), Embedding and the masks of Embedding and
 * Masking: forward values against the equations written out here in
 * double, finite-difference gradients for every option that changes the
 * maths, the exact messages of the shape checks, symbolic shapes.
 *
 * The references below follow Keras 3's equations and the seq layout of
 * recurrent.h: at processing step s (time T-1-s with go_backwards),
 * seq[:, s] = [output | h (| c)]. A masked step keeps the states and
 * outputs the previous output (zeros before the first real step), or zeros
 * with zero_output_for_mask. They share no code with src/layers.
 *
 * Every test runs between record_memory and no_tensor_leaked, which fail it
 * when the bytes held by live tensors differ before and after.
 */
#include "check.h"

#include <stdbool.h>
#include <stdlib.h>

#include "layers/embedding.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/simple_rnn.h"

static size_t memory_at_start;

static int record_memory(void **state)
{
    (void)state;
    memory_at_start = nn_memory_in_use();
    nn_grad_set(true);
    return 0;
}

static int no_tensor_leaked(void **state)
{
    (void)state;
    if (nn_memory_in_use() != memory_at_start) {
        print_error("leak: %zu bytes of tensors in use before the test, "
                    "%zu after\n", memory_at_start, nn_memory_in_use());
        return -1;
    }
    return 0;
}

static void release_all(nn_tensor **ts, int n)
{
    for (int i = 0; i < n; i++)
        nn_tensor_release(ts[i]);
}

static nn_tensor *zeros(int ndim, const int64_t *shape)
{
    return make_tensor(ndim, shape, NULL);
}
#define ZEROS(ndim, shape) zeros((ndim), (int64_t[])shape)

static nn_tensor *symbolic(int ndim, const int64_t *shape)
{
    nn_tensor *t;
    CHECK_OK(nn_tensor_symbolic(&t, ndim, shape));
    return t;
}
#define SYM(ndim, shape) symbolic((ndim), (int64_t[])shape)

static nn_rnn_config config(const char *name, bool reset_after,
                            bool go_backwards, bool zero)
{
    nn_rnn_config c;
    memset(&c, 0, sizeof c);
    snprintf(c.name, sizeof c.name, "%s", name);
    c.activation = NN_RNN_TANH;
    c.recurrent_activation = NN_RNN_SIGMOID;
    c.reset_after = reset_after;
    c.go_backwards = go_backwards;
    c.zero_output_for_mask = zero;
    return c;
}

/* ---- the references, in double ----------------------------------------- */

typedef double (*act_fn)(double);

static double d_sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }
static double d_tanh(double v) { return tanh(v); }
static double d_linear(double v) { return v; }
static double d_relu(double v) { return v > 0.0 ? v : 0.0; }
static double d_hard_sigmoid(double v) /* Keras 3: relu6(v + 3) / 6 */
{
    return fmin(fmax(v + 3.0, 0.0), 6.0) / 6.0;
}

enum cell { GRU, LSTM, SRNN };

typedef struct {
    enum cell cell;
    int B, T, D, U;
    const float *x;     /* (B, T, D) */
    const float *mask;  /* (B, T) or NULL */
    const float *h0;    /* (B, U) or NULL */
    const float *c0;    /* (B, U) or NULL (LSTM) */
    const float *K;     /* (D, G*U) */
    const float *R;     /* (U, G*U) */
    const float *bias;  /* GRU: (2, 3U) with reset_after, else (3U,);
                         * LSTM (4U,), SimpleRNN (U,); or NULL */
    bool reset_after, back, zero;
    act_fn act, ract;
} ref_case;

static int gates_of(enum cell c) { return c == GRU ? 3 : c == LSTM ? 4 : 1; }
static int states_of(enum cell c) { return c == LSTM ? 2 : 1; }

/* x[b, t] @ K[:, col] */
static double xk(const ref_case *c, int b, int t, int col)
{
    int G = gates_of(c->cell) * c->U;
    double acc = 0.0;
    for (int d = 0; d < c->D; d++)
        acc += (double)c->x[(b * c->T + t) * c->D + d] * c->K[d * G + col];
    return acc;
}

/* v @ R[:, col] for a (U,) vector v */
static double vr(const ref_case *c, const double *v, int col)
{
    int G = gates_of(c->cell) * c->U;
    double acc = 0.0;
    for (int j = 0; j < c->U; j++)
        acc += v[j] * c->R[j * G + col];
    return acc;
}

/* seq (B, T, (1+S)*U) in processing order, as the kernels return it. */
static void reference(const ref_case *c, double *seq)
{
    enum { MAXU = 8 };
    int U = c->U, S = states_of(c->cell), W = (1 + S) * U;
    act_fn act = c->act ? c->act : d_tanh;
    act_fn ract = c->ract ? c->ract : d_sigmoid;
    for (int b = 0; b < c->B; b++) {
        double h[MAXU], cs[MAXU], out[MAXU], hn[MAXU], cn[MAXU];
        for (int u = 0; u < U; u++) {
            h[u] = c->h0 ? c->h0[b * U + u] : 0.0;
            cs[u] = c->c0 ? c->c0[b * U + u] : 0.0;
            out[u] = 0.0;
        }
        for (int s = 0; s < c->T; s++) {
            int t = c->back ? c->T - 1 - s : s;
            for (int u = 0; u < U; u++) {
                if (c->cell == GRU) {
                    /* gate columns z | r | h */
                    const float *bi = c->bias;
                    const float *rb = c->bias && c->reset_after
                                          ? c->bias + 3 * U : NULL;
                    double xz = xk(c, b, t, u) + (bi ? bi[u] : 0.0);
                    double xr = xk(c, b, t, U + u) + (bi ? bi[U + u] : 0.0);
                    double xh = xk(c, b, t, 2 * U + u) +
                                (bi ? bi[2 * U + u] : 0.0);
                    double z = ract(xz + vr(c, h, u) + (rb ? rb[u] : 0.0));
                    double hh;
                    if (c->reset_after) {
                        double r = ract(xr + vr(c, h, U + u) +
                                        (rb ? rb[U + u] : 0.0));
                        hh = act(xh + r * (vr(c, h, 2 * U + u) +
                                           (rb ? rb[2 * U + u] : 0.0)));
                    } else {
                        /* (r * h) @ R_h needs every r_j */
                        double rh[MAXU];
                        for (int j = 0; j < U; j++)
                            rh[j] = ract(xk(c, b, t, U + j) +
                                         (bi ? bi[U + j] : 0.0) +
                                         vr(c, h, U + j)) * h[j];
                        hh = act(xh + vr(c, rh, 2 * U + u));
                    }
                    hn[u] = z * h[u] + (1.0 - z) * hh;
                } else if (c->cell == LSTM) {
                    /* gate columns i | f | c | o */
                    double a[4];
                    for (int g = 0; g < 4; g++)
                        a[g] = xk(c, b, t, g * U + u) + vr(c, h, g * U + u) +
                               (c->bias ? c->bias[g * U + u] : 0.0);
                    double i = ract(a[0]), f = ract(a[1]), g = act(a[2]),
                           o = ract(a[3]);
                    cn[u] = f * cs[u] + i * g;
                    hn[u] = o * act(cn[u]);
                } else {
                    hn[u] = act(xk(c, b, t, u) + vr(c, h, u) +
                                (c->bias ? c->bias[u] : 0.0));
                }
            }
            bool keep = !c->mask || c->mask[b * c->T + t] != 0.0f;
            for (int u = 0; u < U; u++) {
                if (keep) {
                    h[u] = hn[u];
                    cs[u] = cn[u];
                    out[u] = hn[u];
                } else if (c->zero) {
                    out[u] = 0.0;
                }
                double *row = seq + ((size_t)b * c->T + s) * W;
                row[u] = out[u];
                row[U + u] = h[u];
                if (S == 2)
                    row[2 * U + u] = cs[u];
            }
        }
    }
}

/* Runs the kernel of c on float tensors and returns seq (or fails). */
static nn_status run_kernel(nn_tensor **seq, const ref_case *c,
                            const nn_rnn_config *cfg)
{
    int G = gates_of(c->cell) * c->U;
    nn_tensor *x = make_tensor(3, (int64_t[]){c->B, c->T, c->D}, c->x);
    nn_tensor *m = c->mask ? make_tensor(2, (int64_t[]){c->B, c->T}, c->mask)
                           : NULL;
    nn_tensor *h0 = c->h0 ? make_tensor(2, (int64_t[]){c->B, c->U}, c->h0)
                          : NULL;
    nn_tensor *c0 = c->c0 ? make_tensor(2, (int64_t[]){c->B, c->U}, c->c0)
                          : NULL;
    nn_tensor *K = make_tensor(2, (int64_t[]){c->D, G}, c->K);
    nn_tensor *R = make_tensor(2, (int64_t[]){c->U, G}, c->R);
    nn_tensor *bias = NULL;
    if (c->bias) {
        if (c->cell == GRU && c->reset_after)
            bias = make_tensor(2, (int64_t[]){2, G}, c->bias);
        else
            bias = make_tensor(1, (int64_t[]){G}, c->bias);
    }
    nn_status s;
    if (c->cell == GRU)
        s = nn_gru_forward(seq, x, m, h0, K, R, bias, cfg);
    else if (c->cell == LSTM)
        s = nn_lstm_forward(seq, x, m, h0, c0, K, R, bias, cfg);
    else
        s = nn_simple_rnn_forward(seq, x, m, h0, K, R, bias, cfg);
    release_all((nn_tensor *[]){x, m, h0, c0, K, R, bias}, 7);
    return s;
}

static nn_rnn_act act_code(act_fn f)
{
    if (f == d_linear) return NN_RNN_LINEAR;
    if (f == d_sigmoid) return NN_RNN_SIGMOID;
    if (f == d_relu) return NN_RNN_RELU;
    if (f == d_hard_sigmoid) return NN_RNN_HARD_SIGMOID;
    return NN_RNN_TANH;
}

/* Runs c through its kernel and compares every element of seq with the
 * reference; label names the case in a failure. */
static void check_against_reference(const ref_case *c, const char *label)
{
    nn_rnn_config cfg = config("rnn", c->reset_after, c->back, c->zero);
    if (c->act)
        cfg.activation = act_code(c->act);
    if (c->ract)
        cfg.recurrent_activation = act_code(c->ract);
    int W = (1 + states_of(c->cell)) * c->U;
    size_t n = (size_t)c->B * c->T * W;
    double *want = malloc(n * sizeof *want);
    assert_non_null(want);
    reference(c, want);
    nn_tensor *seq;
    nn_status s = run_kernel(&seq, c, &cfg);
    if (s != NN_OK) {
        free(want);
        fail_msg("%s: %s", label, nn_errmsg());
    }
    bool shape_ok = seq->ndim == 3 && seq->shape[0] == c->B &&
                    seq->shape[1] == c->T && seq->shape[2] == W;
    for (size_t i = 0; shape_ok && i < n; i++)
        if (!(fabs((double)seq->data[i] - want[i]) <= 1e-5)) {
            double got = seq->data[i], w = want[i];
            nn_tensor_release(seq);
            free(want);
            fail_msg("%s: seq element %zu (b %zu, step %zu, column %zu): "
                     "got %.9g, want %.9g", label, i, i / ((size_t)c->T * W),
                     i / (size_t)W % (size_t)c->T, i % (size_t)W, got, w);
        }
    nn_tensor_release(seq);
    free(want);
    if (!shape_ok)
        fail_msg("%s: seq has the wrong shape", label);
}

/* ---- the tiny case: B = 2, T = 2, D = 2, U = 2 ------------------------- */

static const float X[] = {0.5f, -1.0f, 0.25f, 0.75f,   /* b 0: t 0, t 1 */
                          -0.5f, 0.3f, 1.0f, -0.2f};   /* b 1 */
static const float H0[] = {0.3f, -0.2f, -0.1f, 0.4f};
static const float C0[] = {-0.5f, 0.25f, 0.6f, -0.3f};
/* row 0: trailing padding; row 1: leading padding */
static const float MASK[] = {1, 0, 0, 1};

/* GRU, G = 6: kernel (2, 6), recurrent_kernel (2, 6), bias (2, 6) */
static const float GK[] = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f,
                           0.7f, 0.2f, -0.1f, 0.4f, -0.3f, 0.6f};
static const float GR[] = {0.2f, 0.1f, -0.3f, 0.5f, -0.2f, 0.4f,
                           -0.4f, 0.3f, 0.2f, -0.1f, 0.6f, -0.5f};
static const float GB[] = {0.1f, -0.1f, 0.05f, 0.2f, -0.2f, 0.15f,
                           -0.05f, 0.1f, 0.2f, -0.15f, 0.05f, 0.1f};
/* LSTM, G = 8 */
static const float LK[] = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f, 0.2f, 0.4f,
                           0.7f, 0.2f, -0.1f, 0.4f, -0.3f, 0.6f, -0.5f, 0.1f};
static const float LR[] = {0.2f, 0.1f, -0.3f, 0.5f, -0.2f, 0.4f, 0.3f, -0.1f,
                           -0.4f, 0.3f, 0.2f, -0.1f, 0.6f, -0.5f, 0.1f, 0.2f};
static const float LB[] = {0.1f, -0.1f, 1.0f, 1.0f, -0.2f, 0.15f, 0.05f,
                           -0.05f};
/* SimpleRNN, G = 2 */
static const float SK[] = {0.6f, -0.4f, 0.3f, 0.8f};
static const float SR[] = {0.5f, -0.3f, 0.2f, 0.7f};
static const float SB[] = {0.1f, -0.2f};

static ref_case tiny(enum cell cell)
{
    ref_case c = {.cell = cell, .B = 2, .T = 2, .D = 2, .U = 2, .x = X};
    if (cell == GRU) {
        c.K = GK, c.R = GR, c.bias = GB, c.reset_after = true;
    } else if (cell == LSTM) {
        c.K = LK, c.R = LR, c.bias = LB;
    } else {
        c.K = SK, c.R = SR, c.bias = SB;
    }
    return c;
}

/* The first step of each cell, one unit, written out as plain numbers:
 * checks the references themselves against the equations. */
static void the_first_step_by_hand_matches_the_kernels(void **state)
{
    (void)state;
    nn_tensor *seq;
    /* GRU reset_after, b 0, unit 0, h = h0 = (0.3, -0.2), x = (0.5, -1) */
    {
        ref_case c = tiny(GRU);
        c.h0 = H0;
        nn_rnn_config cfg = config("gru", true, false, false);
        double h[2] = {0.3, -0.2};
        /* columns: z 0, r 2, h 4 (unit 0); bias row 0 input, row 1
         * recurrent */
        double xz = 0.5 * 0.1 + -1.0 * 0.7 + 0.1;
        double xr = 0.5 * 0.3 + -1.0 * -0.1 + 0.05;
        double xh = 0.5 * 0.5 + -1.0 * -0.3 + -0.2;
        double hz = h[0] * 0.2 + h[1] * -0.4;
        double hr = h[0] * -0.3 + h[1] * 0.2;
        double hh_ = h[0] * -0.2 + h[1] * 0.6;
        double z = d_sigmoid(xz + hz + -0.05), r = d_sigmoid(xr + hr + 0.2);
        double hh = tanh(xh + r * (hh_ + 0.05));
        double want = z * h[0] + (1 - z) * hh;
        CHECK_OK(run_kernel(&seq, &c, &cfg));
        assert_float_equal(seq->data[0], want, 1e-6); /* output */
        assert_float_equal(seq->data[2], want, 1e-6); /* h */
        nn_tensor_release(seq);
        /* reset_after = false: bias (3U,) is the input row only, and the
         * reset gate applies to h before the recurrent product, which
         * needs r of unit 1 (column 3) too */
        cfg.reset_after = c.reset_after = false;
        double z0 = d_sigmoid(xz + hz), r0 = d_sigmoid(xr + hr);
        double r1 = d_sigmoid(0.5 * -0.4 + -1.0 * 0.4 + 0.2 +
                              h[0] * 0.5 + h[1] * -0.1);
        double hh0 = tanh(xh + (r0 * h[0]) * -0.2 + (r1 * h[1]) * 0.6);
        want = z0 * h[0] + (1 - z0) * hh0;
        CHECK_OK(run_kernel(&seq, &c, &cfg));
        assert_float_equal(seq->data[0], want, 1e-6);
        assert_float_equal(seq->data[2], want, 1e-6);
        nn_tensor_release(seq);
    }
    /* LSTM, b 0, unit 1, h0 = (0.3, -0.2), c0 = (-0.5, 0.25) */
    {
        ref_case c = tiny(LSTM);
        c.h0 = H0, c.c0 = C0;
        nn_rnn_config cfg = config("lstm", true, false, false);
        double ai = 0.5 * -0.2 + -1.0 * 0.2 + 0.3 * 0.1 + -0.2 * 0.3 + -0.1;
        double af = 0.5 * -0.4 + -1.0 * 0.4 + 0.3 * 0.5 + -0.2 * -0.1 + 1.0;
        double ag = 0.5 * -0.6 + -1.0 * 0.6 + 0.3 * 0.4 + -0.2 * -0.5 + 0.15;
        double ao = 0.5 * 0.4 + -1.0 * 0.1 + 0.3 * -0.1 + -0.2 * 0.2 + -0.05;
        double cn = d_sigmoid(af) * 0.25 + d_sigmoid(ai) * tanh(ag);
        double hn = d_sigmoid(ao) * tanh(cn);
        CHECK_OK(run_kernel(&seq, &c, &cfg));
        assert_float_equal(seq->data[1], hn, 1e-6); /* output, unit 1 */
        assert_float_equal(seq->data[3], hn, 1e-6); /* h */
        assert_float_equal(seq->data[5], cn, 1e-6); /* c */
        nn_tensor_release(seq);
    }
    /* SimpleRNN, b 1, unit 0, no h0: h = tanh(x W + b) */
    {
        ref_case c = tiny(SRNN);
        nn_rnn_config cfg = config("simple_rnn", true, false, false);
        double h1 = tanh(-0.5 * 0.6 + 0.3 * 0.3 + 0.1);
        double h2 = tanh(-0.5 * -0.4 + 0.3 * 0.8 + -0.2);
        /* step 1: x = (1, -0.2), h = (h1, h2) */
        double s1 = tanh(1.0 * 0.6 + -0.2 * 0.3 + 0.1 + h1 * 0.5 + h2 * 0.2);
        CHECK_OK(run_kernel(&seq, &c, &cfg));
        /* seq (2, 2, 4): b 1, step 0 starts at 8, step 1 at 12 */
        assert_float_equal(seq->data[8], h1, 1e-6);
        assert_float_equal(seq->data[9], h2, 1e-6);
        assert_float_equal(seq->data[12], s1, 1e-6);
        nn_tensor_release(seq);
    }
}

/* Every combination of the options on the tiny case. */
static void tiny_cases_match_the_equations(enum cell cell)
{
    char label[128];
    for (int ra = 0; ra < (cell == GRU ? 2 : 1); ra++)
        for (int back = 0; back < 2; back++)
            for (int masked = 0; masked < 2; masked++)
                for (int zero = 0; zero < 2; zero++)
                    for (int init = 0; init < 2; init++) {
                        ref_case c = tiny(cell);
                        c.reset_after = ra ? false : true;
                        if (cell == GRU && !c.reset_after)
                            c.bias = GB; /* first 6: the (3U,) bias */
                        c.back = back, c.zero = zero;
                        c.mask = masked ? MASK : NULL;
                        c.h0 = init ? H0 : NULL;
                        c.c0 = init && cell == LSTM ? C0 : NULL;
                        snprintf(label, sizeof label,
                                 "cell %d reset_after %d go_backwards %d "
                                 "mask %d zero_output %d h0 %d", (int)cell,
                                 !ra, back, masked, zero, init);
                        check_against_reference(&c, label);
                    }
}

static void gru_tiny_cases_match_the_equations(void **state)
{
    (void)state;
    tiny_cases_match_the_equations(GRU);
}

static void lstm_tiny_cases_match_the_equations(void **state)
{
    (void)state;
    tiny_cases_match_the_equations(LSTM);
}

static void simple_rnn_tiny_cases_match_the_equations(void **state)
{
    (void)state;
    tiny_cases_match_the_equations(SRNN);
}

static void the_two_gru_modes_differ(void **state)
{
    (void)state;
    /* the same numbers, read as the two layouts, give different results
     * (a kernel ignoring reset_after would pass the comparisons above only
     * if the reference also ignored it) */
    ref_case c = tiny(GRU);
    nn_rnn_config a = config("gru", true, false, false);
    nn_rnn_config b = config("gru", false, false, false);
    nn_tensor *s1, *s2;
    c.h0 = H0;
    CHECK_OK(run_kernel(&s1, &c, &a));
    c.reset_after = false;
    CHECK_OK(run_kernel(&s2, &c, &b));
    assert_true(fabsf(s1->data[0] - s2->data[0]) > 1e-3f);
    release_all((nn_tensor *[]){s1, s2}, 2);
}

/* The mask rules, read straight off seq (GRU, U = 2, seq (2, 2, 4)). */
static void masked_steps_carry_the_state_and_the_previous_output(void **state)
{
    (void)state;
    ref_case c = tiny(GRU);
    c.h0 = H0, c.mask = MASK;
    nn_rnn_config cfg = config("gru", true, false, false);
    nn_tensor *seq;
    CHECK_OK(run_kernel(&seq, &c, &cfg));
    const float *s = seq->data;
    /* b 0: step 1 masked (trailing padding): output and h those of step 0 */
    assert_float_equal(s[4], s[0], 0.0);
    assert_float_equal(s[5], s[1], 0.0);
    assert_float_equal(s[6], s[2], 0.0);
    assert_float_equal(s[7], s[3], 0.0);
    /* b 1: step 0 masked (leading padding): output zeros, h is h0 */
    assert_float_equal(s[8], 0.0, 0.0);
    assert_float_equal(s[9], 0.0, 0.0);
    assert_float_equal(s[10], -0.1, 1e-7);
    assert_float_equal(s[11], 0.4, 1e-7);
    /* step 1 real: output is the new h */
    assert_float_equal(s[12], s[14], 0.0);
    assert_true(fabsf(s[14] - -0.1f) > 1e-3f);
    nn_tensor_release(seq);

    /* zero_output_for_mask: masked outputs are zeros, states still carry */
    cfg.zero_output_for_mask = c.zero = true;
    CHECK_OK(run_kernel(&seq, &c, &cfg));
    s = seq->data;
    assert_float_equal(s[4], 0.0, 0.0);
    assert_float_equal(s[5], 0.0, 0.0);
    assert_float_equal(s[6], s[2], 0.0);
    assert_float_equal(s[7], s[3], 0.0);
    assert_float_equal(s[0], s[2], 0.0);
    nn_tensor_release(seq);

    /* go_backwards: step 0 is time 1. b 0 has time 1 masked: its step 0
     * outputs zeros and keeps h0; b 1 has time 1 real. */
    cfg.zero_output_for_mask = c.zero = false;
    cfg.go_backwards = c.back = true;
    CHECK_OK(run_kernel(&seq, &c, &cfg));
    s = seq->data;
    assert_float_equal(s[0], 0.0, 0.0);
    assert_float_equal(s[2], 0.3, 1e-7);
    assert_float_equal(s[3], -0.2, 1e-7);
    assert_true(fabsf(s[4]) > 1e-3f); /* time 0 real */
    /* b 1: time 0 (its step 1) masked: repeats step 0 */
    assert_float_equal(s[12], s[8], 0.0);
    assert_float_equal(s[14], s[10], 0.0);
    nn_tensor_release(seq);
}

static void go_backwards_reads_the_sequence_reversed(void **state)
{
    (void)state;
    /* go_backwards on x is the forward pass on x reversed in time */
    float xr[8];
    for (int b = 0; b < 2; b++)
        for (int t = 0; t < 2; t++)
            for (int d = 0; d < 2; d++)
                xr[(b * 2 + t) * 2 + d] = X[(b * 2 + (1 - t)) * 2 + d];
    for (int cell = GRU; cell <= SRNN; cell++) {
        ref_case c = tiny((enum cell)cell);
        nn_rnn_config f = config("rnn", true, false, false);
        nn_rnn_config bk = config("rnn", true, true, false);
        nn_tensor *s1, *s2;
        c.back = true;
        CHECK_OK(run_kernel(&s1, &c, &bk));
        c.back = false;
        c.x = xr;
        CHECK_OK(run_kernel(&s2, &c, &f));
        assert_int_equal(s1->size, s2->size);
        for (size_t i = 0; i < s1->size; i++)
            assert_float_equal(s1->data[i], s2->data[i], 1e-7);
        release_all((nn_tensor *[]){s1, s2}, 2);
    }
}

static void other_activations_match_the_equations(void **state)
{
    (void)state;
    act_fn acts[][2] = {{d_relu, d_hard_sigmoid},
                        {d_linear, d_sigmoid},
                        {d_sigmoid, d_linear},
                        {d_hard_sigmoid, d_tanh}};
    char label[64];
    for (int cell = GRU; cell <= SRNN; cell++)
        for (int k = 0; k < 4; k++)
            for (int ra = 0; ra < 2; ra++) {
                ref_case c = tiny((enum cell)cell);
                c.h0 = H0, c.c0 = cell == LSTM ? C0 : NULL, c.mask = MASK;
                c.act = acts[k][0], c.ract = acts[k][1];
                c.reset_after = ra;
                snprintf(label, sizeof label, "cell %d activations %d ra %d",
                         cell, k, ra);
                check_against_reference(&c, label);
            }
}

/* A larger case with a masked step in the middle, random values. */
static void a_longer_masked_sequence_matches_the_equations(void **state)
{
    (void)state;
    enum { B = 3, T = 5, D = 3, U = 3 };
    static const float mask[B * T] = {1, 1, 0, 1, 0,
                                      0, 0, 1, 1, 1,
                                      1, 1, 1, 1, 1};
    char label[128];
    for (int cell = GRU; cell <= SRNN; cell++) {
        int G = gates_of((enum cell)cell) * U;
        nn_tensor *x, *k, *r, *b, *h0, *c0;
        CHECK_OK(nn_rand(&x, 3, (int64_t[]){B, T, D}, -1.5f, 1.5f));
        CHECK_OK(nn_rand(&k, 2, (int64_t[]){D, G}, -0.8f, 0.8f));
        CHECK_OK(nn_rand(&r, 2, (int64_t[]){U, G}, -0.8f, 0.8f));
        CHECK_OK(nn_rand(&b, 1, (int64_t[]){2 * G}, -0.5f, 0.5f));
        CHECK_OK(nn_rand(&h0, 2, (int64_t[]){B, U}, -1.0f, 1.0f));
        CHECK_OK(nn_rand(&c0, 2, (int64_t[]){B, U}, -1.0f, 1.0f));
        for (int ra = 0; ra < (cell == GRU ? 2 : 1); ra++)
            for (int back = 0; back < 2; back++)
                for (int zero = 0; zero < 2; zero++) {
                    ref_case c = {.cell = (enum cell)cell, .B = B, .T = T,
                                  .D = D, .U = U, .x = x->data, .mask = mask,
                                  .h0 = h0->data,
                                  .c0 = cell == LSTM ? c0->data : NULL,
                                  .K = k->data, .R = r->data,
                                  .bias = b->data, .reset_after = !ra,
                                  .back = back, .zero = zero};
                    snprintf(label, sizeof label, "cell %d reset_after %d "
                             "go_backwards %d zero %d", cell, !ra, back,
                             zero);
                    check_against_reference(&c, label);
                }
        release_all((nn_tensor *[]){x, k, r, b, h0, c0}, 6);
    }
}

static void without_a_mask_the_output_is_the_state(void **state)
{
    (void)state;
    ref_case c = tiny(LSTM);
    nn_rnn_config cfg = config("lstm", true, false, false);
    nn_tensor *seq;
    CHECK_OK(run_kernel(&seq, &c, &cfg));
    for (size_t row = 0; row < 4; row++)
        for (size_t u = 0; u < 2; u++)
            assert_float_equal(seq->data[row * 6 + u],
                               seq->data[row * 6 + 2 + u], 0.0);
    nn_tensor_release(seq);
}

static void results_hold_no_node_when_nothing_requires_grad(void **state)
{
    (void)state;
    ref_case c = tiny(GRU);
    nn_rnn_config cfg = config("gru", true, false, false);
    nn_tensor *seq;
    CHECK_OK(run_kernel(&seq, &c, &cfg));
    assert_null(seq->node);
    assert_false(seq->requires_grad);
    nn_tensor_release(seq);
}

/* ---- gradients ---------------------------------------------------------- */

typedef struct {
    enum cell cell;
    nn_rnn_config cfg;
    nn_tensor *mask;
    bool bias, h0;  /* whether in[3] (bias) and in[4] (h0) / in[5] (c0) */
} grad_ctx;

static nn_status rnn_fn(void *p, nn_tensor **in, nn_tensor **out)
{
    grad_ctx *c = p;
    nn_tensor *bias = c->bias ? in[3] : NULL, *h0 = c->h0 ? in[4] : NULL;
    if (c->cell == GRU)
        return nn_gru_forward(out, in[0], c->mask, h0, in[1], in[2], bias,
                              &c->cfg);
    if (c->cell == LSTM)
        return nn_lstm_forward(out, in[0], c->mask, h0, c->h0 ? in[5] : NULL,
                               in[1], in[2], bias, &c->cfg);
    return nn_simple_rnn_forward(out, in[0], c->mask, h0, in[1], in[2], bias,
                                 &c->cfg);
}

/* gradcheck of x, kernel, recurrent_kernel, bias, h0 (and c0) of cell for
 * one combination of options; B = 2, T = 4, D = 2, U = 2. */
static void gradcheck_case(enum cell cell, bool ra, bool back, bool masked,
                           bool zero, bool with_bias, bool with_h0,
                           nn_rnn_act act, nn_rnn_act ract)
{
    enum { B = 2, T = 4, D = 2, U = 2 };
    /* a masked step at the start, in the middle and at the end */
    static const float mask[B * T] = {1, 0, 1, 1,
                                      0, 1, 1, 0};
    int G = gates_of(cell) * U;
    grad_ctx c = {cell, config("rnn", ra, back, zero), NULL, with_bias,
                  with_h0};
    c.cfg.activation = act;
    c.cfg.recurrent_activation = ract;
    if (masked)
        c.mask = make_tensor(2, (int64_t[]){B, T}, mask);
    nn_tensor *in[6];
    int n = 3;
    in[0] = grad_input(3, (int64_t[]){B, T, D}, -1.0f, 1.0f);
    in[1] = grad_input(2, (int64_t[]){D, G}, -1.0f, 1.0f);
    in[2] = grad_input(2, (int64_t[]){U, G}, -1.0f, 1.0f);
    if (with_bias || with_h0) {
        if (cell == GRU && ra)
            in[n++] = grad_input(2, (int64_t[]){2, G}, -0.5f, 0.5f);
        else
            in[n++] = grad_input(1, (int64_t[]){G}, -0.5f, 0.5f);
    }
    if (with_h0) {
        in[n++] = grad_input(2, (int64_t[]){B, U}, -1.0f, 1.0f);
        if (cell == LSTM)
            in[n++] = grad_input(2, (int64_t[]){B, U}, -1.0f, 1.0f);
    }
    if (!with_bias && with_h0)
        in[3]->requires_grad = false; /* present but unused */
    double worst;
    nn_status s = nn_gradcheck(&worst, rnn_fn, &c, n, in, 5e-3);
    /* every input that requires grad gets a gradient of its shape */
    nn_tensor *seq = NULL;
    if (s == NN_OK && (s = rnn_fn(&c, in, &seq)) == NN_OK) {
        nn_tensor *ones;
        CHECK_OK(nn_tensor_new_like(&ones, seq));
        for (size_t i = 0; i < ones->size; i++)
            ones->data[i] = 1.0f;
        s = nn_backward(seq, ones);
        nn_tensor_release(ones);
    }
    bool grads_ok = true;
    for (int i = 0; s == NN_OK && i < n; i++)
        if (in[i]->requires_grad)
            grads_ok = grads_ok && in[i]->grad &&
                       in[i]->grad->size == in[i]->size;
    nn_tensor_release(seq);
    release_all(in, n);
    nn_tensor_release(c.mask);
    if (s != NN_OK)
        fail_msg("cell %d reset_after %d go_backwards %d mask %d zero %d: "
                 "%s", cell, ra, back, masked, zero, nn_errmsg());
    if (!grads_ok)
        fail_msg("cell %d: an input got no gradient", cell);
    if (!(worst < 1e-3))
        fail_msg("cell %d reset_after %d go_backwards %d mask %d "
                 "zero_output %d bias %d h0 %d act %d/%d: worst relative "
                 "error %g", cell, ra, back, masked, zero, with_bias,
                 with_h0, act, ract, worst);
}

static void gradients_of_every_combination(enum cell cell)
{
    for (int ra = 0; ra < (cell == GRU ? 2 : 1); ra++)
        for (int back = 0; back < 2; back++)
            for (int masked = 0; masked < 2; masked++)
                for (int zero = 0; zero < 2; zero++)
                    gradcheck_case(cell, !ra, back, masked, zero, true, true,
                                   NN_RNN_TANH, NN_RNN_SIGMOID);
}

static void gru_gradients_agree_with_finite_differences(void **state)
{
    (void)state;
    gradients_of_every_combination(GRU);
}

static void lstm_gradients_agree_with_finite_differences(void **state)
{
    (void)state;
    gradients_of_every_combination(LSTM);
}

static void simple_rnn_gradients_agree_with_finite_differences(void **state)
{
    (void)state;
    gradients_of_every_combination(SRNN);
}

static void gradients_without_bias_or_initial_state(void **state)
{
    (void)state;
    for (int cell = GRU; cell <= SRNN; cell++)
        for (int ra = 0; ra < 2; ra++) {
            gradcheck_case((enum cell)cell, ra, false, true, false, false,
                           false, NN_RNN_TANH, NN_RNN_SIGMOID);
            gradcheck_case((enum cell)cell, ra, true, false, false, false,
                           true, NN_RNN_TANH, NN_RNN_SIGMOID);
            gradcheck_case((enum cell)cell, ra, false, true, true, true,
                           false, NN_RNN_TANH, NN_RNN_SIGMOID);
        }
}

static void gradients_with_other_activations(void **state)
{
    (void)state;
    /* hard_sigmoid is linear on (-3, 3), where these values stay */
    for (int cell = GRU; cell <= SRNN; cell++)
        for (int ra = 0; ra < 2; ra++) {
            gradcheck_case((enum cell)cell, ra, false, true, false, true,
                           true, NN_RNN_LINEAR, NN_RNN_HARD_SIGMOID);
            gradcheck_case((enum cell)cell, ra, true, true, true, true, true,
                           NN_RNN_SIGMOID, NN_RNN_TANH);
        }
}

static void only_inputs_that_require_grad_get_a_gradient(void **state)
{
    (void)state;
    nn_tensor *x = grad_input(3, (int64_t[]){1, 3, 2}, -1, 1);
    nn_tensor *k = grad_input(2, (int64_t[]){2, 6}, -1, 1);
    nn_tensor *r = grad_input(2, (int64_t[]){2, 6}, -1, 1);
    nn_tensor *b = grad_input(2, (int64_t[]){2, 6}, -1, 1);
    nn_tensor *h0 = grad_input(2, (int64_t[]){1, 2}, -1, 1);
    nn_rnn_config cfg = config("gru", true, false, false);
    nn_tensor *seq, *g;
    x->requires_grad = false;
    b->requires_grad = false;
    CHECK_OK(nn_gru_forward(&seq, x, NULL, h0, k, r, b, &cfg));
    assert_non_null(seq->node);
    assert_string_equal(seq->node->op, "gru");
    assert_int_equal(seq->node->ninputs, 5);
    CHECK_OK(nn_tensor_new_like(&g, seq));
    g->data[0] = 1.0f;
    CHECK_OK(nn_backward(seq, g));
    assert_null(x->grad);
    assert_null(b->grad);
    assert_non_null(k->grad);
    assert_non_null(r->grad);
    assert_non_null(h0->grad);
    release_all((nn_tensor *[]){x, k, r, b, h0, seq, g}, 7);
}

static void a_fully_masked_row_passes_its_gradient_to_the_initial_state(
    void **state)
{
    (void)state;
    /* every step masked: the states are h0 throughout, so d sum(h) / d h0
     * is T for each unit, and the weights get nothing from that row */
    nn_tensor *x = grad_input(3, (int64_t[]){1, 3, 2}, -1, 1);
    nn_tensor *k = grad_input(2, (int64_t[]){2, 2}, -1, 1);
    nn_tensor *r = grad_input(2, (int64_t[]){2, 2}, -1, 1);
    nn_tensor *h0 = grad_input(2, (int64_t[]){1, 2}, -1, 1);
    nn_tensor *m = ZEROS(2, SHAPE(1, 3)), *seq, *g;
    nn_rnn_config cfg = config("simple_rnn", true, false, false);
    CHECK_OK(nn_simple_rnn_forward(&seq, x, m, h0, k, r, NULL, &cfg));
    CHECK_OK(nn_tensor_new_like(&g, seq));
    for (int t = 0; t < 3; t++) { /* d/d h only (columns 2, 3) */
        g->data[t * 4 + 2] = 1.0f;
        g->data[t * 4 + 3] = 1.0f;
    }
    CHECK_OK(nn_backward(seq, g));
    CHECK_VALUES(h0->grad, 2, SHAPE(1, 2), 1e-6, {3, 3});
    CHECK_VALUES(k->grad, 2, SHAPE(2, 2), 0.0, {0, 0, 0, 0});
    CHECK_VALUES(x->grad, 3, SHAPE(1, 3, 2), 0.0, {0, 0, 0, 0, 0, 0});
    /* outputs are zeros (no real step yet) */
    for (int t = 0; t < 3; t++)
        assert_float_equal(seq->data[t * 4], 0.0, 0.0);
    release_all((nn_tensor *[]){x, k, r, h0, m, seq, g}, 7);
}

/* ---- shape checks and their messages ----------------------------------- */

static void an_input_that_is_not_rank_3_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(2, SHAPE(4, 2)), *k = ZEROS(2, SHAPE(2, 6));
    nn_tensor *r = ZEROS(2, SHAPE(2, 6)), *k8 = ZEROS(2, SHAPE(2, 8));
    nn_tensor *r8 = ZEROS(2, SHAPE(2, 8)), *k2 = ZEROS(2, SHAPE(2, 2));
    nn_tensor *r2 = ZEROS(2, SHAPE(2, 2));
    nn_tensor *x4 = ZEROS(4, SHAPE(1, 2, 3, 2));
    nn_tensor *seq = (nn_tensor *)&seq;
    nn_rnn_config cfg = config("gru", true, false, false);
    CHECK_ERROR(nn_gru_forward(&seq, x, NULL, NULL, k, r, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': expected input of rank 3 (batch, "
                "time, features), got shape (4, 2)");
    assert_null(seq);
    snprintf(cfg.name, sizeof cfg.name, "encoder");
    CHECK_ERROR(nn_lstm_forward(&seq, x4, NULL, NULL, NULL, k8, r8, NULL,
                                &cfg),
                NN_ESHAPE, "LSTM 'encoder': expected input of rank 3 (batch, "
                "time, features), got shape (1, 2, 3, 2)");
    assert_null(seq);
    snprintf(cfg.name, sizeof cfg.name, "simple_rnn_1");
    CHECK_ERROR(nn_simple_rnn_forward(&seq, x, NULL, NULL, k2, r2, NULL,
                                      &cfg),
                NN_ESHAPE, "SimpleRNN 'simple_rnn_1': expected input of rank "
                "3 (batch, time, features), got shape (4, 2)");
    release_all((nn_tensor *[]){x, k, r, k8, r8, k2, r2, x4}, 8);
}

static void an_input_with_the_wrong_features_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(1, 2, 3)), *k = ZEROS(2, SHAPE(2, 6));
    nn_tensor *r = ZEROS(2, SHAPE(2, 6)), *k8 = ZEROS(2, SHAPE(2, 8));
    nn_tensor *r8 = ZEROS(2, SHAPE(2, 8));
    nn_tensor *seq = (nn_tensor *)&seq;
    nn_rnn_config cfg = config("gru", true, false, false);
    CHECK_ERROR(nn_gru_forward(&seq, x, NULL, NULL, k, r, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': expected input with 2 features "
                "(batch, time, 2), got shape (1, 2, 3)");
    assert_null(seq);
    snprintf(cfg.name, sizeof cfg.name, "lstm");
    CHECK_ERROR(nn_lstm_forward(&seq, x, NULL, NULL, NULL, k8, r8, NULL,
                                &cfg),
                NN_ESHAPE, "LSTM 'lstm': expected input with 2 features "
                "(batch, time, 2), got shape (1, 2, 3)");
    release_all((nn_tensor *[]){x, k, r, k8, r8}, 5);
}

static void weights_that_do_not_fit_are_refused(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(1, 2, 2)), *k = ZEROS(2, SHAPE(2, 6));
    nn_tensor *r4 = ZEROS(2, SHAPE(2, 4)), *k1 = ZEROS(1, SHAPE(6));
    nn_tensor *r = ZEROS(2, SHAPE(2, 6));
    nn_tensor *seq = (nn_tensor *)&seq;
    nn_rnn_config cfg = config("gru", true, false, false);
    CHECK_ERROR(nn_gru_forward(&seq, x, NULL, NULL, k, r4, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': kernel (2, 6) and recurrent_kernel "
                "(2, 4) do not fit 2 units");
    assert_null(seq);
    CHECK_ERROR(nn_gru_forward(&seq, x, NULL, NULL, k1, r, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': bad weights (6,) and (2, 6)");
    release_all((nn_tensor *[]){x, k, r4, k1, r}, 5);
}

static void a_bias_of_the_wrong_shape_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(1, 2, 2)), *k = ZEROS(2, SHAPE(2, 6));
    nn_tensor *r = ZEROS(2, SHAPE(2, 6)), *b6 = ZEROS(1, SHAPE(6));
    nn_tensor *b26 = ZEROS(2, SHAPE(2, 6)), *k8 = ZEROS(2, SHAPE(2, 8));
    nn_tensor *r8 = ZEROS(2, SHAPE(2, 8)), *b6l = ZEROS(1, SHAPE(6));
    nn_tensor *k2 = ZEROS(2, SHAPE(2, 2)), *r2 = ZEROS(2, SHAPE(2, 2));
    nn_tensor *b3 = ZEROS(1, SHAPE(3));
    nn_tensor *seq = (nn_tensor *)&seq;
    nn_rnn_config cfg = config("gru", true, false, false);
    CHECK_ERROR(nn_gru_forward(&seq, x, NULL, NULL, k, r, b6, &cfg),
                NN_ESHAPE, "GRU 'gru': bias must be (2, 6), got (6,)");
    assert_null(seq);
    cfg.reset_after = false;
    CHECK_ERROR(nn_gru_forward(&seq, x, NULL, NULL, k, r, b26, &cfg),
                NN_ESHAPE, "GRU 'gru': bias must be (6,), got (2, 6)");
    snprintf(cfg.name, sizeof cfg.name, "lstm");
    CHECK_ERROR(nn_lstm_forward(&seq, x, NULL, NULL, NULL, k8, r8, b6l,
                                &cfg),
                NN_ESHAPE, "LSTM 'lstm': bias must be (8,), got (6,)");
    snprintf(cfg.name, sizeof cfg.name, "simple_rnn");
    CHECK_ERROR(nn_simple_rnn_forward(&seq, x, NULL, NULL, k2, r2, b3, &cfg),
                NN_ESHAPE, "SimpleRNN 'simple_rnn': bias must be (2,), got "
                "(3,)");
    release_all((nn_tensor *[]){x, k, r, b6, b26, k8, r8, b6l, k2, r2, b3},
                11);
}

static void a_mask_of_the_wrong_shape_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(1, 2, 2)), *k = ZEROS(2, SHAPE(2, 6));
    nn_tensor *r = ZEROS(2, SHAPE(2, 6)), *m13 = ZEROS(2, SHAPE(1, 3));
    nn_tensor *m3 = ZEROS(3, SHAPE(1, 2, 1)), *m22 = ZEROS(2, SHAPE(2, 2));
    nn_tensor *seq = (nn_tensor *)&seq;
    nn_rnn_config cfg = config("gru", true, false, false);
    CHECK_ERROR(nn_gru_forward(&seq, x, m13, NULL, k, r, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': the mask must be (batch, time) = "
                "(1, 2), got (1, 3)");
    assert_null(seq);
    CHECK_ERROR(nn_gru_forward(&seq, x, m3, NULL, k, r, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': the mask must be (batch, time) = "
                "(1, 2), got (1, 2, 1)");
    CHECK_ERROR(nn_gru_forward(&seq, x, m22, NULL, k, r, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': the mask must be (batch, time) = "
                "(1, 2), got (2, 2)");
    release_all((nn_tensor *[]){x, k, r, m13, m3, m22}, 6);
}

static void an_initial_state_of_the_wrong_shape_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(2, 2, 2)), *k = ZEROS(2, SHAPE(2, 6));
    nn_tensor *r = ZEROS(2, SHAPE(2, 6)), *k8 = ZEROS(2, SHAPE(2, 8));
    nn_tensor *r8 = ZEROS(2, SHAPE(2, 8)), *k2 = ZEROS(2, SHAPE(2, 2));
    nn_tensor *r2 = ZEROS(2, SHAPE(2, 2));
    nn_tensor *h23 = ZEROS(2, SHAPE(2, 3)), *h12 = ZEROS(2, SHAPE(1, 2));
    nn_tensor *h2 = ZEROS(1, SHAPE(2)), *ok = ZEROS(2, SHAPE(2, 2));
    nn_tensor *seq = (nn_tensor *)&seq;
    nn_rnn_config cfg = config("gru", true, false, false);
    CHECK_ERROR(nn_gru_forward(&seq, x, NULL, h23, k, r, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': initial state 1 must be (2, 2), got "
                "(2, 3)");
    assert_null(seq);
    CHECK_ERROR(nn_gru_forward(&seq, x, NULL, h12, k, r, NULL, &cfg),
                NN_ESHAPE, "GRU 'gru': initial state 1 must be (2, 2), got "
                "(1, 2)");
    snprintf(cfg.name, sizeof cfg.name, "lstm");
    CHECK_ERROR(nn_lstm_forward(&seq, x, NULL, ok, h2, k8, r8, NULL, &cfg),
                NN_ESHAPE, "LSTM 'lstm': initial state 2 must be (2, 2), got "
                "(2,)");
    CHECK_ERROR(nn_lstm_forward(&seq, x, NULL, h23, ok, k8, r8, NULL, &cfg),
                NN_ESHAPE, "LSTM 'lstm': initial state 1 must be (2, 2), got "
                "(2, 3)");
    snprintf(cfg.name, sizeof cfg.name, "simple_rnn");
    CHECK_ERROR(nn_simple_rnn_forward(&seq, x, NULL, h12, k2, r2, NULL, &cfg),
                NN_ESHAPE, "SimpleRNN 'simple_rnn': initial state 1 must be "
                "(2, 2), got (1, 2)");
    release_all((nn_tensor *[]){x, k, r, k8, r8, k2, r2, h23, h12, h2, ok},
                11);
}

static void nn_rnn_check_fills_the_sizes(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(4, 7, 3)), *k = ZEROS(2, SHAPE(3, 15));
    nn_tensor *r = ZEROS(2, SHAPE(5, 15)), *b = ZEROS(2, SHAPE(2, 15));
    nn_rnn_config cfg = config("gru", true, false, false);
    nn_rnn_dims d = {0, 0, 0, 0};
    CHECK_OK(nn_gru_shape(&d, x, NULL, NULL, k, r, b, &cfg));
    assert_int_equal(d.batch, 4);
    assert_int_equal(d.time, 7);
    assert_int_equal(d.features, 3);
    assert_int_equal(d.units, 5);
    int64_t bshape[1] = {15};
    CHECK_ERROR(nn_rnn_check(&d, "GRU", &cfg, x, NULL, NULL, 0, k, r, b, 3, 1,
                             bshape),
                NN_ESHAPE, "GRU 'gru': bias must be (15,), got (2, 15)");
    release_all((nn_tensor *[]){x, k, r, b}, 4);
}

static void activation_names_are_looked_up(void **state)
{
    (void)state;
    assert_int_equal(nn_rnn_act_lookup("tanh"), NN_RNN_TANH);
    assert_int_equal(nn_rnn_act_lookup("sigmoid"), NN_RNN_SIGMOID);
    assert_int_equal(nn_rnn_act_lookup("linear"), NN_RNN_LINEAR);
    assert_int_equal(nn_rnn_act_lookup("relu"), NN_RNN_RELU);
    assert_int_equal(nn_rnn_act_lookup("hard_sigmoid"), NN_RNN_HARD_SIGMOID);
    assert_int_equal(nn_rnn_act_lookup("softmax"), -1);
    assert_int_equal(nn_rnn_act_lookup(""), -1);
}

/* ---- symbolic inputs ---------------------------------------------------- */

static void symbolic_inputs_give_symbolic_shapes(void **state)
{
    (void)state;
    nn_tensor *x = SYM(3, SHAPE(NN_NONE, NN_NONE, 2));
    nn_tensor *x64 = SYM(3, SHAPE(NN_NONE, 64, 2));
    nn_tensor *k = ZEROS(2, SHAPE(2, 6)), *r = ZEROS(2, SHAPE(2, 6));
    nn_tensor *b = ZEROS(2, SHAPE(2, 6)), *k8 = ZEROS(2, SHAPE(2, 8));
    nn_tensor *r8 = ZEROS(2, SHAPE(2, 8)), *k2 = ZEROS(2, SHAPE(2, 2));
    nn_tensor *r2 = ZEROS(2, SHAPE(2, 2));
    nn_tensor *m = SYM(2, SHAPE(NN_NONE, NN_NONE));
    nn_tensor *h0 = SYM(2, SHAPE(NN_NONE, 2));
    nn_tensor *seq;
    nn_rnn_config cfg = config("gru", true, false, false);
    k->requires_grad = true;
    size_t before = nn_memory_in_use();
    CHECK_OK(nn_gru_forward(&seq, x, NULL, NULL, k, r, b, &cfg));
    assert_true(seq->symbolic);
    assert_null(seq->data);
    assert_null(seq->node);
    assert_string_equal(NN_SHAPE(seq), "(None, None, 4)");
    nn_tensor_release(seq);
    CHECK_OK(nn_gru_forward(&seq, x64, m, h0, k, r, b, &cfg));
    assert_string_equal(NN_SHAPE(seq), "(None, 64, 4)");
    nn_tensor_release(seq);
    CHECK_OK(nn_lstm_forward(&seq, x64, m, h0, h0, k8, r8, NULL, &cfg));
    assert_true(seq->symbolic);
    assert_string_equal(NN_SHAPE(seq), "(None, 64, 6)");
    nn_tensor_release(seq);
    CHECK_OK(nn_simple_rnn_forward(&seq, x, NULL, NULL, k2, r2, NULL, &cfg));
    assert_string_equal(NN_SHAPE(seq), "(None, None, 4)");
    nn_tensor_release(seq);
    assert_int_equal(nn_memory_in_use(), before); /* computed nothing */

    /* a real x with a symbolic mask is symbolic too */
    nn_tensor *xr = ZEROS(3, SHAPE(2, 64, 2));
    CHECK_OK(nn_gru_forward(&seq, xr, m, NULL, k, r, b, &cfg));
    assert_true(seq->symbolic);
    assert_string_equal(NN_SHAPE(seq), "(2, 64, 4)");
    nn_tensor_release(seq);

    /* the checks still run on symbolic inputs */
    nn_tensor *bad = SYM(3, SHAPE(NN_NONE, 64, 3));
    seq = (nn_tensor *)&seq;
    CHECK_ERROR(nn_gru_forward(&seq, bad, NULL, NULL, k, r, b, &cfg),
                NN_ESHAPE, "GRU 'gru': expected input with 2 features "
                "(batch, time, 2), got shape (None, 64, 3)");
    assert_null(seq);
    nn_tensor *h3 = SYM(2, SHAPE(NN_NONE, 3));
    CHECK_ERROR(nn_gru_forward(&seq, x64, NULL, h3, k, r, b, &cfg),
                NN_ESHAPE, "GRU 'gru': initial state 1 must be (None, 2), "
                "got (None, 3)");
    nn_tensor *m63 = SYM(2, SHAPE(NN_NONE, 63));
    CHECK_ERROR(nn_gru_forward(&seq, x64, m63, NULL, k, r, b, &cfg),
                NN_ESHAPE, "GRU 'gru': the mask must be (batch, time) = "
                "(None, 64), got (None, 63)");
    release_all((nn_tensor *[]){x, x64, k, r, b, k8, r8, k2, r2, m, h0, xr,
                                bad, h3, m63}, 15);
}

/* ---- Embedding and the masks ------------------------------------------- */

static void embedding_looks_up_rows(void **state)
{
    (void)state;
    nn_tensor *ids = T(2, SHAPE(2, 3), {0, 2, 1, 3, 3, 0});
    nn_tensor *table = T(2, SHAPE(4, 2), {0, 0.5f, 1, 1.5f, 2, 2.5f, 3,
                                          3.5f});
    nn_tensor *y;
    CHECK_OK(nn_embedding_forward(&y, ids, table, "embedding"));
    CHECK_VALUES(y, 3, SHAPE(2, 3, 2), 0.0,
                 {0, 0.5f, 2, 2.5f, 1, 1.5f, 3, 3.5f, 3, 3.5f, 0, 0.5f});
    assert_null(y->node);
    nn_tensor_release(y);
    /* any rank of ids: (...) -> (..., D) */
    nn_tensor *id1 = T(1, SHAPE(2), {3, 1}), *y1;
    CHECK_OK(nn_embedding_forward(&y1, id1, table, "embedding"));
    CHECK_VALUES(y1, 2, SHAPE(2, 2), 0.0, {3, 3.5f, 1, 1.5f});
    release_all((nn_tensor *[]){ids, table, id1, y1}, 4);
}

static void embedding_gradients_add_up_per_row(void **state)
{
    (void)state;
    nn_tensor *ids = T(2, SHAPE(2, 3), {0, 2, 1, 2, 2, 0});
    nn_tensor *table = grad_input(2, (int64_t[]){4, 2}, -1, 1);
    nn_tensor *g = T(3, SHAPE(2, 3, 2), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                         12});
    nn_tensor *y;
    CHECK_OK(nn_embedding_forward(&y, ids, table, "embedding"));
    assert_non_null(y->node);
    CHECK_OK(nn_backward(y, g));
    /* row 0: steps 0 and 5; row 1: step 2; row 2: steps 1, 3, 4; row 3:
     * none */
    CHECK_VALUES(table->grad, 2, SHAPE(4, 2), 0.0,
                 {1 + 11, 2 + 12, 5, 6, 3 + 7 + 9, 4 + 8 + 10, 0, 0});
    release_all((nn_tensor *[]){ids, table, g, y}, 4);
}

static nn_status embedding_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    (void)ctx;
    return nn_embedding_forward(out, in[0], in[1], "embedding");
}

static void embedding_gradients_agree_with_finite_differences(void **state)
{
    (void)state;
    nn_tensor *in[2] = {T(2, SHAPE(3, 4), {1, 0, 4, 4, 2, 2, 1, 0, 3, 4, 1,
                                           1}),
                        grad_input(2, (int64_t[]){5, 3}, -1, 1)};
    check_gradients(embedding_fn, NULL, 2, in, 1e-3);
    release_all(in, 2);
}

static void ids_outside_the_table_are_refused(void **state)
{
    (void)state;
    nn_tensor *table = ZEROS(2, SHAPE(5, 2)), *y = (nn_tensor *)&y;
    nn_tensor *big = T(2, SHAPE(1, 3), {0, 4, 5});
    nn_tensor *neg = T(1, SHAPE(2), {1, -1});
    nn_tensor *frac = T(1, SHAPE(2), {1.5f, 2});
    nn_tensor *flat = ZEROS(1, SHAPE(5)), *ids = T(1, SHAPE(1), {0});
    CHECK_ERROR(nn_embedding_forward(&y, big, table, "embedding"), NN_EARG,
                "Embedding 'embedding': input 2 is 5, not an integer in "
                "[0, 5) (input_dim is 5)");
    assert_null(y);
    CHECK_ERROR(nn_embedding_forward(&y, neg, table, "tokens"), NN_EARG,
                "Embedding 'tokens': input 1 is -1, not an integer in [0, 5) "
                "(input_dim is 5)");
    CHECK_ERROR(nn_embedding_forward(&y, frac, table, "embedding"), NN_EARG,
                "Embedding 'embedding': input 0 is 1.5, not an integer in "
                "[0, 5) (input_dim is 5)");
    CHECK_ERROR(nn_embedding_forward(&y, ids, flat, "embedding"), NN_ESHAPE,
                "Embedding 'embedding': embeddings must be (input_dim, "
                "output_dim), got (5,)");
    release_all((nn_tensor *[]){table, big, neg, frac, flat, ids}, 6);
}

static void embedding_of_symbolic_ids_is_symbolic(void **state)
{
    (void)state;
    nn_tensor *ids = SYM(2, SHAPE(NN_NONE, NN_NONE)), *y, *m;
    nn_tensor *table = ZEROS(2, SHAPE(10, 4));
    CHECK_OK(nn_embedding_forward(&y, ids, table, "embedding"));
    assert_true(y->symbolic);
    assert_string_equal(NN_SHAPE(y), "(None, None, 4)");
    CHECK_OK(nn_embedding_mask(&m, ids));
    assert_true(m->symbolic);
    assert_string_equal(NN_SHAPE(m), "(None, None)");
    release_all((nn_tensor *[]){ids, table, y, m}, 4);
}

static void embedding_mask_marks_nonzero_ids(void **state)
{
    (void)state;
    nn_tensor *ids = T(2, SHAPE(2, 4), {3, 1, 0, 0, 0, 2, 0, 7}), *m;
    CHECK_OK(nn_embedding_mask(&m, ids));
    CHECK_VALUES(m, 2, SHAPE(2, 4), 0.0, {1, 1, 0, 0, 0, 1, 0, 1});
    release_all((nn_tensor *[]){ids, m}, 2);
}

static void masking_mask_marks_steps_with_any_other_value(void **state)
{
    (void)state;
    nn_tensor *x = T(3, SHAPE(2, 3, 2), {0, 0, 1, 0, 0, -2,
                                         0, 0, 0, 0, 5, 5});
    nn_tensor *m;
    CHECK_OK(nn_masking_mask(&m, x, 0.0f, "masking"));
    CHECK_VALUES(m, 2, SHAPE(2, 3), 0.0, {0, 1, 1, 0, 0, 1});
    nn_tensor_release(m);
    /* another mask value: only steps entirely equal to 5 are masked */
    CHECK_OK(nn_masking_mask(&m, x, 5.0f, "masking"));
    CHECK_VALUES(m, 2, SHAPE(2, 3), 0.0, {1, 1, 1, 1, 1, 0});
    nn_tensor_release(m);
    /* rank 2: one flag per row */
    nn_tensor *x2 = T(2, SHAPE(3, 2), {0, 0, 0, 1, -1, 0});
    CHECK_OK(nn_masking_mask(&m, x2, 0.0f, "masking"));
    CHECK_VALUES(m, 1, SHAPE(3), 0.0, {0, 1, 1});
    release_all((nn_tensor *[]){x, x2, m}, 3);
}

static void masking_refuses_rank_1_and_passes_symbolic_shapes(void **state)
{
    (void)state;
    nn_tensor *x = T(1, SHAPE(3), {0, 1, 2}), *m = (nn_tensor *)&m;
    nn_tensor *s = SYM(3, SHAPE(NN_NONE, 7, 4));
    CHECK_ERROR(nn_masking_mask(&m, x, 0.0f, "masking_1"), NN_ESHAPE,
                "Masking 'masking_1': expected input of rank >= 2 (batch, "
                "..., features), got shape (3,)");
    assert_null(m);
    CHECK_OK(nn_masking_mask(&m, s, 0.0f, "masking"));
    assert_true(m->symbolic);
    assert_string_equal(NN_SHAPE(m), "(None, 7)");
    release_all((nn_tensor *[]){x, s, m}, 3);
}

static void a_masking_mask_drives_the_rnn_mask(void **state)
{
    (void)state;
    /* a step of zeros (Masking's mask) behaves as the same mask given
     * directly: the padded GRU equals the unpadded one at its real steps */
    nn_tensor *x = T(3, SHAPE(1, 3, 2), {0.5f, -1, 0.25f, 0.75f, 0, 0});
    nn_tensor *x2 = T(3, SHAPE(1, 2, 2), {0.5f, -1, 0.25f, 0.75f});
    nn_tensor *k = T(2, SHAPE(2, 6), {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f,
                                      0.7f, 0.2f, -0.1f, 0.4f, -0.3f, 0.6f});
    nn_tensor *r = T(2, SHAPE(2, 6), {0.2f, 0.1f, -0.3f, 0.5f, -0.2f, 0.4f,
                                      -0.4f, 0.3f, 0.2f, -0.1f, 0.6f, -0.5f});
    nn_tensor *m, *seq, *seq2;
    nn_rnn_config cfg = config("gru", true, false, false);
    CHECK_OK(nn_masking_mask(&m, x, 0.0f, "masking"));
    CHECK_VALUES(m, 2, SHAPE(1, 3), 0.0, {1, 1, 0});
    CHECK_OK(nn_gru_forward(&seq, x, m, NULL, k, r, NULL, &cfg));
    CHECK_OK(nn_gru_forward(&seq2, x2, NULL, NULL, k, r, NULL, &cfg));
    for (int i = 0; i < 8; i++)
        assert_float_equal(seq->data[i], seq2->data[i], 0.0);
    for (int i = 0; i < 4; i++) /* the last step repeats step 1 */
        assert_float_equal(seq->data[8 + i], seq2->data[4 + i], 0.0);
    release_all((nn_tensor *[]){x, x2, k, r, m, seq, seq2}, 7);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, record_memory, \
                                                no_tensor_leaked)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(the_first_step_by_hand_matches_the_kernels),
        TEST(gru_tiny_cases_match_the_equations),
        TEST(lstm_tiny_cases_match_the_equations),
        TEST(simple_rnn_tiny_cases_match_the_equations),
        TEST(the_two_gru_modes_differ),
        TEST(masked_steps_carry_the_state_and_the_previous_output),
        TEST(go_backwards_reads_the_sequence_reversed),
        TEST(other_activations_match_the_equations),
        TEST(a_longer_masked_sequence_matches_the_equations),
        TEST(without_a_mask_the_output_is_the_state),
        TEST(results_hold_no_node_when_nothing_requires_grad),
        TEST(gru_gradients_agree_with_finite_differences),
        TEST(lstm_gradients_agree_with_finite_differences),
        TEST(simple_rnn_gradients_agree_with_finite_differences),
        TEST(gradients_without_bias_or_initial_state),
        TEST(gradients_with_other_activations),
        TEST(only_inputs_that_require_grad_get_a_gradient),
        TEST(a_fully_masked_row_passes_its_gradient_to_the_initial_state),
        TEST(an_input_that_is_not_rank_3_is_refused),
        TEST(an_input_with_the_wrong_features_is_refused),
        TEST(weights_that_do_not_fit_are_refused),
        TEST(a_bias_of_the_wrong_shape_is_refused),
        TEST(a_mask_of_the_wrong_shape_is_refused),
        TEST(an_initial_state_of_the_wrong_shape_is_refused),
        TEST(nn_rnn_check_fills_the_sizes),
        TEST(activation_names_are_looked_up),
        TEST(symbolic_inputs_give_symbolic_shapes),
        TEST(embedding_looks_up_rows),
        TEST(embedding_gradients_add_up_per_row),
        TEST(embedding_gradients_agree_with_finite_differences),
        TEST(ids_outside_the_table_are_refused),
        TEST(embedding_of_symbolic_ids_is_symbolic),
        TEST(embedding_mask_marks_nonzero_ids),
        TEST(masking_mask_marks_steps_with_any_other_value),
        TEST(masking_refuses_rank_1_and_passes_symbolic_shapes),
        TEST(a_masking_mask_drives_the_rnn_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
