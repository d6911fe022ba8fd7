/* num.h - whole numbers from JSON numbers (doubles) without undefined
 * behaviour: a double out of range (1e56, inf, NaN) is not converted.
 * Not a parser; cJSON parses. */
#ifndef JD_NUM_H
#define JD_NUM_H

/* *out gets d without its fraction when d is finite and within
 * [lo, hi]; returns 0. Otherwise returns -1 and leaves *out alone. */
int num_to_ll(double d, long long lo, long long hi, long long *out);

/* d as a whole number in [lo, hi], or dflt when it is not one there. */
long long num_or(double d, long long lo, long long hi, long long dflt);

#endif
