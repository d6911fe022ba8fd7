/* loop.h - the one event loop: poll() over registered fds, a signal
 * self-pipe, one-shot timers and the libcurl multi handle. No curses here. */
#ifndef JD_LOOP_H
#define JD_LOOP_H

#include <curl/curl.h>

struct loop;

typedef void (*loop_fd_fn)(int fd, short revents, void *ud);
typedef void (*loop_timer_fn)(void *ud);
typedef void (*loop_signal_fn)(int signo, void *ud);
/* Called for each finished curl transfer; the owner of the easy handle
 * (backend/http) finds its request through CURLINFO_PRIVATE. */
typedef void (*loop_curl_done_fn)(CURL *easy, CURLcode rc);
typedef void (*loop_post_fn)(void *ud);

/* The loop owns its curl multi handle and signal pipe. loop_free() closes
 * them; registered fds are not closed (their owners close them). */
struct loop *loop_new(void);
void loop_free(struct loop **l);

/* At most one registration per fd; adding it again replaces it. */
void loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn,
		 void *ud);
void loop_del_fd(struct loop *l, int fd);

/* One-shot timer after ms milliseconds; returns an id > 0. */
unsigned loop_timer_add(struct loop *l, long ms, loop_timer_fn fn, void *ud);
void loop_timer_cancel(struct loop *l, unsigned id);

/* Route a signal through the self-pipe to fn (called from the loop, not
 * from the handler). Handlers are installed with SA_RESTART. */
int loop_on_signal(struct loop *l, int signo, loop_signal_fn fn, void *ud);

/* Run fn(ud) on the loop thread at the next iteration; safe to call from
 * any thread (worker threads hand their results back with it). */
void loop_post(struct loop *l, loop_post_fn fn, void *ud);

CURLM *loop_curl(struct loop *l);
void loop_set_curl_done(struct loop *l, loop_curl_done_fn fn);

/* Wait for at most max_wait_ms (-1: until something happens), then
 * dispatch everything that is ready. Returns the number dispatched. */
int loop_run_once(struct loop *l, long max_wait_ms);
/* Run until loop_stop(); returns when stopped. */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);
int loop_stopped(const struct loop *l);

/* Monotonic milliseconds. */
long long loop_now_ms(void);

#endif
