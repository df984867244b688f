/*
 * error.h - status codes and the last error message of the core.
 *
 * Every core function that can fail returns an nn_status and, when it is not
 * NN_OK, leaves a human-readable message in a buffer read by nn_errmsg().
 * Messages name the op or layer and the shapes involved, so the Lua bindings
 * can pass them on to the learner unchanged.
 */
#ifndef NN_ERROR_H
#define NN_ERROR_H

#include <signal.h>

typedef enum nn_status {
    NN_OK = 0,
    NN_EARG,    /* a bad argument: wrong axis, negative size, bad option */
    NN_ESHAPE,  /* shapes that do not fit together */
    NN_ENOMEM,  /* allocation failed or would pass the memory limit */
    NN_EIO,     /* a file could not be read or written */
    NN_EVALUE,  /* a value that is not allowed (NaN where a size is needed) */
    NN_EINTR,   /* interrupted by the user (Ctrl-C) */
    NN_ESTATE   /* an operation that is not allowed in the current state */
} nn_status;

/* Sets the message (printf-style) and returns status, so callers can write
 * `return nn_error(NN_ESHAPE, "matmul: ...", ...);`. */
nn_status nn_error(nn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prepends "who: " to the current message and returns status; used when an
 * op passes on an error of a helper (an allocation, say). */
nn_status nn_error_context(nn_status status, const char *who);

/* The message of the last error; "" when none. */
const char *nn_errmsg(void);

/* Set by a signal handler (the REPL's Ctrl-C); long loops poll it through
 * nn_check_interrupt() and stop with NN_EINTR. */
extern volatile sig_atomic_t nn_interrupt_flag;

/* While nn_interrupt_deferred is set (model:fit does), Ctrl-C only sets
 * nn_interrupt_pending, which the training loop reads between batches, so
 * a batch is never cut in half. */
extern volatile sig_atomic_t nn_interrupt_deferred;
extern volatile sig_atomic_t nn_interrupt_pending;

nn_status nn_check_interrupt(const char *who);

#endif
