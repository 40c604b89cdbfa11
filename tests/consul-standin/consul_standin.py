#!/usr/bin/env python3
"""A stand-in for the Consul KV HTTP API, for confinit's tests.

This is NOT Consul. It implements only the documented KV endpoints that
confinit uses (https://developer.hashicorp.com/consul/api-docs/kv and the
blocking-queries page), from their documentation, with the Python standard
library alone:

  GET    /v1/kv/<key>            one key, or 404
  GET    /v1/kv/<prefix>?recurse every key starting with <prefix>, or 404
         ...&index=N&wait=D      blocking query: waits until the result's
                                 index is above N (at most D, default
                                 5m, capped at 10m), X-Consul-Index header
  PUT    /v1/kv/<key>            body = the value; answers true
  DELETE /v1/kv/<key>[?recurse]  answers true

dc=<name> must name this server's datacenter (else 500 "No path to
datacenter"); stale is accepted. With --acl-token, every request must carry
that token (X-Consul-Token header, "Authorization: Bearer" or ?token=),
else 403 "Permission denied".

Indexes: one counter, raised by each write. A key's ModifyIndex is the
write that last changed it; a deleted key leaves a tombstone with the
delete's index, so a recurse query's index (the highest index among the
keys and tombstones under the prefix, or the counter when there is none)
never goes back while the server runs. Starting a new server with a lower
--index-start stands for a restore from an older snapshot, a documented
case where a client sees the index go backwards.
"""

import argparse
import os
import base64
import json
import re
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Store:
    """The KV data, its indexes, and a condition to wake blocked queries."""

    def __init__(self, index_start):
        self.cond = threading.Condition()
        self.index = index_start
        self.keys = {}  # key -> dict(value=bytes|None, create, modify, flags)
        self.tombs = {}  # key -> index of its delete

    def write(self, key, value, flags):
        with self.cond:
            self.index += 1
            old = self.keys.get(key)
            self.keys[key] = {
                "value": value if value else None,
                "create": old["create"] if old else self.index,
                "modify": self.index,
                "flags": flags,
            }
            self.tombs.pop(key, None)
            self.cond.notify_all()

    def delete(self, key, recurse):
        with self.cond:
            gone = [k for k in self.keys
                    if (k.startswith(key) if recurse else k == key)]
            if not gone:
                return
            self.index += 1
            for k in gone:
                del self.keys[k]
                self.tombs[k] = self.index
            self.cond.notify_all()

    def query(self, key, recurse):
        """Returns (entries, index) for the query; the lock is held."""
        if recurse:
            names = sorted(k for k in self.keys if k.startswith(key))
            tombs = [i for k, i in self.tombs.items() if k.startswith(key)]
        else:
            names = [key] if key in self.keys else []
            tombs = [self.tombs[key]] if key in self.tombs else []
        idx = [self.keys[k]["modify"] for k in names] + tombs
        index = max(idx) if idx else self.index
        return [(k, self.keys[k]) for k in names], index


def go_duration(s):
    """Seconds in a Go duration such as 10s, 5m, 1m30s, 250ms."""
    units = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)", s)
    if not parts or "".join(a + b for a, b in parts) != s:
        raise ValueError(s)
    return sum(float(a) * units[b] for a, b in parts)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "consul-standin"

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        """One line per request in --log: method, path+query, status, and
        whether a token came (never its value)."""
        if self.server.opts.log is None:
            return
        tok = "token" if self.token() else "no-token"
        with self.server.log_lock, open(self.server.opts.log, "a") as f:
            f.write("%s %s %d %s\n" % (self.command, self.path, status, tok))

    def token(self):
        t = self.headers.get("X-Consul-Token")
        if t:
            return t
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth[7:]
        return self.params.get("token", [None])[0]

    def reply(self, status, body, ctype="application/json", index=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if index is not None:
            self.send_header("X-Consul-Index", str(index))
            self.send_header("X-Consul-KnownLeader", "true")
            self.send_header("X-Consul-LastContact", "0")
        self.end_headers()
        self.wfile.write(data)
        self.record(status)

    def route(self):
        """Checks path, dc and token; returns the key, or None after an
        error reply."""
        u = urllib.parse.urlsplit(self.path)
        self.params = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        if not u.path.startswith("/v1/kv/"):
            self.reply(404, "Invalid URL path: not a KV endpoint\n",
                       "text/plain")
            return None
        dc = self.params.get("dc", [None])[0]
        if dc is not None and dc != self.server.opts.datacenter:
            self.reply(500, "No path to datacenter\n", "text/plain")
            return None
        want = self.server.opts.acl_token
        if want is not None and self.token() != want:
            self.reply(403, "Permission denied\n", "text/plain")
            return None
        return urllib.parse.unquote(u.path[len("/v1/kv/"):])

    def do_GET(self):
        key = self.route()
        if key is None:
            return
        store = self.server.store
        recurse = "recurse" in self.params
        try:
            minidx = int(self.params.get("index", ["0"])[0])
            wait = go_duration(self.params.get("wait", ["5m"])[0])
        except ValueError:
            self.reply(400, "Invalid index or wait\n", "text/plain")
            return
        wait = min(wait, 600.0)
        end = time.monotonic() + wait
        with store.cond:
            entries, index = store.query(key, recurse)
            # A blocking query returns once the index is above the one
            # given, or at the end of the wait, whichever comes first.
            while minidx > 0 and index <= minidx:
                left = end - time.monotonic()
                if left <= 0:
                    break
                store.cond.wait(left)
                entries, index = store.query(key, recurse)
        if not entries:
            self.reply(404, b"", "text/plain", index)
            return
        out = []
        for k, e in entries:
            v = e["value"]
            out.append({
                "LockIndex": 0,
                "Key": k,
                "Flags": e["flags"],
                "Value": base64.b64encode(v).decode() if v else None,
                "CreateIndex": e["create"],
                "ModifyIndex": e["modify"],
            })
        self.reply(200, json.dumps(out), "application/json", index)

    def do_PUT(self):
        key = self.route()
        if key is None:
            return
        n = int(self.headers.get("Content-Length", "0"))
        value = self.rfile.read(n) if n else b""
        flags = int(self.params.get("flags", ["0"])[0])
        self.server.store.write(key, value, flags)
        self.reply(200, "true")

    def do_DELETE(self):
        key = self.route()
        if key is None:
            return
        self.server.store.delete(key, "recurse" in self.params)
        self.reply(200, "true")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0, help="0: pick a free one")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--datacenter", default="dc1")
    p.add_argument("--acl-token", help="require this token on every request")
    p.add_argument("--index-start", type=int, default=1,
                   help="the raft index before the first write")
    p.add_argument("--data", help="JSON object of initial keys and values")
    p.add_argument("--log", help="append one line per request here")
    p.add_argument("--cert", help="serve HTTPS with this certificate")
    p.add_argument("--key", help="and this key")
    opts = p.parse_args()

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
    srv.opts = opts
    srv.log_lock = threading.Lock()
    srv.store = Store(opts.index_start)
    if opts.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.cert, opts.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    if opts.data:
        with open(opts.data) as f:
            for k, v in json.load(f).items():
                srv.store.write(k, v.encode() if v is not None else b"", 0)
    if opts.port_file:
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
