# simhttp.py - the HTTP/TLS scaffold shared by the test simulators: a
# threading server on loopback (TLS or plain), a request handler with body
# reading, answers, fault injection and a request log. Not a web framework:
# no routing, no sessions; each simulator routes its own paths.
"""Shared HTTP scaffold for tests/sim (Python standard library only).

The whole interface:

  tls_context(cert, key, client_ca=(), verify="none", alpn=("http/1.1",))
      -> ssl.SSLContext for a server. client_ca: CA files whose client
      certificates are requested; verify "none" | "optional" | "required".

  listen(port, handler, ctx=None, retry_s=10, **attrs) -> Server
      Binds 127.0.0.1:port (0: any free port; a fixed port is retried for
      retry_s seconds while it is still taken). ctx None: plain HTTP.
      Each attrs item becomes an attribute of the server, so a handler
      reads it as self.server.NAME (e.g. sim=...). Every server also has
      .faults (a Faults) and .requests (a RequestLog) unless given.

  run(servers, on_stop=None)
      Serves every server on its own thread until SIGTERM or SIGINT, then
      shuts them down and calls on_stop(). Returns 0.

  Faults()      rules {"method"?, "path_prefix"?, "query_contains"?,
                "action", "times": 1, ...}: add(rules), clear(),
                pending(), take(method, path, query, ci=False, kind=None).
                take() returns a copy of the first matching rule and counts
                its "times" down (removing it at 0). kind, when given, is a
                predicate on the rule (e.g. only "lro_*" actions).
  RequestLog(n) the last n request entries (dicts): add(), entries(),
                count() (every entry added since the last clear, kept or
                not), clear(). GET /_sim/requests answers the entries with
                the count in the header X-Sim-Requests-Seen.
  HttpError(status, body, headers=None, ctype=None)
                raise it anywhere in a handler to answer with it; body is
                bytes, str or JSON-able. Subclasses override payload() to
                give the body the shape of the API they imitate.
  Dropped       raise it to close the connection without an answer.

  Handler       http.server.BaseHTTPRequestHandler for HTTP/1.1 with
                keep-alive. A simulator subclasses it and implements
                  serve(self, method, path, query, body)
                where path is percent-decoded, query the raw query string
                (self.q holds it parsed, blank values kept) and body the
                request body (chunked or Content-Length). Helpers:
                  send_raw(code, body, ctype, headers)  send_json(code, obj)
                  apply_fault(rule)   the generic fault actions below
                  control_common(method, path, data)  /_sim/faults and
                                      /_sim/requests; True when answered
                  base_url()          scheme://Host of this request
                Hooks with defaults: fault_error(rule) -> HttpError for the
                "status" action; extra_headers() added to every answer;
                new_log_entry(method, path, query) -> dict or None (None:
                not logged; by default /_sim/ requests are not);
                internal_error(exc) -> HttpError for an unexpected
                exception. Class settings: server_version, verbose_env
                (an environment variable that turns on per-request logging
                on stderr), timeout (idle keep-alive seconds).

Fault actions every simulator understands (apply_fault):
  delay          wait delay_ms, then answer normally
  drop           close the connection without answering
  truncate       send the headers with the full Content-Length, half of the
                 body, and close
  drop_response  process the request, then close instead of answering
  stall          send the headers with the full Content-Length and half of
                 the body, then nothing for stall_ms (120000) or until the
                 client leaves, then close
  huge           send the answer's headers with Content-Length bytes
                 (100 MiB), the body's start, then spaces up to bytes
                 (counted in the log entry's "bytes" as they go)
  status (or any other action) -> raise self.fault_error(rule)

Everything listens on 127.0.0.1 only. Nothing here knows any API's shapes.
"""

import collections
import http.server
import json
import os
import select
import signal
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

MAX_BODY = 256 << 20  # requests larger than this are refused (413)


class Dropped(Exception):
    """Close the connection without an answer."""


