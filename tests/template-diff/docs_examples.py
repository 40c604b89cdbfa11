#!/usr/bin/env python3
"""Renders every example of docs/templates.md with confinit's engine
(crender) and, where Go's side has the function, with Go's text/template
(gorender), and checks both give the output the page shows, so that the
page cannot drift from what the engine does.

usage: docs_examples.py CRENDER BUILDDIR [DOC]

What the page holds (see its "How the examples run" section):

  <!-- examples: data -->     the next fenced block is the JSON data of
                              every example (the corpus data format of
                              README.md: kv, env, fields).
  <!-- examples: dialect=D --> the examples after it use dialect D
                              (consul-template, confd, dockerize) until the
                              next such line; consul-template at the top.
  a table whose header has the columns "example" and "output": each row is
  an example. The example cell is a code span (`{{ key "a" }}`, written
  with \\| for a |); the output cell is a code span with the exact output,
  *(empty)* for none, or error: and a code span the error message must
  end with.
  <!-- example -->            the next two fenced blocks are a template
                              and its output (each without the newline
                              that ends the block): for several lines.

Every function of the engine's tables (src/template/funcs_*.c) must have
an example in its dialect (the built-ins: in any), so that a function added
to the engine without a line on the page fails the test.

Go's side (gorender) lacks a few functions (toYAML, timestamp, file, ...):
an example Go cannot parse for that reason is checked against confinit
only. Every other example must give the page's output in Go too. The last
line is "N examples: N checked against Go, N confinit only, N failed";
the exit status is 1 when one failed.
"""
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def code_span(cell):
    """Returns the content of the code span cell is, or None."""
    m = re.match(r"^(`+)(.*?)(?<!`)\1(?!`)$", cell, re.S)
    if m is None:
        return None
    s = m.group(2)
    if len(s) >= 2 and s[0] == " " and s[-1] == " " and s.strip(" "):
        s = s[1:-1]
    return s


def cells(line):
    """Splits a table row at its unescaped |, unescaping \\| in cells."""
    parts = re.split(r"(?<!\\)\|", line.strip())
    if parts and parts[0] == "":
        parts = parts[1:]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    return [p.strip().replace("\\|", "|") for p in parts]


def fence_at(lines, i):
    """Returns (content, next index) of the fenced block opening at or
    after line i (blank lines skipped), or (None, i)."""
    while i < len(lines) and lines[i].strip() == "":
        i += 1
    if i >= len(lines) or not lines[i].startswith("```"):
        return None, i
    body = []
    i += 1
    while i < len(lines) and not lines[i].startswith("```"):
        body.append(lines[i])
        i += 1
    return "\n".join(body), i + 1


def examples(path):
    """Yields (line, dialect, template, want, is_error); returns data."""
    lines = open(path, encoding="utf-8").read().split("\n")
    dialect = "consul-template"
    data = None
    found = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^<!-- examples: (.*?) -->$", line.strip())
        if m and m.group(1) == "data":
            text, i = fence_at(lines, i + 1)
            data = json.loads(text)
            continue
        if m and m.group(1).startswith("dialect="):
            dialect = m.group(1)[len("dialect="):]
            i += 1
            continue
        if line.strip() == "<!-- example -->":
            tmpl, j = fence_at(lines, i + 1)
            want, j = fence_at(lines, j)
            if tmpl is None or want is None:
                raise SystemExit("%s:%d: an example needs two fenced "
                                 "blocks" % (path, i + 1))
            found.append((i + 2, dialect, tmpl, want, False))
            i = j
            continue
        if line.startswith("|") and i + 1 < len(lines) and \
                re.match(r"^\|[-| :]+\|$", lines[i + 1].strip()):
            head = [c.lower() for c in cells(line)]
            if "example" in head and "output" in head:
                ex, out = head.index("example"), head.index("output")
                i += 2
                while i < len(lines) and lines[i].startswith("|"):
                    row = cells(lines[i])
                    tmpl = code_span(row[ex]) if ex < len(row) else None
                    cell = row[out] if out < len(row) else ""
                    is_err = cell.startswith("error:")
                    if is_err:
                        want = code_span(cell[len("error:"):].strip())
                    elif cell == "*(empty)*":
                        want = ""
                    else:
                        want = code_span(cell)
                    if tmpl is None or want is None:
                        raise SystemExit(
                            "%s:%d: example and output must be code "
                            "spans" % (path, i + 1))
                    found.append((i + 1, dialect, tmpl, want, is_err))
                    i += 1
                continue
        i += 1
    if data is None:
        raise SystemExit("%s: no <!-- examples: data --> block" % path)
    return data, found


