/* xdg.h - where jumpdeck keeps its files (XDG dirs); atomic file writes.
 * Not a config parser and not a general file-system library. */
#ifndef JD_XDG_H
#define JD_XDG_H

#include <stddef.h>

#include "err.h"

/* $XDG_CONFIG_HOME/jumpdeck/leaf, or ~/.config/jumpdeck/leaf when the
 * variable is unset, empty or relative (relative values are ignored, as the
 * XDG spec says). leaf NULL or "" gives the directory itself. Home is $HOME
 * if absolute, else the password database. Returns a new string (caller
 * frees), or NULL when no home directory can be found. */
char *xdg_config_path(const char *leaf);

/* $XDG_STATE_HOME/jumpdeck/leaf, or ~/.local/state/jumpdeck/leaf; same
 * rules as xdg_config_path. */
char *xdg_state_path(const char *leaf);

/* $XDG_CACHE_HOME/jumpdeck/leaf, or ~/.cache/jumpdeck/leaf; same rules
 * as xdg_config_path. For what can be thrown away (completion data). */
char *xdg_cache_path(const char *leaf);

/* Create the directories leading to the file path_of_file (not the file
 * itself), each new one with mode 0700; existing ones are left as they are.
 * Returns 0, or -ERR_IO with e naming the directory. */
int xdg_mkdirs(const char *path_of_file, struct err *e);

/* Replace path with len bytes of data: write a temporary file in the same
 * directory, give it mode (e.g. 0600), fsync it, rename it over path and
 * fsync the directory. Readers see the old or the new content, never a
 * part; on failure the temporary file is removed and path is untouched.
 * The directory must exist (see xdg_mkdirs). Returns 0 or -ERR_IO. */
int write_file_atomic(const char *path, const void *data, size_t len, int mode,
		      struct err *e);

#endif
