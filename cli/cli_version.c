/* cli_version.c - `jumpdeck --version`: our version and the versions of
 * the libraries this process runs with, asked of each library at run time
 * (not the headers it was built against). */
#include "cli.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <curses.h>
#include <libssh/libssh.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#ifndef JD_VERSION
#define JD_VERSION "0.1.0"
#endif

int cli_version(void)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	const char *nc = curses_version();

	cli_say(stdout, "jumpdeck %s", JD_VERSION);
	cli_say(stdout, "libcurl %s (TLS: %s)", cv->version,
	       cv->ssl_version ? cv->ssl_version : "none");
	if (strncmp(nc, "ncurses ", 8) == 0)
		nc += 8;
	cli_say(stdout, "ncurses %s", nc);
	cli_say(stdout, "libssh %s", ssh_version(0));
	cli_say(stdout, "libyaml %s", yaml_get_version_string());
	cli_say(stdout, "cJSON %s", cJSON_Version());
	cli_say(stdout, "libcrypto %s", OpenSSL_version(OPENSSL_VERSION));
	return 0;
}
