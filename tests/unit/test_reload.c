/* Unit tests of reload.c: debounce arithmetic, which templates a change
 * concerns, the first render and writes, waiting for sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reload.h"
#include "xmalloc.h"

static void
test_deadline(void **state)
{
	/* min after the last change... */
	assert_int_equal(reload_deadline(0, 10, 50, 1000), 60);
	assert_int_equal(reload_deadline(0, 500, 50, 1000), 550);
	/* ...but no later than max after the first. */
	assert_int_equal(reload_deadline(0, 990, 50, 1000), 1000);
	assert_int_equal(reload_deadline(100, 1200, 50, 1000), 1100);
	/* max 0: no cap. */
	assert_int_equal(reload_deadline(0, 5000, 50, 0), 5050);
}

static const struct source_ops fake_ops = {.scheme = "fake"};

/* A source that is only a snapshot. */
static struct source *
fake_source(struct loop *l, const char *const *kv)
{
	struct source *s = xcalloc(1, sizeof(*s));

	s->ops = &fake_ops;
	s->name = xstrdup("fake");
	s->url = xstrdup("fake://");
	s->loop = l;
	if (kv != NULL) {
		s->snap = kv_new();
		for (; *kv != NULL; kv += 2)
			kv_set(s->snap, kv[0], kv[1]);
	}
	return s;
}

static struct kv *
snap_of(const char *const *kv)
{
	struct kv *s = kv_new();

	for (; *kv != NULL; kv += 2)
		kv_set(s, kv[0], kv[1]);
	return s;
}

struct fixture {
	char dir[64];
	struct loop *loop;
	struct sup sup;
	struct reload r;
	struct source *src[2];
	struct reload_template t[3];
};

static void
add_template(struct fixture *f, int i, const char *text, const char *name)
{
	struct tmpl_opts o = {.name = name};
	struct cerr err;

	f->t[i].name = (char *)name;
	assert_int_equal(
	    tmpl_parse(&f->t[i].tmpl, text, strlen(text), &o, &err), 0);
	f->t[i].dest.path = xasprintf("%s/%s", f->dir, name);
	f->t[i].dest.mode = -1;
}

static int
setup(void **state)
{
	static const char *const a[] = {"db/host", "h1", "db/port", "1", "x",
	    "1", NULL};
	static const char *const b[] = {"web/port", "80", NULL};
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/confinit-reload-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->loop = loop_new();
	f->src[0] = fake_source(f->loop, a);
	f->src[1] = fake_source(f->loop, b);
	add_template(f, 0, "{{ key \"db/host\" }}:{{ key \"db/port\" }}", "db");
	add_template(f, 1,
	    "{{ range ls \"web\" }}{{ .Key }}={{ .Value }}{{ end }}", "web");
	add_template(f, 2, "{{ key \"late\" }}", "late");
	f->r.tmpls = f->t;
	f->r.ntmpls = 2;
	f->r.sources = f->src;
	f->r.nsources = 2;
	f->r.loop = f->loop;
	f->r.sup = &f->sup;
	f->r.wait_min_ms = 60000; /* hold batches back: dirty flags show */
	reload_init(&f->r);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd;
	int i;

	reload_free(&f->r);
	for (i = 0; i < 3; i++) {
		tmpl_free(f->t[i].tmpl);
		if (f->t[i].dest.path != NULL)
			unlink(f->t[i].dest.path);
		free((char *)f->t[i].dest.path);
	}
	for (i = 0; i < 2; i++)
		source_free(f->src[i]);
	loop_free(f->loop);
	cmd = f->dir;
	rmdir(cmd);
	free(f);
	return 0;
}

static char *
slurp(const char *p)
{
	char buf[256];
	FILE *fp = fopen(p, "r");
	size_t n;

	if (fp == NULL)
		return xstrdup("(none)");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return xstrdup(buf);
}

static void
test_first_render(void **state)
{
	struct fixture *f = *state;
	struct cerr err;
	char *got;

	assert_true(reload_sources_ready(&f->r));
	assert_int_equal(reload_render_all(&f->r, &err), 0);
	assert_int_equal(reload_write_all(&f->r, false, &err), 0);
	got = slurp(f->t[0].dest.path);
	assert_string_equal(got, "h1:1");
	free(got);
	got = slurp(f->t[1].dest.path);
	assert_string_equal(got, "port=80");
	free(got);
}

/* A change marks exactly the templates that read the changed keys. */
static void
test_dependencies(void **state)
{
	static const char *const a2[] = {"db/host", "h2", "db/port", "1", "x",
	    "1", NULL};
	static const char *const a3[] = {"db/host", "h2", "db/port", "1", "x",
	    "2", NULL};
	static const char *const b2[] = {"web/port", "81", NULL};
	struct fixture *f = *state;
	struct cerr err;

	assert_int_equal(reload_render_all(&f->r, &err), 0);
	reload_run(&f->r);
	/* x is read by nobody. */
	source_update(f->src[0], snap_of(a3));
	source_update(f->src[0], snap_of(a2));
	assert_true(f->t[0].dirty);
	assert_false(f->t[1].dirty);
	f->t[0].dirty = false;
	source_update(f->src[0], snap_of(a3));
	assert_false(f->t[0].dirty);
	assert_false(f->t[1].dirty);
	/* A key under a listed prefix. */
	source_update(f->src[1], snap_of(b2));
	assert_false(f->t[0].dirty);
	assert_true(f->t[1].dirty);
	/* The batch waits for the debounce timer. */
	assert_true(loop_timer_armed(&f->r.wait_timer));
}

/* Missing keys and sources without data hold the first render back. */
static void
test_waiting(void **state)
{
	static const char *const late[] = {"late", "here", NULL};
	struct fixture *f = *state;
	struct cerr err;
	char *m;

	f->r.ntmpls = 3;
	f->t[2].dirty = true;
	assert_int_equal(reload_render_all(&f->r, &err), 1);
	m = reload_missing(&f->r);
	assert_string_equal(m, "late (late)");
	free(m);
	source_update(f->src[1], snap_of(late));
	assert_int_equal(reload_render_all(&f->r, &err), 0);
	kv_free(f->src[1]->snap);
	f->src[1]->snap = NULL;
	assert_false(reload_sources_ready(&f->r));
	m = reload_sources_pending(&f->r);
	assert_string_equal(m, "fake");
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deadline),
	    cmocka_unit_test_setup_teardown(test_first_render, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dependencies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_waiting, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
