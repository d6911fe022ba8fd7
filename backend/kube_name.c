/* kube_name.c - the API server's name rules (IsDNS1123Subdomain,
 * IsDNS1123Label in apimachinery), each broken rule said in words. */
#include "kube_name.h"

#include <string.h>

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int kube_name_check(const char *what, const char *name,
		    enum kube_name_kind kind, struct err *e)
{
	size_t n = name ? strlen(name) : 0, i;
	size_t max = kind == KUBE_NAME_LABEL ? 63 : 253;
	const char *rules = kind == KUBE_NAME_LABEL
				? "lower-case letters, digits and '-'"
				: "lower-case letters, digits, '-' and '.'";

	if (n == 0)
		return err_set(e, ERR_USAGE, "a %s name cannot be empty",
			       what);
	if (n > max)
		return err_set(e, ERR_USAGE,
			       "\"%.40s...\" is not a valid %s name: it is "
			       "%zu characters long, at most %zu are allowed",
			       name, what, n, max);
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (lower_alnum(c) || c == '-' ||
		    (c == '.' && kind == KUBE_NAME_SUBDOMAIN))
			continue;
		return err_set(e, ERR_USAGE,
			       "\"%s\" is not a valid %s name: only %s are "
			       "allowed",
			       name, what, rules);
	}
	for (i = 0; i < n; i++) {
		/* each dot-separated part starts and ends alphanumeric */
		int starts = i == 0 || name[i - 1] == '.';
		int ends = i + 1 == n || name[i + 1] == '.';

		if ((starts || ends) && !lower_alnum(name[i]))
			return err_set(e, ERR_USAGE,
				       "\"%s\" is not a valid %s name: it and "
				       "each part between dots must start and "
				       "end with a lower-case letter or digit",
				       name, what);
	}
	return 0;
}
