/* Allocation failure, the idea of curl's torture tests: for every n, run a
 * case with the n-th allocation failing (malloc, calloc, realloc and
 * friends, from our code and from libyaml, jansson and pcre2 alike) and
 * check that it ends cleanly: success, an error message, or xmalloc's
 * "out of memory" exit (70) — never a crash, never a leak. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "flatten.h"
#include "kv.h"
#include "template/template.h"

/*
 * The allocator: glibc's, with a counter in front. The program's malloc
 * replaces the C library's for every library (glibc documents this), so
 * libyaml, jansson and pcre2 see the failures too.
 */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t n);

static long alloc_count;	/* allocations since the case started */
static long alloc_fail_at = -1; /* the one that fails; -1: none */
static long alloc_live;		/* allocated minus freed */

/* True when this allocation is the one to fail. */
static bool
alloc_fails(void)
{
	return alloc_count++ == alloc_fail_at;
}

/* Counts a new block p, or sets errno for a failed one; returns p. */
static void *
alloc_note(void *p)
{
	if (p != NULL)
		alloc_live++;
	else
		errno = ENOMEM;
	return p;
}

void *
malloc(size_t n)
{
	return alloc_note(alloc_fails() ? NULL : __libc_malloc(n));
}

void *
calloc(size_t n, size_t size)
{
	return alloc_note(alloc_fails() ? NULL : __libc_calloc(n, size));
}

