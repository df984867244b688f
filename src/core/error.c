/* error.c - the last error message of the core. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char errbuf[1024];

volatile sig_atomic_t nn_interrupt_flag = 0;
volatile sig_atomic_t nn_interrupt_deferred = 0;
volatile sig_atomic_t nn_interrupt_pending = 0;

nn_status nn_error(nn_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    va_end(ap);
    return status;
}

nn_status nn_error_context(nn_status status, const char *who)
{
    char tmp[sizeof errbuf];
    size_t n = strlen(who);
    /* do not stack the same prefix twice */
    if (strncmp(errbuf, who, n) == 0 && errbuf[n] == ':')
        return status;
    int k = snprintf(tmp, sizeof tmp, "%s: ", who);
    if (k < 0 || (size_t)k >= sizeof tmp)
        return status;
    size_t len = strlen(errbuf), room = sizeof tmp - (size_t)k - 1;
    if (len > room)
        len = room;
    memcpy(tmp + k, errbuf, len);
    tmp[(size_t)k + len] = '\0';
    memcpy(errbuf, tmp, sizeof errbuf);
    return status;
}

const char *nn_errmsg(void)
{
    return errbuf;
}

nn_status nn_check_interrupt(const char *who)
{
    if (!nn_interrupt_flag)
        return NN_OK;
    nn_interrupt_flag = 0;
    return nn_error(NN_EINTR, "%s: interrupted", who);
}
