/* num.c - range-checked conversion of doubles to whole numbers: C leaves
 * the conversion of a value that does not fit undefined, and a server
 * chooses the values. */
#include "num.h"

int num_to_ll(double d, long long lo, long long hi, long long *out)
{
	/* Compared as doubles: every long long converts (rounded), and a
	 * NaN fails both tests. 2^63 itself does not fit. */
	if (!(d >= (double)lo && d <= (double)hi) ||
	    d >= 9223372036854775808.0 || d < -9223372036854775808.0)
		return -1;
	*out = (long long)d;
	if (*out < lo || *out > hi)
		return -1;
	return 0;
}

long long num_or(double d, long long lo, long long hi, long long dflt)
{
	long long v;

	return num_to_ll(d, lo, hi, &v) == 0 ? v : dflt;
}
