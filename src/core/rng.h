/*
 * rng.h - the random number generator (xoshiro256**, seeded by splitmix64).
 *
 * One global stream serves every random draw of attnlab (tensor.rand,
 * initializers, dropout), so nn.seed(n) makes a whole script reproducible
 * bit for bit on every machine: no libc rand(), no platform-dependent math
 * in the integer part.
 */
#ifndef NN_RNG_H
#define NN_RNG_H

#include <stdint.h>

typedef struct nn_rng {
    uint64_t s[4];
    double spare;   /* the second normal of a Box-Muller pair */
    int has_spare;
} nn_rng;

void nn_rng_seed(nn_rng *r, uint64_t seed);
uint64_t nn_rng_next(nn_rng *r);
double nn_rng_uniform(nn_rng *r);          /* [0, 1), 53 bits */
double nn_rng_normal(nn_rng *r);           /* mean 0, stddev 1 */
double nn_rng_truncated_normal(nn_rng *r); /* normal redrawn outside +-2 */

/* The global stream (seeded with 0 until nn.seed is called). */
nn_rng *nn_rng_global(void);

#endif
