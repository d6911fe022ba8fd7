/* xdg.c - XDG base-directory paths, parent-directory creation and atomic
 * file replacement. Not aware of what the files contain. */
#include "xdg.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

#define APP_DIR "jumpdeck"

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && home[0] == '/')
		return home;
	pw = getpwuid(getuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return NULL;
}

static char *xdg_path(const char *var, const char *fallback, const char *leaf)
{
	const char *base = getenv(var);
	const char *home;
	int has_leaf = leaf && leaf[0];

	if (base && base[0] == '/')
		return xasprintf("%s/" APP_DIR "%s%s", base,
				 has_leaf ? "/" : "", has_leaf ? leaf : "");
	home = home_dir();
	if (!home)
		return NULL;
	return xasprintf("%s/%s/" APP_DIR "%s%s", home, fallback,
			 has_leaf ? "/" : "", has_leaf ? leaf : "");
}

char *xdg_config_path(const char *leaf)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", leaf);
}

char *xdg_state_path(const char *leaf)
{
	return xdg_path("XDG_STATE_HOME", ".local/state", leaf);
}

char *xdg_cache_path(const char *leaf)
{
	return xdg_path("XDG_CACHE_HOME", ".cache", leaf);
}

int xdg_mkdirs(const char *path_of_file, struct err *e)
{
	char *dir = xstrdup(path_of_file);
	char *slash = strrchr(dir, '/');
	char *p;
	struct stat st;

	if (!slash || slash == dir) {
		free(dir);
		return 0; /* relative file in ".", or a file in "/" */
	}
	*slash = '\0';
	for (p = dir + 1;; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			int rc = err_set(e, ERR_IO, "cannot create %s: %s",
					 dir, strerror(errno));

			free(dir);
			return rc;
		}
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			int rc =
			    err_set(e, ERR_IO,
				    "cannot create %s: not a directory", dir);

			free(dir);
			return rc;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(dir);
	return 0;
}

/* Directory part of path, "." when there is none. Caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EIO;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, int mode,
		      struct err *e)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	char *dir = dir_of(path);
	const char *what;
	int fd, dfd, saved, rc = 0;

	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = err_set(e, ERR_IO,
			     "cannot create a temporary file "
			     "next to %s: %s",
			     path, strerror(errno));
		goto out;
	}
	what = "set the mode of";
	if (fchmod(fd, (mode_t)mode) != 0)
		goto fail;
	what = "write";
	if (write_all(fd, data, len) != 0)
		goto fail;
	what = "sync";
	if (fsync(fd) != 0)
		goto fail;
	what = "close";
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	what = "rename a temporary file to";
	if (rename(tmp, path) != 0)
		goto fail;
	/* make the rename itself durable; failure here is not fatal */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	goto out;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	rc = err_set(e, ERR_IO, "cannot %s %s: %s", what, path,
		     strerror(saved ? saved : EIO));
out:
	free(tmp);
	free(dir);
	return rc;
}
