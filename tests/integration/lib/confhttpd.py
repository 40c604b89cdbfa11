#!/usr/bin/env python3
"""A small HTTP(S) file server for confinit's HTTP source tests.

Serves the files of --root. Each GET answers with an ETag (a hash of the
bytes) and Last-Modified, and 304 to a matching If-None-Match. Beside a
file NAME, optional files change the answer, so that a test can switch
behaviour while confinit runs:

  NAME.ctype  its text is the Content-Type (none: no Content-Type header)
  NAME.mode   "500": a 500 error; "truncate": Content-Length promises more
              than is sent, then the connection closes; "slow": headers,
              then one byte per second; "close": the connection closes
              before any answer
  NAME.errbody  the body of that 500 (none: "error\n")

With --cert/--key it speaks TLS; with --client-ca it also requires a client
certificate signed by that CA. --log gets one line per request: the method,
path, status and which conditional headers came.
"""

import argparse
import hashlib
import os
import ssl
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        if self.server.opts.log is None:
            return
        line = "%s %s %s inm=%s ims=%s\n" % (
            self.command, self.path, status,
            "yes" if self.headers.get("If-None-Match") else "no",
            "yes" if self.headers.get("If-Modified-Since") else "no")
        with self.server.log_lock, open(self.server.opts.log, "a") as f:
            f.write(line)

    def do_GET(self):
        name = self.path.split("?", 1)[0].lstrip("/")
        path = os.path.join(self.server.opts.root, name)
        body = read(path) if name and "/." not in "/" + name else None
        mode = (read(path + ".mode") or b"").decode().strip()
        if mode == "close":
            self.record("close")
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if mode == "500" or body is None:
            status = 500 if mode == "500" else 404
            msg = read(path + ".errbody") if mode == "500" else None
            msg = msg or b"error\n"
            self.send_response(status)
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            self.record(status)
            return
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            self.record(304)
            return
        self.send_response(200)
        ctype = read(path + ".ctype")
        if ctype is not None:
            self.send_header("Content-Type", ctype.decode().strip())
        self.send_header("ETag", etag)
        self.send_header("Last-Modified",
                         formatdate(os.path.getmtime(path), usegmt=True))
        if mode == "truncate":
            self.send_header("Content-Length", str(len(body) + 100))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.record("truncate")
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "slow":
            self.record("slow")
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(1)
            return
        self.wfile.write(body)
        self.record(200)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--root", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--client-ca")
    p.add_argument("--log")
    opts = p.parse_args()

    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.opts = opts
    srv.log_lock = threading.Lock()
    if opts.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.cert, opts.key)
        if opts.client_ca:
            ctx.load_verify_locations(opts.client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, opts.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