def tables(src):
    """Returns {dialect: [function names]} from the engine's tables."""
    names = {}
    for dialect, f in (("builtin", "funcs_builtin.c"),
                       ("consul-template", "funcs_consul.c"),
                       ("confd", "funcs_confd.c"),
                       ("dockerize", "funcs_dockerize.c")):
        text = open(os.path.join(src, "src", "template", f)).read()
        table = text[text.index("const struct tmpl_func tmpl_funcs_"):]
        names[dialect] = re.findall(r'\{"(\w+)",', table)
    return names


def missing_examples(src, found):
    """Returns the "dialect: name" of functions without an example."""
    missing = []
    for dialect, fns in tables(src).items():
        for fn in fns:
            pat = re.compile(r"(?<![\w.$])%s(?!\w)" % re.escape(fn))
            if not any(pat.search(t) and (dialect in ("builtin", d))
                       for _, d, t, _, _ in found):
                missing.append("%s: %s" % (dialect, fn))
    return missing


def build_gorender(build):
    """Builds gorender into BUILD/go as run.sh does; returns its path."""
    go = os.path.join(build, "go")
    os.makedirs(go, exist_ok=True)
    env = dict(os.environ, GOCACHE=os.path.join(go, "cache"),
               GOPATH=os.path.join(go, "path"), GOFLAGS="-buildvcs=false",
               GOPROXY="off", GO111MODULE="on", GOTOOLCHAIN="local",
               GOENV="off")
    exe = os.path.join(go, "gorender")
    subprocess.run(["go", "build", "-o", exe, "."],
                   cwd=os.path.join(HERE, "gorender"), env=env, check=True)
    return exe


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def main():
    if len(sys.argv) < 3:
        raise SystemExit("usage: docs_examples.py CRENDER BUILDDIR [DOC]")
    crender, build = sys.argv[1], os.path.abspath(sys.argv[2])
    doc = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        HERE, "..", "..", "docs", "templates.md")
    rel = os.path.relpath(doc)
    data, found = examples(doc)
    corpus, out = os.path.join(build, "corpus"), os.path.join(build, "out")
    for d in (corpus, out):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    names = []
    for n, (line, dialect, tmpl, _, _) in enumerate(found):
        name = "%03d-line%d" % (n + 1, line)
        names.append(name)
        with open(os.path.join(corpus, name + ".tmpl"), "w") as f:
            f.write(tmpl)
        with open(os.path.join(corpus, name + ".json"), "w") as f:
            json.dump(dict(data, dialect=dialect), f)
    gorender = build_gorender(build)
    for cmd in ([gorender, "-batch", corpus, out],
                [crender, "-batch", corpus, out]):
        subprocess.run(cmd, check=True)
    failed = with_go = c_only = 0
    for name, (line, dialect, tmpl, want, is_err) in zip(names, found):
        base = os.path.join(out, name)
        where = "%s:%d (%s)" % (rel, line, dialect)
        c_rc, c_out = read(base + ".c.rc").strip(), read(base + ".c")
        c_err = read(base + ".c.err").strip()
        go_rc, go_out = read(base + ".go.rc").strip(), read(base + ".go")
        go_err = read(base + ".go.err").strip()
        why = None
        if is_err and c_rc == "0":
            why = "confinit renders %r, the page shows an error" % c_out
        elif is_err and not c_err.endswith(want):
            why = "confinit's error is %r" % c_err
        elif not is_err and c_rc != "0":
            why = "confinit fails: %s" % c_err
        elif not is_err and c_out != want:
            why = "confinit renders %r, the page shows %r" % (c_out, want)
        elif go_rc == "0" and (is_err or go_out != want):
            why = "Go renders %r" % go_out
        elif go_rc != "0" and not is_err and \
                not re.search(r'function "[^"]+" not defined', go_err):
            why = "Go fails: %s" % go_err
        if why is not None:
            failed += 1
            print("FAIL %s: %s\n    template: %r" % (where, why, tmpl))
            continue
        if go_rc == "0" or is_err:
            with_go += 1
        else:
            c_only += 1
    for m in missing_examples(os.path.join(HERE, "..", ".."), found):
        failed += 1
        print("FAIL %s: no example of %s" % (rel, m))
    print("%d examples: %d checked against Go, %d confinit only, %d failed"
          % (len(found), with_go, c_only, failed))
    return 1 if failed or not found else 0


if __name__ == "__main__":
    sys.exit(main())
