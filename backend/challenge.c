/* challenge.c - a small scanner for WWW-Authenticate challenges and Link
 * headers (RFC 7235, RFC 8288 shapes). Pure text; knows no registry. */
#include "challenge.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_tchar(char ch)
{
	return isalnum((unsigned char)ch) || (ch && strchr("!#$%&'*+-.^_`|~",
							  ch) != NULL);
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static const char *scan_token(const char *p)
{
	while (is_tchar(*p))
		p++;
	return p;
}

/* A quoted string starting at p (on the quote). Returns the position after
 * the closing quote and the unescaped text in *out, or NULL when the
 * string does not end. */
static const char *scan_quoted(const char *p, char **out)
{
	struct strbuf b = {0};

	p++;
	while (*p && *p != '"') {
		char ch = *p;

		if (ch == '\\') {
			if (!p[1])
				break;
			ch = p[1];
			p++;
		}
		strbuf_addn(&b, &ch, 1);
		p++;
	}
	if (*p != '"') {
		strbuf_free(&b);
		return NULL;
	}
	*out = strbuf_take(&b);
	return p + 1;
}

/* An unquoted parameter value: everything up to a comma, semicolon or
 * whitespace (more lenient than a token, as servers are). */
static const char *scan_bare(const char *p, char **out)
{
	const char *s = p;

	while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
		p++;
	*out = xstrndup(s, (size_t)(p - s));
	return p;
}

static void add_param(struct challenge *c, size_t *cap, char *key,
		      char *value)
{
	size_t i;

	for (i = 0; key[i]; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
	c->params = xgrow(c->params, cap, c->nparams + 1, sizeof(*c->params));
	c->params[c->nparams].key = key;
	c->params[c->nparams].value = value;
	c->nparams++;
}

static int is_token68_char(char ch)
{
	return isalnum((unsigned char)ch) ||
	       (ch && strchr("-._~+/", ch) != NULL);
}

/* A token68 right after the scheme ("Basic dXNlcjpw=="): its end, or
 * NULL when what follows the scheme is not one. */
static const char *scan_token68(const char *p)
{
	const char *s = p, *q;

	while (is_token68_char(*p))
		p++;
	if (p == s)
		return NULL;
	while (*p == '=')
		p++;
	q = skip_ws(p);
	return (!*q || *q == ',') ? p : NULL;
}

/* Parses one challenge at p. *next is where a following challenge starts,
 * or NULL at the end of the header. */
static int parse_one(const char *p, const char **next, struct challenge *c,
		     struct err *e)
{
	const char *s, *t;
	size_t cap = 0;

	memset(c, 0, sizeof(*c));
	*next = NULL;
	p = skip_ws(p);
	while (*p == ',')
		p = skip_ws(p + 1);
	s = p;
	p = scan_token(p);
	if (p == s)
		return err_set(e, ERR_PARSE,
			       "authentication challenge without a scheme");
	c->scheme = xstrndup(s, (size_t)(p - s));
	if (*p == ' ' || *p == '\t') {
		s = skip_ws(p);
		t = scan_token68(s);
		if (t) {
			c->token68 = xstrndup(s, (size_t)(t - s));
			p = t;
		}
	}
	for (;;) {
		char *key, *value = NULL;

		p = skip_ws(p);
		while (*p == ',')
			p = skip_ws(p + 1);
		if (!*p)
			return 0;
		s = p;
		t = scan_token(p);
		if (t == s)
			goto bad;
		p = skip_ws(t);
		if (*p != '=') {
			/* A token without "=": the next challenge's scheme. */
			*next = s;
			return 0;
		}
		p = skip_ws(p + 1);
		key = xstrndup(s, (size_t)(t - s));
		if (*p == '"') {
			p = scan_quoted(p, &value);
			if (!p) {
				free(key);
				challenge_clear(c);
				return err_set(e, ERR_PARSE,
					       "authentication challenge has "
					       "an unterminated quoted value");
			}
		} else {
			p = scan_bare(p, &value);
		}
		add_param(c, &cap, key, value);
		p = skip_ws(p);
		if (*p && *p != ',')
			goto bad;
	}
bad:
	challenge_clear(c);
	return err_set(e, ERR_PARSE,
		       "cannot parse the authentication challenge near "
		       "\"%.20s\"", s);
}

int challenge_parse(const char *header, struct challenge *c, struct err *e)
{
	const char *next;

	memset(c, 0, sizeof(*c));
	if (!header)
		return err_set(e, ERR_PARSE, "no authentication challenge");
	return parse_one(header, &next, c, e);
}

int challenge_parse_scheme(const char *header, const char *scheme,
			   struct challenge *c, struct err *e)
{
	const char *p = header, *next;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!header)
		return err_set(e, ERR_PARSE, "no authentication challenge");
	while (p) {
		rc = parse_one(p, &next, c, e);
		if (rc < 0)
			return rc;
		if (challenge_is(c, scheme))
			return 0;
		challenge_clear(c);
		p = next;
	}
	return err_set(e, ERR_NOTFOUND, "no %s authentication challenge",
		       scheme);
}

const char *challenge_get(const struct challenge *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->nparams; i++)
		if (strcasecmp(c->params[i].key, key) == 0)
			return c->params[i].value;
	return NULL;
}

