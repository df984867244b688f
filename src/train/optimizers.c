/* optimizers.c - Keras's optimizers (being written). */
#include "optimizers.h"
int nn_optimizers_placeholder(void) { return 0; }
