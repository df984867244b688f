/* losses.c - Keras's losses (being written). */
#include "losses.h"
int nn_losses_placeholder(void) { return 0; }