int challenge_is(const struct challenge *c, const char *scheme)
{
	return c->scheme && strcasecmp(c->scheme, scheme) == 0;
}

void challenge_clear(struct challenge *c)
{
	size_t i;

	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].key);
		free(c->params[i].value);
	}
	free(c->params);
	free(c->scheme);
	free(c->token68);
	memset(c, 0, sizeof(*c));
}

/* Does a rel value (space-separated relation types) contain "next"? */
static int rel_has_next(const char *v)
{
	while (*v) {
		const char *s;

		while (*v == ' ' || *v == '\t')
			v++;
		s = v;
		while (*v && *v != ' ' && *v != '\t')
			v++;
		if (v - s == 4 && strncasecmp(s, "next", 4) == 0)
			return 1;
	}
	return 0;
}

int link_next(const char *header, char **url, struct err *e)
{
	const char *p = header;

	*url = NULL;
	if (!header)
		return 0;
	for (;;) {
		const char *s, *t;
		char *target;
		int next = 0;

		p = skip_ws(p);
		while (*p == ',')
			p = skip_ws(p + 1);
		if (!*p)
			return 0;
		if (*p != '<')
			return err_set(e, ERR_PARSE,
				       "cannot parse the Link header: a link "
				       "must start with \"<\"");
		s = p + 1;
		t = strchr(s, '>');
		if (!t)
			return err_set(e, ERR_PARSE,
				       "cannot parse the Link header: no "
				       "closing \">\"");
		target = xstrndup(s, (size_t)(t - s));
		p = skip_ws(t + 1);
		while (*p == ';') {
			char *key, *value = NULL;

			p = skip_ws(p + 1);
			s = p;
			p = scan_token(p);
			key = xstrndup(s, (size_t)(p - s));
			p = skip_ws(p);
			if (*p == '=') {
				p = skip_ws(p + 1);
				if (*p == '"')
					p = scan_quoted(p, &value);
				else
					p = scan_bare(p, &value);
				if (!p) {
					free(key);
					free(target);
					return err_set(e, ERR_PARSE,
						       "cannot parse the Link "
						       "header: unterminated "
						       "quote");
				}
			}
			if (strcasecmp(key, "rel") == 0 && value &&
			    rel_has_next(value))
				next = 1;
			free(key);
			free(value);
			p = skip_ws(p);
		}
		if (next) {
			*url = target;
			return 1;
		}
		free(target);
		if (*p && *p != ',')
			return err_set(e, ERR_PARSE,
				       "cannot parse the Link header near "
				       "\"%.20s\"", p);
	}
}