void *
realloc(void *p, size_t n)
{
	void *q;

	if (p != NULL && n == 0) {
		free(p);
		return NULL;
	}
	if ((q = alloc_fails() ? NULL : __libc_realloc(p, n)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (p == NULL)
		alloc_live++;
	return q;
}

void *
reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void
free(void *p)
{
	if (p != NULL)
		alloc_live--;
	__libc_free(p);
}

/* glibc's own strdup and strndup allocate inside libc, out of our reach:
 * these replace them (libyaml copies its strings with strdup). */
char *
strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *
strdup(const char *s)
{
	return strndup(s, (size_t)-1);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p = alloc_fails() ? NULL : __libc_memalign(align, n);

	if (p == NULL)
		return ENOMEM;
	alloc_live++;
	*out = p;
	return 0;
}

void *
aligned_alloc(size_t align, size_t n)
{
	return alloc_note(alloc_fails() ? NULL : __libc_memalign(align, n));
}

/* The cases: configurations. */
static const char *const configs[] = {
    /* Every section, ${} expansion, flow and block styles. */
    "sources:\n"
    "  - name: center\n"
    "    url: \"etcd://${ETCD_HOST:-127.0.0.1}:2379/app\"\n"
    "    secret: true\n"
    "    token: \"${TOKEN}\"\n"
    "    tls: {ca: /etc/ca.pem, server_name: etcd.local}\n"
    "  - {name: web, url: \"https://cfg.local/app.json\", "
    "poll_interval: 30s, timeout: 5s}\n"
    "  - {url: \"consul://127.0.0.1:8500/app?dc=dc1&wait=1m\"}\n"
    "  - {url: \"file:///etc/app/defaults.yaml\"}\n"
    "templates:\n"
    "  - contents: 'host={{ key \"db/host\" }}'\n"
    "    dest: /tmp/a.conf\n"
    "    mode: \"0640\"\n"
    "    check: [sh, -c, \"test -s $0\", \"{{ .Path }}\"]\n"
    "    signal: SIGHUP\n"
    "  - {contents: x, dest: /tmp/b.conf, command: [true], dialect: confd}\n"
    "env:\n"
    "  - {prefix: app/env/, upcase: true, sanitize: true}\n"
    "  - {name: DATABASE_URL, value: 'pg://{{ key \"db/host\" }}/app'}\n"
    "exec:\n"
    "  command: [\"nginx\", \"-g\", \"daemon off;\"]\n"
    "  kill_signal: SIGTERM\n"
    "  kill_timeout: 10s\n"
    "wait: {min: 500ms, max: 5s}\n"
    "log: {level: debug, format: json}\n",
    /* An error: line and column of an unknown key. */
    "sources: [{url: \"env://APP_\"}]\n"
    "templates:\n"
    "  - {contents: x, destt: /tmp/c}\n",
    /* A YAML syntax error. */
    "sources: [{url: \"env://APP_\"\n",
    /* An expansion error. */
    "exec: {command: [\"${NOPE:?must be set}\"]}\n",
};

/* The cases: templates, with their dialect. */
struct tcase {
	enum tmpl_dialect dialect;
	const char *src;
};

static const struct tcase templates[] = {
    {TMPL_CONSUL, "{{ range $k, $v := tree \"app\" }}{{ $k }}={{ $v }}\n"
		  "{{ end }}{{ key \"db/host\" | toUpper }} "
		  "{{ printf \"%05d %q %v\" 42 \"x\" (ls \"app\") }}\n"
		  "{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" "
		  "\"in\" }}{{ if and (keyExists \"db/host\") (eq 1 1) }}y"
		  "{{ else }}n{{ end }}"},
    {TMPL_CONSUL, "{{ with $j := key \"json\" | parseJSON }}{{ $j.a }} "
		  "{{ $j | toJSON }} {{ $j | toJSONPretty }}{{ end }}\n"
		  "{{ key \"yaml\" | parseYAML | toYAML }}"},
    {TMPL_CONSUL,
	"{{ regexReplaceAll \"(d)(b)\" \"<$2$1>\" (key \"db/host\") }} "
	"{{ regexMatch \"^d.*l$\" \"db.local\" }} "
	"{{ range split \",\" \"a,b,c\" }}{{ . }};{{ end }} "
	"{{ env \"HOME\" }} {{ keyOrDefault \"nope\" \"dflt\" }}"},
    {TMPL_CONFD, "{{ getv \"/db/host\" }} {{ range getvs \"/app/*\" }}{{ . "
		 "}},{{ end }} {{ range gets \"/app/*\" }}{{ .Key }}{{ end }}"
		 "{{ $j := json (getv \"/json\") }}{{ $j.a }}"},
    /* Errors: at parse time and while executing. */
    {TMPL_CONSUL, "{{ range $x := }}"},
    {TMPL_CONSUL, "{{ key \"db/host\" | parseJSON }}"},
};

/* The cases: source bodies (what a config center sends). */
struct fcase {
	enum flatten_format format;
	const char *body;
};

static const struct fcase bodies[] = {
    {FLATTEN_YAML, "db:\n  host: &h db.local\n  port: 5432\n  replicas: [a, "
		   "b, *h]\nempty: ~\nlist:\n  - {x: 1}\n  - y\n"},
    {FLATTEN_JSON, "{\"db\": {\"host\": \"db.local\", \"port\": 5432, "
		   "\"t\": [true, null, 1.5e3, \"\\u00e9\\ud83d\\ude00\"]}}"},
    {FLATTEN_PROPERTIES, "# c\ndb.host = db.local\ndb.port: 5432\nlong = a \\\n"
			 "  b\nuni = \\u00e9\n"},
    {FLATTEN_DOTENV, "export DB_HOST=db.local\nQ=\"a b\\n\"\nS='x y'\n"},
    {FLATTEN_YAML, "a: [1, 2\n"},
};

#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))
#define NBODIES (sizeof(bodies) / sizeof(bodies[0]))
#define NTEMPLATES (sizeof(templates) / sizeof(templates[0]))

static char home[] = "HOME=/root", token[] = "TOKEN=t0ken";
static char *const case_env[] = {home, token, NULL};

static const char *
case_kv_get(void *ctx, const char *key)
{
	return kv_get(ctx, key);
}

static int
case_kv_walk(void *ctx, const char *prefix,
    int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
	return kv_walk(ctx, prefix, fn, arg);
}

static const struct tmpl_kv_ops case_kv_ops = {case_kv_get, case_kv_walk};

/*
 * Runs case i (configs, then bodies, then templates), freeing everything.
 * Returns 0 on success, 1 on an error with a message in err, 2 on an error
 * without one.
 */
static int
run_case(size_t i, struct cerr *perr)
{
	struct tmpl_opts o = {.name = "t.tmpl"};
	struct tmpl_deps deps = {0};
	struct tmpl_data data = {&case_kv_ops, NULL, case_env, NULL};
	struct buf out = {0};
	struct config *c;
	struct tmpl *t;
	struct cerr err = {0};
	struct kv *kv;
	int r;

	*perr = err;

	if (i < NCONFIGS) {
		r = config_load_buffer(&c, "app.yaml", configs[i],
		    strlen(configs[i]), case_env, &err);
		if (r == 0)
			config_free(c);
		*perr = err;
		return r == 0 ? 0 : err.msg[0] != '\0' ? 1 : 2;
	}
	i -= NCONFIGS;
	kv = kv_new();
	if (i < NBODIES) {
		r = flatten(bodies[i].format, "body", bodies[i].body,
		    strlen(bodies[i].body), kv, &err);
		kv_free(kv);
		*perr = err;
		return r == 0 ? 0 : err.msg[0] != '\0' ? 1 : 2;
	}
	i -= NBODIES;
	kv_set(kv, "app/a", "1");
	kv_set(kv, "app/b/c", "2");
	kv_set(kv, "db/host", "db.local");
	kv_set(kv, "json", "{\"a\": [1, 2.5, \"x\", null, true], \"b\": {}}");
	kv_set(kv, "yaml", "a: [1, x]\nb: {c: d}\n");
	data.kv_ctx = kv;
	o.dialect = templates[i].dialect;
	r = tmpl_parse(&t, templates[i].src, strlen(templates[i].src), &o,
	    &err);
	if (r == 0) {
		r = tmpl_render(t, &data, &out, &deps, &err);
		tmpl_free(t);
	}
	tmpl_deps_free(&deps);
	buf_free(&out);
	kv_free(kv);
	*perr = err;
	return r == 0 ? 0 : err.msg[0] != '\0' ? 1 : 2;
}

/*
 * Walks every allocation of case i. Returns how many runs went wrong,
 * printing each.
 */
static int
walk_case(size_t i, long *runs)
{
	long total, n, live;
	int base, status, bad = 0, code;
	struct cerr err;
	pid_t pid;

	/* Unarmed, twice: one-time allocations of the libraries happen in
	 * the first; the second counts the allocations of one run. */
	base = run_case(i, &err);
	live = alloc_live;
	alloc_count = 0;
	if (run_case(i, &err) != base || alloc_live != live) {
		printf("case %zu: not repeatable (leaks %ld)\n", i,
		    alloc_live - live);
		return 1;
	}
	total = alloc_count;
	for (n = 0; n < total; n++) {
		fflush(stdout);
		if ((pid = fork()) < 0)
			return bad + 1;
		if (pid == 0) {
			/* xmalloc's message is expected: not in the log. */
			if (freopen("/dev/null", "w", stderr) == NULL)
				_exit(15);
			alarm(20); /* a hang is a finding too: SIGALRM */
			alloc_count = 0;
			alloc_fail_at = n;
			live = alloc_live;
			code = run_case(i, &err);
			alloc_fail_at = -1;
			if (code == 2)
				_exit(12);
			if (alloc_live != live)
				_exit(13);
			/* A valid case fails for memory, it does not report
			 * some other error. */
			if (base == 0 && code == 1 &&
			    strstr(err.msg, "memory") == NULL) {
				printf("  \"%s\"\n", err.msg);
				fflush(stdout);
				_exit(14);
			}
			_exit(code == 0 ? 0 : 11);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return bad + 1;
		(*runs)++;
		if (WIFEXITED(status) &&
		    (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 11 ||
			WEXITSTATUS(status) == 70))
			continue;
		bad++;
		if (WIFSIGNALED(status))
			printf("case %zu, allocation %ld of %ld fails: killed "
			       "by signal %d\n",
			    i, n, total, WTERMSIG(status));
		else
			printf("case %zu, allocation %ld of %ld fails: %s\n", i,
			    n, total,
			    WEXITSTATUS(status) == 12
				? "error without a message"
			    : WEXITSTATUS(status) == 13 ? "leak"
			    : WEXITSTATUS(status) == 14 ? "misreported error"
							: "exit status");
	}
	printf("case %zu: %ld allocations, each failed once: %s\n", i, total,
	    bad ? "FAILED" : "clean");
	return bad;
}

int
main(int argc, char **argv)
{
	size_t i, n = NCONFIGS + NBODIES + NTEMPLATES;
	long runs = 0;
	int bad = 0;
	/* Through volatile pointers: the compiler removes unused mallocs. */
	void *(*volatile my_malloc)(size_t) = malloc;
	void (*volatile my_free)(void *) = free;
	char *(*volatile my_strdup)(const char *) = strdup;
	void *p;

	/* Self-test: the n-th allocation fails, a leak is counted, and a
	 * library's allocation goes through us too (strdup in libc). */
	alloc_count = 0;
	alloc_fail_at = 1;
	p = my_malloc(8);
	if (p == NULL || my_malloc(8) != NULL || alloc_live < 1 ||
	    (my_free(p), (p = my_strdup("x"))) == NULL || alloc_count != 3) {
		printf("self-test: the allocator is not replaced\n");
		return 1;
	}
	alloc_fail_at = -1;
	my_free(p);

	for (i = 0; i < n; i++)
		if (argc < 2 || strtoul(argv[1], NULL, 10) == i)
			bad += walk_case(i, &runs);
	printf("%ld runs, %d bad\n", runs, bad);
	return bad ? 1 : 0;
}
