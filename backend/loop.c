/* loop.c - poll()-based event loop with timers, a signal self-pipe, a
 * cross-thread post queue and libcurl's multi interface driven by its
 * socket and timer callbacks (curl_multi_socket_action). */
#include "loop.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOOP_TIMER_MAX_MS (366LL * 24 * 3600 * 1000)

struct loop_fd {
	int fd;
	short events;
	loop_fd_fn fn;
	void *ud;
	int dead;
};

struct loop_timer {
	unsigned id;
	long long due;
	loop_timer_fn fn;
	void *ud;
};

struct loop_sig {
	int signo;
	loop_signal_fn fn;
	void *ud;
};

struct loop_post_item {
	loop_post_fn fn;
	void *ud;
	struct loop_post_item *next;
};

struct loop_csock {
	curl_socket_t fd;
	int what; /* CURL_POLL_IN / OUT / INOUT */
};

struct loop {
	CURLM *multi;
	struct loop_csock *csocks;
	size_t ncsocks, capcsocks;
	long long curl_due; /* -1: curl wants no timeout */
	loop_curl_done_fn curl_done;
	struct loop_fd *fds;
	size_t nfds, capfds;
	struct loop_timer *timers;
	size_t ntimers, captimers;
	unsigned next_timer_id;
	struct loop_sig sigs[16];
	size_t nsigs;
	int sigpipe[2];
	pthread_mutex_t post_lock;
	struct loop_post_item *posts;
	int postpipe[2];
	int stopped;
};

/* The handler only knows one pipe; jumpdeck runs one loop per process. */
static int signal_write_fd = -1;

static void on_signal(int signo)
{
	unsigned char b = (unsigned char)signo;
	int saved = errno;
	ssize_t r;

	if (signal_write_fd >= 0) {
		r = write(signal_write_fd, &b, 1);
		(void)r;
	}
	errno = saved;
}

long long loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int curl_socket_cb(CURL *easy, curl_socket_t fd, int what,
			  void *userp, void *socketp)
{
	struct loop *l = userp;
	size_t i;

	(void)easy;
	(void)socketp;
	for (i = 0; i < l->ncsocks; i++)
		if (l->csocks[i].fd == fd)
			break;
	if (what == CURL_POLL_REMOVE) {
		if (i < l->ncsocks)
			l->csocks[i] = l->csocks[--l->ncsocks];
		return 0;
	}
	if (i == l->ncsocks) {
		l->csocks = xgrow(l->csocks, &l->capcsocks, l->ncsocks + 1,
				  sizeof(*l->csocks));
		l->ncsocks++;
	}
	l->csocks[i].fd = fd;
	l->csocks[i].what = what;
	return 0;
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct loop *l = userp;

	(void)multi;
	l->curl_due = timeout_ms < 0 ? -1 : loop_now_ms() + timeout_ms;
	return 0;
}

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	l->multi = curl_multi_init();
	if (!l->multi) {
		free(l);
		return NULL;
	}
	if (pipe(l->sigpipe) < 0 || pipe(l->postpipe) < 0) {
		curl_multi_cleanup(l->multi);
		free(l);
		return NULL;
	}
	l->curl_due = -1;
	if (curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION,
			      curl_socket_cb) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION,
			      curl_timer_cb) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l) != CURLM_OK) {
		close(l->sigpipe[0]);
		close(l->sigpipe[1]);
		close(l->postpipe[0]);
		close(l->postpipe[1]);
		curl_multi_cleanup(l->multi);
		free(l);
		return NULL;
	}
	set_nonblock_cloexec(l->sigpipe[0]);
	set_nonblock_cloexec(l->sigpipe[1]);
	set_nonblock_cloexec(l->postpipe[0]);
	set_nonblock_cloexec(l->postpipe[1]);
	pthread_mutex_init(&l->post_lock, NULL);
	signal_write_fd = l->sigpipe[1];
	l->next_timer_id = 1;
	return l;
}

void loop_free(struct loop **lp)
{
	struct loop *l = lp ? *lp : NULL;
	struct loop_post_item *p, *next;
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nsigs; i++)
		signal(l->sigs[i].signo, SIG_DFL);
	signal_write_fd = -1;
	curl_multi_cleanup(l->multi);
	close(l->sigpipe[0]);
	close(l->sigpipe[1]);
	close(l->postpipe[0]);
	close(l->postpipe[1]);
	for (p = l->posts; p; p = next) {
		next = p->next;
		free(p);
	}
	pthread_mutex_destroy(&l->post_lock);
	free(l->fds);
	free(l->csocks);
	free(l->timers);
	free(l);
	*lp = NULL;
}

void loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn,
		 void *ud)
{
	size_t i;

	for (i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd && !l->fds[i].dead) {
			l->fds[i].events = events;
			l->fds[i].fn = fn;
			l->fds[i].ud = ud;
			return;
		}
	}
	l->fds = xgrow(l->fds, &l->capfds, l->nfds + 1, sizeof(*l->fds));
	l->fds[l->nfds].fd = fd;
	l->fds[l->nfds].events = events;
	l->fds[l->nfds].fn = fn;
	l->fds[l->nfds].ud = ud;
	l->fds[l->nfds].dead = 0;
	l->nfds++;
}

void loop_del_fd(struct loop *l, int fd)
{
	size_t i;

	/* Marked, then swept after dispatch: a callback may remove fds. */
	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			l->fds[i].dead = 1;
}

static void sweep_fds(struct loop *l)
{
	size_t i, j = 0;

	for (i = 0; i < l->nfds; i++)
		if (!l->fds[i].dead)
			l->fds[j++] = l->fds[i];
	l->nfds = j;
}

unsigned loop_timer_add(struct loop *l, long ms, loop_timer_fn fn, void *ud)
{
	struct loop_timer *t;

	l->timers = xgrow(l->timers, &l->captimers, l->ntimers + 1,
			  sizeof(*l->timers));
	t = &l->timers[l->ntimers++];
	t->id = l->next_timer_id++;
	if (l->next_timer_id == 0)
		l->next_timer_id = 1;
	/* A timer is at most a year away: now + ms never overflows. */
	if (ms < 0)
		ms = 0;
	if (ms > LOOP_TIMER_MAX_MS)
		ms = LOOP_TIMER_MAX_MS;
	t->due = loop_now_ms() + ms;
	t->fn = fn;
	t->ud = ud;
	return t->id;
}

void loop_timer_cancel(struct loop *l, unsigned id)
{
	size_t i;

	if (!id)
		return;
	for (i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->ntimers];
			return;
		}
	}
}

int loop_on_signal(struct loop *l, int signo, loop_signal_fn fn, void *ud)
{
	struct sigaction sa;

	if (l->nsigs >= sizeof(l->sigs) / sizeof(l->sigs[0]))
		return -1;
	l->sigs[l->nsigs].signo = signo;
	l->sigs[l->nsigs].fn = fn;
	l->sigs[l->nsigs].ud = ud;
	l->nsigs++;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (signo == SIGCHLD)
		sa.sa_flags |= SA_NOCLDSTOP;
	return sigaction(signo, &sa, NULL);
}

