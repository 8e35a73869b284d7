"""Gunicorn settings of the Procfile's web process: ``gunicorn -c python:dashboard.hosting``.

Gunicorn answers an over-long request line (414) or oversized headers (431) itself, before the
app sees the request; its worker here adds the security headers to those answers too.

The worker also waits for a new connection's first request in its event loop, not in one of its
threads. Gunicorn's threaded worker (24 and later) hands every accepted connection to a thread,
which waits up to 5 s for data: the sockets a browser opens ahead of need (Chromium's preconnects)
send nothing, so four of them took a worker's four threads and every request on that worker
waited 5 s (``tests/test_hosting.py``). A new connection now goes where gunicorn 27 puts one whose
thread waited in vain, its pending connections, and is closed after the keep-alive time if it
stays silent (the approach of benoitc/gunicorn#3635; pyproject pins gunicorn 27 for these names).
"""

import errno
import selectors
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

from dashboard.http import ERROR_PAGE_POLICY, SECURITY_HEADERS

_EXTRA = "".join(f"{name}: {value}\r\n" for name, value in
                 {**SECURITY_HEADERS, "Content-Security-Policy": ERROR_PAGE_POLICY}.items()).encode()


class _HeaderAddingSocket:
    """The client socket, adding the security headers to the error answer gunicorn writes."""

    def __init__(self, sock):
        self._sock = sock

    def sendall(self, data: bytes):
        if data.startswith(b"HTTP/1.1 "):
            head, separator, rest = data.partition(b"\r\n")
            data = head + separator + _EXTRA + rest
        return self._sock.sendall(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


class SecureThreadWorker(ThreadWorker):
    """Gunicorn's threaded worker: security headers on its own error answers, and no thread held by
    a connection that has sent nothing."""

    def handle_error(self, req, client, addr, exc):
        super().handle_error(req, _HeaderAddingSocket(client), addr, exc)

    def accept(self, listener):
        """Accept a connection and wait, in the event loop, until it sends something."""
        try:
            sock, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, sock, address, listener.getsockname())
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))


worker_class = "dashboard.hosting.SecureThreadWorker"
