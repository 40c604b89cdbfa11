#!/usr/bin/env python3
"""Runs the examples of the docs through the real binary, so that the docs
cannot drift from what confinit accepts.

Scanned: README.md, docs/*.md and examples/*/README.md. Each fenced block
is checked by its language:

  ```yaml        a confinit configuration. It is written to a temp dir and
                 run as `confinit --config FILE --user 0 --dry-run
                 --startup-timeout 0`, after the placeholders below. It
                 must exit 0, or 4 with "startup timeout" as its last
                 error and before it only sources failing to connect (a
                 source that is not there), and log no warning.
                 A config error (exit 3: unknown key, bad type, bad
                 duration, a template that does not parse, ...) fails,
                 reported at the line of the .md file.
  ```sh          each command that runs confinit (also after `VAR=x`,
                 `exec`, `sudo`) has its options parsed by confinit:
                 `confinit --help OPTIONS...` exits 0 when every option
                 and value is valid and 2 when one is not. Nothing runs.
  ```dockerfile  the same for ENTRYPOINT/CMD exec arrays that run confinit.

A marker on the line right above the fence changes that:

  <!-- check: keys -->     the yaml block is a key/value document (what a
                           file:// source reads), not a configuration: it
                           must load as a source.
  <!-- check: run -->      the sh block is also run, with `bash -e`, in an
                           empty temp dir, with `confinit` on PATH and
                           SRCDIR set; it must exit 0. Write the checks
                           into the block (`test ...`, `grep -q ...`).
  <!-- check: skip WHY --> not checked at all; say why (e.g. a YAML that
                           shows an error on purpose).

Placeholders, so that a configuration written for a real container can be
checked here: absolute paths in `src`, `token_file`, `password_file`,
`ca`, `cert`, `key`, `cache` and `file://` URLs are moved under a temp
root and created (an empty template, a token or password, a `{}` YAML
file, or a directory for a URL whose last part has no extension; a
`cache` is not created: confinit writes it); a relative `src` is created beside the file;
`owner` becomes "0:0" and `exec.user` is overridden by `--user 0`. Host
names are kept: a source that cannot be reached just ends at the startup
timeout. Templates created empty are not themselves checked; inline
`contents` and `env` values are parsed.

Also: every relative link of those pages points to a file that exists;
every key of src/config.c's key tables is named in
docs/configuration.md, and every option of `confinit --help` and every
CONFINIT_*/TINI_* variable of src/cli.c in configuration.md or init.md.

Exits 0 when every block passes; prints one line per block.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFINIT = os.path.abspath(os.environ["CONFINIT"])

FENCE = re.compile(r"^(\s*)```\s*([A-Za-z0-9_+-]*)\s*$")
MARK = re.compile(r"^\s*<!--\s*check:\s*([a-z]+)\b(.*?)-->\s*$")
PATHKEY = re.compile(
    r"""(\b(?:src|token_file|password_file|ca|cert|key|cache)\s*:\s*["']?)(/[^\s"',}\]]+)""")
FILEURL = re.compile(r"""(file://)(/[^\s"',}\]]*)""")
RELSRC = re.compile(r"""\bsrc\s*:\s*["']?([^/\s"',}\]][^\s"',}\]]*)""")
OWNER = re.compile(r"""(\bowner\s*:\s*)("[^"]*"|'[^']*'|[^\s,}]+)""")
ERRPOS = re.compile(r"\S*confinit\.yaml:(\d+):(\d+)")


def blocks(path):
    """Yields (first line number of the body, language, marker, text)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(2):
            i += 1
            continue
        lang = m.group(2).lower()
        mark = ("", "")
        if i > 0:
            mm = MARK.match(lines[i - 1])
            if mm:
                mark = (mm.group(1), mm.group(2).strip())
        body = []
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            body.append(lines[j])
            j += 1
        indent = len(m.group(1))
        text = "\n".join(l[indent:] if l[:indent].strip() == "" else l
                         for l in body) + "\n"
        yield i + 2, lang, mark, text
        i = j + 1


def run(argv, cwd=None, env=None, timeout=30):
    p = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")


def touch(path, content=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(content)


def placeholders(text, root, cfgdir):
    """The configuration with its paths moved under root, files created."""
    def moved(m):
        new = root + m.group(2)
        key = m.group(1)
        if key.startswith("cache"):
            os.makedirs(os.path.dirname(new), exist_ok=True)
        else:
            touch(new, "placeholder\n"
                  if "token" in key or "password" in key else "")
        return key + new

    def url(m):
        new = root + m.group(2)
        last = os.path.basename(new.rstrip("/"))
        if new.endswith("/") or "." not in last:
            os.makedirs(new, exist_ok=True)
        else:
            touch(new, "{}\n")
        return m.group(1) + new

    text = PATHKEY.sub(moved, text)
    text = FILEURL.sub(url, text)
    for m in RELSRC.finditer(text):
        touch(os.path.join(cfgdir, m.group(1)))
    return OWNER.sub(lambda m: m.group(1) + '"0:0"', text)


def check_config(text, work, where):
    """None when the block passes, else the reason."""
    root = os.path.join(work, "root")
    os.makedirs(root, exist_ok=True)
    cfg = os.path.join(work, "confinit.yaml")
    with open(cfg, "w") as f:
        f.write(placeholders(text, root, work))
    rc, out, err = run([CONFINIT, "--config", cfg, "--user", "0",
                        "--dry-run", "--startup-timeout", "0"], cwd=work)
    errors = [l for l in err.splitlines() if "] error:" in l]
    # A source failing to connect is not a config problem; the etcd
    # backend says so as a warning with its next try.
    warns = [l for l in err.splitlines() if "] warn:" in l and
             not re.search(r"\] warn: source .*; next try with ", l)]
    # A source that is not there: the startup timeout, and perhaps its
    # failure if it came first (a name that does not resolve).
    ok = rc == 0 or (rc == 4 and errors and all(
        "startup timeout" in l or "keeping the last good values" in l
        for l in errors) and "startup timeout" in errors[-1])
    if ok and not warns:
        return None
    line0 = where[1]
    msg = ERRPOS.sub(lambda m: "%s:%d:%s" % (
        where[0], line0 + int(m.group(1)) - 1, m.group(2)),
        " | ".join(errors + warns) or err.strip())
    return "exit %d: %s" % (rc, msg)


def check_keys(text, work, where):
    path = os.path.join(work, "keys.yaml")
    with open(path, "w") as f:
        f.write(text)
    rc, out, err = run([CONFINIT, "--source", "file://" + path,
                        "--dry-run"], cwd=work)
    return None if rc == 0 else "exit %d: %s" % (rc, err.strip())


def confinit_argvs(text):
    """Each confinit command line of a shell block, as its arguments."""
    joined = re.sub(r"\\\n", " ", text)
    for line in joined.split("\n"):
        line = re.sub(r"^\s*\$\s+", "", line)
        lex = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
        lex.whitespace_split = True
        try:
            tokens = list(lex)
        except ValueError:
            continue
        words = []
        for tok in tokens + [";"]:
            if tok and set(tok) <= set(";&|()<>"):
                while words and (re.match(r"^[A-Za-z_][A-Za-z0-9_]*=",
                                          words[0]) or
                                 words[0] in ("exec", "sudo", "env")):
                    words.pop(0)
                if words and os.path.basename(words[0]) == "confinit":
                    yield words[1:]
                words = []
            else:
                words.append(tok)


def check_argv(args):
    rc, out, err = run([CONFINIT, "--help"] + args)
    return None if rc == 0 else "confinit %s: %s" % (
        " ".join(args), err.strip().split("\n")[0])


def check_sh(text, work, mark):
    for args in confinit_argvs(text):
        bad = check_argv(args)
        if bad:
            return bad
    if mark[0] != "run":
        return None
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir, exist_ok=True)
    os.symlink(CONFINIT, os.path.join(bindir, "confinit"))
    env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"],
               SRCDIR=SRCDIR)
    script = os.path.join(work, "block.sh")
    with open(script, "w") as f:
        f.write(text)
    rc, out, err = run(["bash", "-e", script], cwd=work, env=env,
                       timeout=60)
    if rc != 0:
        return "ran with exit %d: %s" % (rc, (out + err).strip()[-400:])
    return None


def check_dockerfile(text):
    for m in re.finditer(r"^\s*(?:ENTRYPOINT|CMD)\s+(\[.*?\])\s*$",
                         re.sub(r"\\\n", " ", text), re.M):
        import json
        argv = json.loads(m.group(1))
        if argv and os.path.basename(argv[0]) == "confinit":
            bad = check_argv(argv[1:])
            if bad:
                return bad
    return None


def check_block(lang, mark, text, work, where):
    if mark[0] == "skip":
        return "skip"
    if lang == "yaml":
        if mark[0] == "keys":
            return check_keys(text, work, where)
        return check_config(text, work, where)
    if lang in ("sh", "bash", "shell", "console"):
        return check_sh(text, work, mark)
    if lang == "dockerfile":
        return check_dockerfile(text)
    return "skip"


def selftest(tmp):
    """The checks can fail: a known-bad block of each kind must fail."""
    bad = [
        ("yaml", "templates:\n  - {srcc: a, dest: /b}\n"),
        ("yaml", "wait: {min: 10}\n"),
        ("yaml", "templates:\n  - {contents: '{{ keyy \"a\" }}', dest: /b}\n"),
        ("sh", "confinit --sauce etcd://h/p -- app\n"),
        ("sh", "exec confinit --wait 5s:1s -- app\n"),
        ("dockerfile", 'ENTRYPOINT ["/usr/local/bin/confinit", "--kill-timeout", "ten"]\n'),
    ]
    for n, (lang, text) in enumerate(bad):
        work = os.path.join(tmp, "self%d" % n)
        os.makedirs(work)
        if check_block(lang, ("", ""), text, work, ("self", 1)) is None:
            print("FAIL selftest: this %s block passed: %r" % (lang, text))
            return False
    return True


def coverage():
    """Reasons why docs/configuration.md (with docs/init.md for the init's
    options) does not cover every key, option and variable confinit has."""
    def read(rel):
        with open(os.path.join(SRCDIR, rel), encoding="utf-8") as f:
            return f.read()
    conf = read("docs/configuration.md")
    both = conf + read("docs/init.md")
    missing = []
    for name, body in re.findall(
            r"config_(\w+)_keys\[\]\s*=\s*\{(.*?)\};",
            read("src/config.c"), re.S):
        for key in re.findall(r'"([^"]+)"', body):
            if "`%s`" % key not in conf and "`%s." % key not in conf and \
                    "`%s[]`" % key not in conf and \
                    ".%s`" % key not in conf:
                missing.append("configuration.md: key %s (%s)" % (key, name))
    rc, out, err = run([CONFINIT, "--help"])
    for opt in re.findall(r"^  (?:-[a-z], )?(--?[a-z][a-z-]*)", out, re.M):
        if "`%s" % opt not in both:
            missing.append("configuration.md or init.md: option %s" % opt)
    for var in set(re.findall(r'"((?:CONFINIT|TINI)_[A-Z_]+)"',
                              read("src/cli.c"))):
        if var not in both:
            missing.append("configuration.md or init.md: variable " + var)
    return missing


def broken_links(path):
    """Relative links of a .md file whose target does not exist."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"```.*?```", "", f.read(), flags=re.S)
    bad = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        rel = target.split("#")[0]
        if not os.path.exists(os.path.join(os.path.dirname(path), rel)):
            bad.append(target)
    return bad


def main():
    files = [os.path.join(SRCDIR, "README.md")]
    for d, pat in (("docs", r".*\.md$"), ("examples", None)):
        base = os.path.join(SRCDIR, d)
        for name in sorted(os.listdir(base)):
            p = os.path.join(base, name)
            if pat and re.match(pat, name) and os.path.isfile(p):
                files.append(p)
            elif not pat and os.path.isfile(os.path.join(p, "README.md")):
                files.append(os.path.join(p, "README.md"))
    failed = checked = 0
    with tempfile.TemporaryDirectory(prefix="confinit-docs.") as tmp:
        if not selftest(tmp):
            return 1
        for path in files:
            rel = os.path.relpath(path, SRCDIR)
            for target in broken_links(path):
                failed += 1
                print("FAIL %s: link to a missing file: %s" % (rel, target))
            for n, (line, lang, mark, text) in enumerate(blocks(path)):
                work = os.path.join(tmp, "%s.%d" % (rel.replace("/", "_"), n))
                os.makedirs(work)
                r = check_block(lang, mark, text, work, (rel, line))
                if r == "skip":
                    continue
                checked += 1
                if r is None:
                    print("ok   %s:%d %s" % (rel, line, lang))
                else:
                    failed += 1
                    print("FAIL %s:%d %s: %s" % (rel, line, lang, r))
    for m in coverage():
        failed += 1
        print("FAIL not documented: " + m)
    print("%d blocks checked, %d failed" % (checked, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