void loop_post(struct loop *l, loop_post_fn fn, void *ud)
{
	struct loop_post_item *p = xmalloc(sizeof(*p)), **tail;
	unsigned char b = 1;
	ssize_t r;

	p->fn = fn;
	p->ud = ud;
	p->next = NULL;
	pthread_mutex_lock(&l->post_lock);
	for (tail = &l->posts; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	pthread_mutex_unlock(&l->post_lock);
	r = write(l->postpipe[1], &b, 1);
	(void)r;
}

CURLM *loop_curl(struct loop *l)
{
	return l->multi;
}

void loop_set_curl_done(struct loop *l, loop_curl_done_fn fn)
{
	l->curl_done = fn;
}

void loop_stop(struct loop *l)
{
	l->stopped = 1;
}

int loop_stopped(const struct loop *l)
{
	return l->stopped;
}

static long next_timeout(struct loop *l, long max_wait_ms)
{
	long long now = loop_now_ms(), best = -1;
	size_t i;

	for (i = 0; i < l->ntimers; i++) {
		long long d = l->timers[i].due - now;

		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	if (l->curl_due >= 0) {
		long long d = l->curl_due - now;

		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	if (max_wait_ms >= 0 && (best < 0 || best > max_wait_ms))
		best = max_wait_ms;
	if (best > 3600000)
		best = 3600000;
	return (long)best;
}

static int run_timers(struct loop *l)
{
	long long now = loop_now_ms();
	int n = 0;
	size_t i;

	/* Run due timers one at a time; callbacks may add or cancel. */
	for (;;) {
		struct loop_timer t;
		int found = 0;

		for (i = 0; i < l->ntimers; i++) {
			if (l->timers[i].due <= now) {
				t = l->timers[i];
				l->timers[i] = l->timers[--l->ntimers];
				found = 1;
				break;
			}
		}
		if (!found)
			break;
		t.fn(t.ud);
		n++;
	}
	return n;
}

static int drain_signals(struct loop *l)
{
	unsigned char buf[64];
	ssize_t r;
	int n = 0;

	for (;;) {
		ssize_t k;
		size_t i;

		r = read(l->sigpipe[0], buf, sizeof(buf));
		if (r <= 0)
			break;
		for (k = 0; k < r; k++) {
			for (i = 0; i < l->nsigs; i++) {
				if (l->sigs[i].signo == buf[k]) {
					l->sigs[i].fn(buf[k], l->sigs[i].ud);
					n++;
				}
			}
		}
	}
	return n;
}

static int drain_posts(struct loop *l)
{
	unsigned char buf[64];
	struct loop_post_item *p, *next;
	int n = 0;

	while (read(l->postpipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&l->post_lock);
	p = l->posts;
	l->posts = NULL;
	pthread_mutex_unlock(&l->post_lock);
	for (; p; p = next) {
		next = p->next;
		p->fn(p->ud);
		free(p);
		n++;
	}
	return n;
}

static int collect_curl(struct loop *l)
{
	int left = 0, n = 0;
	CURLMsg *msg;

	for (;;) {
		msg = curl_multi_info_read(l->multi, &left);
		if (!msg)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		if (l->curl_done)
			l->curl_done(msg->easy_handle, msg->data.result);
		n++;
	}
	return n;
}

static void curl_timeout_due(struct loop *l)
{
	int running = 0;

	if (l->curl_due >= 0 && l->curl_due <= loop_now_ms()) {
		l->curl_due = -1;
		curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
	}
}

int loop_run_once(struct loop *l, long max_wait_ms)
{
	struct pollfd *pfds;
	size_t i, nown, ncurl, total;
	int n = 0, running = 0, rc;

	nown = l->nfds;
	ncurl = l->ncsocks;
	total = 2 + nown + ncurl;
	pfds = xcalloc(total, sizeof(*pfds));
	pfds[0].fd = l->sigpipe[0];
	pfds[0].events = POLLIN;
	pfds[1].fd = l->postpipe[0];
	pfds[1].events = POLLIN;
	for (i = 0; i < nown; i++) {
		pfds[2 + i].fd = l->fds[i].dead ? -1 : l->fds[i].fd;
		pfds[2 + i].events = l->fds[i].events;
	}
	for (i = 0; i < ncurl; i++) {
		struct pollfd *p = &pfds[2 + nown + i];

		p->fd = l->csocks[i].fd;
		if (l->csocks[i].what & CURL_POLL_IN)
			p->events |= POLLIN;
		if (l->csocks[i].what & CURL_POLL_OUT)
			p->events |= POLLOUT;
	}
	rc = poll(pfds, total, (int)next_timeout(l, max_wait_ms));
	if (rc > 0) {
		if (pfds[0].revents)
			n += drain_signals(l);
		if (pfds[1].revents)
			n += drain_posts(l);
		for (i = 0; i < nown && i < l->nfds; i++) {
			if (l->fds[i].dead || !pfds[2 + i].revents)
				continue;
			l->fds[i].fn(l->fds[i].fd, pfds[2 + i].revents,
				     l->fds[i].ud);
			n++;
		}
		for (i = 0; i < ncurl; i++) {
			struct pollfd *p = &pfds[2 + nown + i];
			int ev = 0;

			if (!p->revents)
				continue;
			if (p->revents & POLLIN)
				ev |= CURL_CSELECT_IN;
			if (p->revents & POLLOUT)
				ev |= CURL_CSELECT_OUT;
			if (p->revents & (POLLERR | POLLHUP | POLLNVAL))
				ev |= CURL_CSELECT_ERR;
			curl_multi_socket_action(l->multi, p->fd, ev,
						 &running);
		}
	}
	free(pfds);
	sweep_fds(l);
	curl_timeout_due(l);
	n += collect_curl(l);
	n += run_timers(l);
	return n;
}

void loop_run(struct loop *l)
{
	while (!l->stopped)
		loop_run_once(l, -1);
}
