"""Gunicorn settings of the Procfile's web process: ``gunicorn -c python:dashboard.hosting``.

Gunicorn answers an over-long request line (414) or oversized headers (431) itself, before the
app sees the request; its worker here adds the security headers to those answers too.
"""

from gunicorn.workers.gthread import ThreadWorker

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
    def handle_error(self, req, client, addr, exc):
        super().handle_error(req, _HeaderAddingSocket(client), addr, exc)


worker_class = "dashboard.hosting.SecureThreadWorker"