class HttpError(Exception):
    """An answer raised from inside a handler."""

    def __init__(self, status, body=b"", headers=None, ctype=None):
        Exception.__init__(self, "HTTP %d" % status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.ctype = ctype

    def payload(self):
        """(content type, bytes) of the answer's body."""
        b = self.body
        if isinstance(b, bytes):
            return self.ctype or "application/octet-stream", b
        if isinstance(b, str):
            return self.ctype or "text/plain; charset=utf-8", b.encode()
        return (self.ctype or "application/json; charset=utf-8",
                json.dumps(b).encode() + b"\n")


class Faults:
    """Fault rules, shared by the threads of one server."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def add(self, rules):
        if isinstance(rules, dict):
            rules = [rules]
        if not isinstance(rules, list) or \
                not all(isinstance(r, dict) for r in rules):
            raise ValueError("expected a fault rule or a list of them")
        with self.lock:
            for r in rules:
                r = dict(r)
                r.setdefault("times", 1)
                self.rules.append(r)
            return len(self.rules)

    def clear(self):
        with self.lock:
            self.rules = []

    def pending(self):
        with self.lock:
            return [dict(r) for r in self.rules]

    def take(self, method, path, query, ci=False, kind=None):
        p = path.lower() if ci else path
        with self.lock:
            for rule in self.rules:
                if kind is not None and not kind(rule):
                    continue
                if rule.get("method") and \
                        rule["method"].upper() != method.upper():
                    continue
                prefix = rule.get("path_prefix", "")
                if not p.startswith(prefix.lower() if ci else prefix):
                    continue
                if rule.get("query_contains") and \
                        rule["query_contains"] not in query:
                    continue
                rule["times"] = rule.get("times", 1) - 1
                if rule["times"] <= 0:
                    self.rules.remove(rule)
                return dict(rule)
        return None


class RequestLog:
    """The last n requests, newest last; seen counts every request added
    since the last clear, kept or not, so that a reader can tell whether
    the log still holds them all."""

    def __init__(self, n=500):
        self.lock = threading.Lock()
        self.items = collections.deque(maxlen=n)
        self.seen = 0

    def add(self, entry):
        with self.lock:
            self.items.append(entry)
            self.seen += 1

    def entries(self):
        with self.lock:
            return [dict(e) for e in self.items]

    def count(self):
        with self.lock:
            return self.seen

    def clear(self):
        with self.lock:
            self.items.clear()
            self.seen = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sim"
    sys_version = ""
    timeout = 60
    verbose_env = "SIM_VERBOSE"

    # ---- hooks
    def serve(self, method, path, query, body):
        raise HttpError(404, "not found\n")

    def fault_error(self, rule):
        code = int(rule.get("status", 500))
        return HttpError(code, rule.get("message") or
                         "injected fault %d\n" % code,
                         {"Retry-After": str(rule["retry_after"])}
                         if rule.get("retry_after") is not None else None)

    def extra_headers(self):
        return {}

    def new_log_entry(self, method, path, query):
        if path.startswith("/_sim/"):
            return None
        return {"method": method, "path": path, "query": query,
                "status": 0, "time": round(self.started, 3),
                "user_agent": self.headers.get("User-Agent", "")}

    def internal_error(self, exc):
        return HttpError(500, "internal error: %s\n" % exc)

    # ---- connection
    def log_message(self, fmt, *args):
        if os.environ.get(self.verbose_env):
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def setup(self):
        http.server.BaseHTTPRequestHandler.setup(self)
        # Small answers go out at once instead of waiting for Nagle.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP,
                                       socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if isinstance(self.connection, ssl.SSLSocket):
            # The handshake runs here, on the connection's own thread, so
            # a client that never finishes it cannot stall accept().
            self.connection.settimeout(20)
            self.connection.do_handshake()
            self.connection.settimeout(self.timeout)

    def base_url(self):
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) \
            else "http"
        return "%s://%s" % (scheme, self.headers.get(
            "Host", "127.0.0.1:%d" % self.server.server_address[1]))

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = bytearray()
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    return bytes(out)
                if len(out) + size > MAX_BODY:
                    raise ValueError("body too large")
                out += self.rfile.read(size)
                self.rfile.readline(16)
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    # ---- answers
    def send_raw(self, code, body, ctype="application/json; charset=utf-8",
                 headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.status_code = code
        if self.log_entry is not None:
            self.log_entry["status"] = code
        act = self.fault.get("action") if self.fault else None
        if act == "drop_response":
            raise Dropped()
        self.send_response(code)
        if body or code != 204:
            self.send_header("Content-Type", ctype)
        hdr = self.extra_headers()
        hdr.update(headers or {})
        for k, v in hdr.items():
            self.send_header(k, v)
        size = len(body)
        if act == "huge":
            size = int(self.fault.get("bytes", 100 << 20))
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if self.command == "HEAD":
            return
        if act == "truncate":
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            raise Dropped()
        if act == "stall":
            # half the body, then silence until stall_ms ends or the
            # client leaves, then the connection closes
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.wait_or_gone(float(self.fault.get("stall_ms", 120000)))
            raise Dropped()
        if act == "huge":
            # the real body's start, then spaces up to bytes, 1 MiB at a
            # time while the client still reads
            self.wfile.write(body[:size])
            left = size - min(size, len(body))
            chunk = b" " * (1 << 20)
            while left > 0:
                n = min(left, len(chunk))
                self.wfile.write(chunk[:n])
                left -= n
                if self.log_entry is not None:
                    # what the client took before it hung up
                    self.log_entry["bytes"] = \
                        self.log_entry.get("bytes", 0) + n
            self.wfile.flush()
            return
        self.wfile.write(body)

    def wait_or_gone(self, ms):
        """Sleeps up to ms, less when the client closes its end."""
        end = time.time() + ms / 1000.0
        while time.time() < end:
            try:
                r, _, _ = select.select([self.connection], [], [],
                                        min(0.2, end - time.time()))
            except (OSError, ValueError):
                return
            if r:
                # a client waiting for its answer sends nothing: this
                # is its end closing
                return

    def send_json(self, code, obj, headers=None):
        self.send_raw(code, json.dumps(obj).encode() + b"\n",
                      headers=headers)

    def send_error_answer(self, e):
        ctype, body = e.payload()
        self.send_raw(e.status, body, ctype, e.headers)

    # ---- faults and the common control endpoints
    def apply_fault(self, rule):
        act = rule.get("action", "status")
        if act == "delay":
            time.sleep(float(rule.get("delay_ms", 0)) / 1000.0)
        elif act == "drop":
            if self.log_entry is not None:
                self.log_entry["status"] = 0
            raise Dropped()
        elif act in ("truncate", "drop_response", "stall", "huge"):
            self.fault = rule
        else:
            raise self.fault_error(rule)

    def control_common(self, method, path, data):
        srv = self.server
        if path == "/_sim/faults":
            if method == "POST":
                try:
                    srv.faults.add(data)
                except ValueError as e:
                    raise HttpError(400, {"error": str(e)})
            elif method == "DELETE":
                srv.faults.clear()
            elif method != "GET":
                return False
            self.send_json(200, srv.faults.pending())
            return True
        if path == "/_sim/requests":
            if method == "DELETE":
                srv.requests.clear()
            elif method != "GET":
                return False
            # X-Sim-Requests-Seen: how many were logged since the last
            # DELETE; more than the list holds means some fell out.
            self.send_json(200, srv.requests.entries(), {
                "X-Sim-Requests-Seen": str(srv.requests.count())})
            return True
        return False

    # ---- one request
    def dispatch(self, method):
        self.fault = None
        self.status_code = 0
        self.request_id = str(uuid.uuid4())
        self.started = time.time()
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = url.query
        self.q = urllib.parse.parse_qs(query, keep_blank_values=True)
        self.log_entry = None
        self.log_entry = self.new_log_entry(method, path, query)
        if self.log_entry is not None:
            self.server.requests.add(self.log_entry)
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        try:
            self.serve(method, path, query, body)
        except HttpError as e:
            try:
                self.send_error_answer(e)
            except Dropped:
                self.drop()
            except OSError:
                self.close_connection = True
        except Dropped:
            self.drop()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                socket.timeout):
            self.close_connection = True
        except Exception as e:  # never crash on bad input
            traceback.print_exc()
            try:
                self.send_error_answer(self.internal_error(e))
            except (OSError, Dropped):
                self.close_connection = True
        finally:
            if self.log_entry is not None:
                self.log_entry["duration_ms"] = int(
                    (time.time() - self.started) * 1000)

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_OPTIONS(self):
        self.dispatch("OPTIONS")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, handler, ctx=None):
        self.ctx = ctx
        http.server.ThreadingHTTPServer.__init__(self, addr, handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ctx is None:
            return sock, addr
        return self.ctx.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if isinstance(e, (ssl.SSLError, OSError, ConnectionError)):
            return
        http.server.ThreadingHTTPServer.handle_error(self, request,
                                                     client_address)


def tls_context(cert, key, client_ca=(), verify="none",
                alpn=("http/1.1",)):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    for ca in client_ca:
        ctx.load_verify_locations(ca)
    ctx.verify_mode = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL,
                       "required": ssl.CERT_REQUIRED}[verify]
    if alpn:
        ctx.set_alpn_protocols(list(alpn))
    return ctx


def listen(port, handler, ctx=None, retry_s=10, **attrs):
    deadline = time.time() + retry_s
    while True:
        try:
            srv = Server(("127.0.0.1", port), handler, ctx)
            break
        except OSError as e:
            if port == 0 or time.time() > deadline:
                raise OSError("cannot listen on 127.0.0.1:%d: %s" % (port, e))
            time.sleep(0.2)
    srv.faults = attrs.pop("faults", None) or Faults()
    srv.requests = attrs.pop("requests", None) or RequestLog()
    for k, v in attrs.items():
        setattr(srv, k, v)
    return srv


def run(servers, on_stop=None):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    for srv in servers:
        threading.Thread(target=srv.serve_forever,
                         kwargs={"poll_interval": 0.2}, daemon=True).start()
    while not stop.wait(1.0):
        pass
    for srv in servers:
        srv.shutdown()
        srv.server_close()
    if on_stop:
        on_stop()
    return 0
