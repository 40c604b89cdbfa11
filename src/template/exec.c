/* The template executor: walks the tree with Go's evaluation rules. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/gofmt.h"
#include "template/internal.h"

/* What a walk returns besides 0 and -1. */
enum { WALK_BREAK = 1, WALK_CONTINUE = 2 };

/* A set of strings (deps), for de-duplication; open addressing. */
struct strset {
	char **slot;
	size_t cap;
	size_t len;
};

/* A variable on the stack. */
struct var {
	const char *name;
	struct tval val;
};

/*
 * Where a field step last found its field in a record. Records of one type
 * are built alike (a KeyPair from its prototype), so the next record a
 * step meets has it at the same index: checked by the type and by the
 * field's own name pointer there, not by comparing names.
 */
struct field_hit {
	const struct field *f;
	const char *type;
	const char *key;
	size_t idx;
};

#define FIELD_HITS 8

/* The state of one render. */
struct state {
	const struct tmpl *t;
	const struct tmpl_data *data;
	struct tarena *arena;
	struct buf out;
	struct tmpl_deps *deps;
	struct strset sets[4]; /* keys, prefixes, missing, files */
	struct cerr *err;
	struct var *vars;
	size_t nvars;
	size_t capvars;
	size_t frame; /* first variable of the current template */
	int depth;
	size_t at;	 /* the operand evaluated last, for messages as Go's */
	uintptr_t stack; /* address of a local of tmpl_render() */
	struct field_hit hits[FIELD_HITS];
};

struct tmpl_call {
	struct state *s;
	const struct arg *f;
	const size_t *argpos; /* where each argument was evaluated */
	size_t argc;
	bool at_arg; /* the error is about an argument: no "error calling" */
	size_t errpos;
};

static int eval_pipe(struct state *s, struct tval dot, const struct pipe *pp,
    struct tval *out);
static int walk_list(struct state *s, struct tval dot, const struct nlist *l);

/* The "<no value>" of Go: an invalid value, e.g. a missing map key. */
static struct tval
novalue(void)
{
	struct tval v = {.kind = TV_NIL, .u.b = true};

	return v;
}

/* Whether v is the invalid value. */
static bool
is_novalue(struct tval v)
{
	return v.kind == TV_NIL && v.u.b;
}

/* Fails the render with "name:line:col: message" at pos; returns -1. */
static int __attribute__((format(printf, 3, 4)))
xerr(struct state *s, size_t pos, const char *fmt, ...)
{
	char where[300], msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tmpl_where(s->t, pos, where, sizeof(where));
	return cerr_set(s->err, "%s: %s", where, msg);
}
#ifdef __clang_analyzer__
/* It returns -1: see cerr.h (the analyzer does not enter variadic calls). */
#define xerr(...) (xerr(__VA_ARGS__), -1)
#endif

/* Formats v with %v into a short string for messages. */
static const char *
vstr(struct state *s, struct tval v)
{
	struct buf b = {0};
	const char *r;

	b.cap = 200;
	tval_write(&b, v);
	r = tarena_strndup(s->arena, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* FNV-1a hash of a string. */
static size_t
hash(const char *k)
{
	size_t h = 1469598103934665603ULL;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

/* Adds k to set; returns true if it was new (then it is copied). */
static bool
strset_add(struct strset *set, const char *k, char **copy)
{
	struct strset bigger;
	size_t i, h;

	if (set->len * 2 >= set->cap) {
		bigger.cap = set->cap ? set->cap * 2 : 16;
		bigger.len = 0;
		bigger.slot = xcalloc(bigger.cap, sizeof(char *));
		for (i = 0; i < set->cap; i++) {
			if (set->slot[i] == NULL)
				continue;
			h = hash(set->slot[i]) & (bigger.cap - 1);
			while (bigger.slot[h] != NULL)
				h = (h + 1) & (bigger.cap - 1);
			bigger.slot[h] = set->slot[i];
			bigger.len++;
		}
		free(set->slot);
		*set = bigger;
	}
	h = hash(k) & (set->cap - 1);
	while (set->slot[h] != NULL) {
		if (strcmp(set->slot[h], k) == 0)
			return false;
		h = (h + 1) & (set->cap - 1);
	}
	set->slot[h] = xstrdup(k);
	set->len++;
	*copy = set->slot[h];
	return true;
}

/* Records dependency k of kind (0 keys, 1 prefixes, 2 missing, 3 files). */
static void
dep_add(struct state *s, int kind, const char *k)
{
	char ***arr;
	size_t *n;
	char *copy;

	if (s->deps == NULL)
		return;
	switch (kind) {
	case 0:
		arr = &s->deps->keys;
		n = &s->deps->nkeys;
		break;
	case 1:
		arr = &s->deps->prefixes;
		n = &s->deps->nprefixes;
		break;
	case 2:
		arr = &s->deps->missing;
		n = &s->deps->nmissing;
		break;
	default:
		arr = &s->deps->files;
		n = &s->deps->nfiles;
		break;
	}
	if (s->sets[kind].len == 0) {
		/* Seed the set with what the caller's deps already hold. */
		for (size_t i = 0; i < *n; i++)
			(void)strset_add(&s->sets[kind], (*arr)[i], &copy);
	}
	if (!strset_add(&s->sets[kind], k, &copy))
		return;
	*arr = xreallocarray(*arr, *n + 1, sizeof(char *));
	(*arr)[(*n)++] = xstrdup(k);
}

/* Frees a set. */
static void
strset_free(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
}

void
tmpl_deps_free(struct tmpl_deps *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nkeys; i++)
		free(d->keys[i]);
	for (i = 0; i < d->nprefixes; i++)
		free(d->prefixes[i]);
	for (i = 0; i < d->nmissing; i++)
		free(d->missing[i]);
	for (i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->keys);
	free(d->prefixes);
	free(d->missing);
	free(d->files);
	memset(d, 0, sizeof(*d));
}

/* Pushes a variable. */
static void
var_push(struct state *s, const char *name, struct tval v)
{
	if (s->nvars == s->capvars) {
		s->capvars = s->capvars ? s->capvars * 2 : 16;
		s->vars = xreallocarray(s->vars, s->capvars, sizeof(*s->vars));
	}
	s->vars[s->nvars].name = name;
	s->vars[s->nvars].val = v;
	s->nvars++;
}

/* Finds a variable of the current template, innermost first. */
static struct var *
var_find(struct state *s, const char *name)
{
	size_t i;

	for (i = s->nvars; i > s->frame; i--)
		if (strcmp(s->vars[i - 1].name, name) == 0)
			return &s->vars[i - 1];
	return NULL;
}

/* Appends to the output; fails past max_output. */
static int
emit(struct state *s, size_t pos, const char *p, size_t n)
{
	if (buf_append(&s->out, p, n) < 0)
		return xerr(s, pos, "output exceeds the limit of %zu bytes",
		    s->t->max_output);
	return 0;
}

/* Prints a value as an action does: "<no value>" or fmt's %v. */
static int
print_value(struct state *s, size_t pos, struct tval v)
{
	if (v.kind == TV_STRING)
		return emit(s, pos, v.u.s.p, v.u.s.len);
	/* Go turns a nil interface result into the invalid value. */
	if (v.kind == TV_NIL)
		return emit(s, pos, "<no value>", 10);
	if (tval_write(&s->out, v) < 0)
		return xerr(s, pos, "output exceeds the limit of %zu bytes",
		    s->t->max_output);
	return 0;
}

/* Looks field step f up in the record recv; as tval_lookup(). */
static bool
record_lookup(struct state *s, const struct field *f, struct tval recv,
    struct tval *out)
{
	struct field_hit *h =
	    &s->hits[((uintptr_t)f / sizeof(*f)) % FIELD_HITS];
	const struct tmap *m = recv.u.map;
	long k;

	if (h->f == f && h->type == m->type && h->idx < m->len &&
	    m->e[h->idx].key == h->key) {
		*out = m->e[h->idx].val;
		return true;
	}
	if ((k = tval_record_index(recv, f->name, f->len)) < 0)
		return false;
	*h = (struct field_hit){f, m->type, m->e[k].key, (size_t)k};
	*out = m->e[k].val;
	return true;
}

/* Evaluates one field step name on receiver. */
static int
eval_field(struct state *s, size_t pos, const struct field *f, bool has_args,
    struct tval recv, struct tval *out)
{
	const char *name = f->name;

	if (is_novalue(recv)) {
		if (s->t->missing_error)
			return xerr(s, pos, "nil data; no entry for key \"%s\"",
			    name);
		*out = novalue();
		return 0;
	}
	switch (recv.kind) {
	case TV_NIL:
		return xerr(s, pos, "nil pointer evaluating interface {}.%s",
		    name);
	case TV_RECORD:
		if (!record_lookup(s, f, recv, out))
			break;
		if (has_args)
			return xerr(s, pos,
			    "%s has arguments but cannot be invoked as "
			    "function",
			    name);
		return 0;
	case TV_MAP:
		if (has_args)
			return xerr(s, pos,
			    "%s is not a method but has arguments", name);
		if (tval_lookup(recv, name, f->len, out))
			return 0;
		if (s->t->missing_error)
			return xerr(s, pos, "map has no entry for key \"%s\"",
			    name);
		*out = novalue();
		return 0;
	default:
		break;
	}
	return xerr(s, pos, "can't evaluate field %s in type %s", name,
	    tval_type(recv));
}

/* Evaluates a chain of fields on recv; the last one gets the args. */
static int
eval_fields(struct state *s, const struct arg *a, bool has_args,
    struct tval recv, struct tval *out)
{
	size_t i;

	for (i = 0; i < a->nfields; i++) {
		if (eval_field(s, s->at, &a->fields[i],
			has_args && i + 1 == a->nfields, recv, &recv) < 0)
			return -1;
	}
	*out = recv;
	return 0;
}

static int eval_operand(struct state *s, struct tval dot,
    const struct arg *args, size_t nargs, const struct tval *final,
    struct tval *out);

/* Fails when a non-function gets arguments. */
static int
not_a_function(struct state *s, const struct arg *args, size_t nargs,
    const struct tval *final)
{
	if (nargs > 1 || final != NULL)
		return xerr(s, args[0].pos,
		    "can't give argument to non-function %.*s",
		    (int)args[0].textlen, args[0].text);
	return 0;
}

/* Calls a function with the evaluated arguments. */
static int
call_fn(struct state *s, const struct arg *f, size_t argc,
    const struct tval *argv, const size_t *argpos, struct tval *out)
{
	struct tmpl_call c = {s, f, argpos, argc, false, 0};
	char msg[sizeof(s->err->msg)];

	if (f->fn->fn == NULL)
		return xerr(s, f->pos, "function \"%s\" not implemented",
		    f->name);
	*out = tval_nil();
	if (f->fn->fn(&c, argc, argv, out) == 0)
		return 0;
	memcpy(msg, s->err->msg, sizeof(msg));
	if (c.at_arg)
		return xerr(s, c.errpos, "%.800s", msg);
	return xerr(s, f->pos, "error calling %s: %.700s", f->name, msg);
}

/* Whether literal f is an integer constant as Go's parser sees it. */
static bool
float_is_int(double f)
{
	return f >= -9223372036854775808.0 && f < 9223372036854775808.0 &&
	       (double)(int64_t)f == f;
}

/*
 * Converts argument i of fn, evaluated from operand a (NULL: the piped
 * value), to the parameter's type as Go's evalArg/validateType, failing
 * with Go's message at s->at (where the evaluation ended).
 */
static int
check_arg(struct state *s, const struct tmpl_func *fn, size_t i,
    const struct arg *a, struct tval *v)
{
	size_t n = strlen(fn->params);
	char want = fn->params[i < n ? i : n - 1];
	const char *tn = want == 's'   ? "string"
			 : want == 'i' ? "int"
				       : "[]string";
	bool lit = a != NULL && a->type == A_LITERAL;
	size_t k;

	if (want == 'v') {
		if (is_novalue(*v))
			*v = tval_nil();
		return 0;
	}
	if (a != NULL && a->type == A_NIL) {
		if (want != 'L')
			return xerr(s, s->at, "cannot assign nil to %s", tn);
		*v = tval_list_new(s->arena);
		return 0;
	}
	if (lit && want == 'L')
		return xerr(s, s->at, "can't handle %.*s for arg of type %s",
		    (int)a->textlen, a->text, tn);
	if (lit && want == 'i' && v->kind == TV_FLOAT && float_is_int(v->u.f)) {
		*v = tval_int((int64_t)v->u.f);
		return 0;
	}
	if (lit && (want == 's' ? v->kind != TV_STRING : v->kind != TV_INT))
		return xerr(s, s->at, "expected %s; found %.*s",
		    want == 's' ? "string" : "integer", (int)a->textlen,
		    a->text);
	if (is_novalue(*v)) {
		if (want != 'L')
			return xerr(s, s->at, "invalid value; expected %s", tn);
		*v = tval_list_new(s->arena);
		return 0;
	}
	switch (want) {
	case 's':
		if (v->kind == TV_STRING)
			return 0;
		break;
	case 'i':
		if (v->kind == TV_INT && !v->byte)
			return 0;
		break;
	default:
		if (v->kind != TV_LIST)
			break;
		for (k = 0; k < v->u.list->len; k++)
			if (v->u.list->items[k].kind != TV_STRING)
				break;
		if (k == v->u.list->len)
			return 0;
		break;
	}
	return xerr(s, s->at, "wrong type for value; expected %s; got %s", tn,
	    tval_type(*v));
}

/* Evaluates a function call: args[1..nargs) and final are its arguments. */
static int
eval_function(struct state *s, struct tval dot, const struct arg *args,
    size_t nargs, const struct tval *final, struct tval *out)
{
	const struct arg *f = &args[0];
	const struct tmpl_func *fn = f->fn;
	struct tval small[8], *argv = small, v = tval_nil();
	size_t smallpos[8], *argpos = smallpos;
	size_t argc = nargs - 1 + (final != NULL), i;

	if (fn->max_args < 0 && argc < (size_t)fn->min_args)
		return xerr(s, f->pos,
		    "wrong number of args for %s: want at least %d got %zu",
		    f->name, fn->min_args, argc);
	if (fn->max_args >= 0 &&
	    (argc < (size_t)fn->min_args || argc > (size_t)fn->max_args)) {
		if (fn->min_args == fn->max_args)
			return xerr(s, f->pos,
			    "wrong number of args for %s: want %d got %zu",
			    f->name, fn->min_args, argc);
		return xerr(s, f->pos,
		    "wrong number of args for %s: want %d to %d got %zu",
		    f->name, fn->min_args, fn->max_args, argc);
	}
	if (f->special != FS_NONE) {
		/* and/or: evaluate left to right, stop at the deciding one. */
		for (i = 1; i < nargs; i++) {
			if (eval_operand(s, dot, &args[i], 1, NULL, &v) < 0)
				return -1;
			if (tval_truth(v) == (f->special == FS_OR)) {
				*out = v;
				return 0;
			}
		}
		*out = final != NULL ? *final : v;
		return 0;
	}
	if (argc > 8) {
		argv = tarena_alloc(s->arena, argc * sizeof(*argv));
		argpos = tarena_alloc(s->arena, argc * sizeof(*argpos));
	}
	for (i = 1; i < nargs; i++) {
		if (eval_operand(s, dot, &args[i], 1, NULL, &argv[i - 1]) < 0)
			return -1;
		if (fn->params != NULL &&
		    check_arg(s, fn, i - 1, &args[i], &argv[i - 1]) < 0)
			return -1;
		if (is_novalue(argv[i - 1]))
			argv[i - 1] = tval_nil();
		argpos[i - 1] = s->at;
	}
	if (final != NULL) {
		argv[argc - 1] = *final;
		if (fn->params != NULL &&
		    check_arg(s, fn, argc - 1, NULL, &argv[argc - 1]) < 0)
			return -1;
		if (is_novalue(argv[argc - 1]))
			argv[argc - 1] = tval_nil();
		argpos[argc - 1] = s->at;
	}
	return call_fn(s, f, argc, argv, argpos, out);
}

/*
 * Evaluates the operand args[0]; args[1..nargs) and final are arguments
 * (for a command), or nargs is 1 and final NULL (for an argument).
 */
static int
eval_operand(struct state *s, struct tval dot, const struct arg *args,
    size_t nargs, const struct tval *final, struct tval *out)
{
	const struct arg *a = &args[0];
	bool has_args = nargs > 1 || final != NULL;
	struct var *v;
	struct tval base;

	s->at = a->pos;
	switch (a->type) {
	case A_FUNC:
		return eval_function(s, dot, args, nargs, final, out);
	case A_FIELD:
		return eval_fields(s, a, has_args, dot, out);
	case A_VAR:
		v = var_find(s, a->name);
		if (v == NULL)
			return xerr(s, a->pos, "undefined variable: %s",
			    a->name);
		if (a->nfields == 0) {
			if (not_a_function(s, args, nargs, final) < 0)
				return -1;
			*out = v->val;
			return 0;
		}
		return eval_fields(s, a, has_args, v->val, out);
	case A_CHAIN:
		if (a->base->type == A_NIL)
			return xerr(s, a->pos,
			    "indirection through explicit nil");
		if (eval_operand(s, dot, a->base, 1, NULL, &base) < 0)
			return -1;
		return eval_fields(s, a, has_args, base, out);
	case A_PIPE:
		if (not_a_function(s, args, nargs, final) < 0)
			return -1;
		return eval_pipe(s, dot, a->pipe, out);
	case A_DOT:
		if (not_a_function(s, args, nargs, final) < 0)
			return -1;
		*out = dot;
		return 0;
	case A_NIL:
		/* As an argument; eval_pipe rejects nil as a command. */
		*out = tval_nil();
		return 0;
	case A_LITERAL:
		if (not_a_function(s, args, nargs, final) < 0)
			return -1;
		*out = a->val;
		return 0;
	}
	return 0;
}

/* Fails when the render has used its C stack budget (deep recursion). */
static int
check_stack(struct state *s, size_t pos)
{
	uintptr_t here = (uintptr_t)&here;

	if (s->stack - here > TMPL_STACK_BUDGET)
		return xerr(s, pos, "template recursion too deep");
	return 0;
}

/* Evaluates a pipeline, declaring or assigning its variables. */
static int
eval_pipe(struct state *s, struct tval dot, const struct pipe *pp,
    struct tval *out)
{
	struct tval v = novalue();
	struct var *var;
	size_t i;

	if (check_stack(s, pp->pos) < 0)
		return -1;

	for (i = 0; i < pp->ncmds; i++) {
		const struct cmd *c = &pp->cmds[i];

		if (c->args[0].type == A_NIL)
			return xerr(s, c->args[0].pos, "nil is not a command");
		if (eval_operand(s, dot, c->args, c->nargs, i > 0 ? &v : NULL,
			&v) < 0)
			return -1;
	}
	for (i = 0; i < pp->ndecl; i++) {
		if (pp->is_assign) {
			var = var_find(s, pp->decl[i]);
			if (var == NULL)
				return xerr(s, s->at, "undefined variable: %s",
				    pp->decl[i]);
			var->val = v;
		} else {
			var_push(s, pp->decl[i], v);
		}
	}
	*out = v;
	return 0;
}

/* One iteration of a range: sets its variables, walks the body. */
static int
range_one(struct state *s, const struct node *n, size_t mark, struct tval index,
    struct tval elem)
{
	int rc;

	if (n->pipe->ndecl > 0)
		s->vars[mark - 1].val = elem;
	if (n->pipe->ndecl > 1)
		s->vars[mark - 2].val = index;
	rc = walk_list(s, elem, &n->list);
	s->nvars = mark;
	return rc;
}

/* Walks {{range}}. */
static int
walk_range(struct state *s, struct tval dot, const struct node *n)
{
	struct tval v;
	size_t i, mark;
	int rc = 0;

	if (eval_pipe(s, dot, n->pipe, &v) < 0)
		return -1;
	mark = s->nvars;
	switch (v.kind) {
	case TV_LIST:
		if (v.u.list->len == 0)
			break;
		for (i = 0; i < v.u.list->len; i++) {
			rc = range_one(s, n, mark, tval_int((int64_t)i),
			    v.u.list->items[i]);
			if (rc == WALK_BREAK || rc < 0)
				break;
		}
		return rc < 0 ? -1 : 0;
	case TV_MAP:
		if (v.u.map->len == 0)
			break;
		for (i = 0; i < v.u.map->len; i++) {
			rc = range_one(s, n, mark, tval_str(v.u.map->e[i].key),
			    v.u.map->e[i].val);
			if (rc == WALK_BREAK || rc < 0)
				break;
		}
		return rc < 0 ? -1 : 0;
	case TV_NIL:
		break;
	default:
		return xerr(s, s->at, "range can't iterate over %s",
		    vstr(s, v));
	}
	if (n->else_list != NULL)
		return walk_list(s, dot, n->else_list);
	return 0;
}

/* Walks {{template}} and {{block}}: a new variable frame. */
static int
walk_template(struct state *s, struct tval dot, const struct node *n)
{
	const struct tdef *d = tmpl_def_find(s->t, n->text);
	size_t frame = s->frame, nvars = s->nvars;
	struct tval v = novalue();
	int rc;

	if (d == NULL)
		return xerr(s, n->pos, "template \"%s\" not defined", n->text);
	if (s->depth >= TMPL_MAX_CALL_DEPTH)
		return xerr(s, n->pos, "exceeded maximum template depth (%d)",
		    TMPL_MAX_CALL_DEPTH);
	if (check_stack(s, n->pos) < 0)
		return -1;
	if (n->pipe != NULL && eval_pipe(s, dot, n->pipe, &v) < 0)
		return -1;
	s->depth++;
	s->frame = s->nvars;
	var_push(s, "$", v);
	rc = walk_list(s, v, &d->root);
	s->frame = frame;
	s->nvars = nvars;
	s->depth--;
	return rc < 0 ? -1 : 0;
}

/* Whether a pipeline is one field chain on dot, declaring nothing: the
 * commonest action, {{ .Key }}. */
static bool
is_field_action(const struct pipe *pp)
{
	return pp->ncmds == 1 && pp->ndecl == 0 && pp->cmds[0].nargs == 1 &&
	       pp->cmds[0].args[0].type == A_FIELD;
}

/* Walks one node; returns 0, -1, WALK_BREAK or WALK_CONTINUE. */
static int
walk_node(struct state *s, struct tval dot, const struct node *n)
{
	struct tval v;
	size_t mark;
	int rc;

	switch (n->type) {
	case N_TEXT:
		return emit(s, n->pos, n->text, n->len);
	case N_ACTION:
		if (is_field_action(n->pipe)) {
			/* {{ .A.B }}: as eval_pipe() would, without its
			 * generality (no call, nothing declared, no
			 * recursion). */
			s->at = n->pipe->cmds[0].args[0].pos;
			if (eval_fields(s, &n->pipe->cmds[0].args[0], false,
				dot, &v) < 0)
				return -1;
			return print_value(s, n->pos, v);
		}
		if (eval_pipe(s, dot, n->pipe, &v) < 0)
			return -1;
		if (n->pipe->ndecl > 0)
			return 0;
		return print_value(s, n->pos, v);
	case N_IF:
	case N_WITH:
		mark = s->nvars;
		if (eval_pipe(s, dot, n->pipe, &v) < 0)
			return -1;
		if (tval_truth(v))
			rc =
			    walk_list(s, n->type == N_WITH ? v : dot, &n->list);
		else if (n->else_list != NULL)
			rc = walk_list(s, dot, n->else_list);
		else
			rc = 0;
		s->nvars = mark;
		return rc;
	case N_RANGE:
		mark = s->nvars;
		rc = walk_range(s, dot, n);
		s->nvars = mark;
		return rc;
	case N_TEMPLATE:
		return walk_template(s, dot, n);
	case N_BREAK:
		return WALK_BREAK;
	case N_CONTINUE:
		return WALK_CONTINUE;
	}
	return 0;
}

/* Walks a list of nodes; stops at an error, break or continue. */
static int
walk_list(struct state *s, struct tval dot, const struct nlist *l)
{
	size_t i;
	int rc;

	for (i = 0; i < l->len; i++)
		if ((rc = walk_node(s, dot, l->items[i])) != 0)
			return rc;
	return 0;
}

/* Builds .Env: confinit's environment as a map[string]string. */
static struct tval
make_env(struct state *s)
{
	struct tval env = tval_map_new(s->arena);
	char *const *e;
	const char *eq;

	env.u.map->type = "map[string]string";
	for (e = s->data != NULL ? s->data->env : NULL; e != NULL && *e; e++) {
		eq = strchr(*e, '=');
		if (eq == NULL)
			continue;
		/* The first of duplicate names wins, as getenv. */
		char *name = tarena_strndup(s->arena, *e, (size_t)(eq - *e));
		struct tval old;

		if (!tval_lookup(env, name, strlen(name), &old))
			tval_map_set(s->arena, env, name, tval_str(eq + 1));
	}
	return env;
}

/* Builds ".": a map of the extra fields and, for dockerize, Env. */
static struct tval
make_root(struct state *s)
{
	struct tval root = tval_map_new(s->arena);
	const char *const *f;

	/* Only dockerize's data has .Env; the others see it through env,
	 * so theirs is not built (a map of every variable per render). */
	if (s->t->dialect == TMPL_DOCKERIZE)
		tval_map_set(s->arena, root, "Env", make_env(s));
	for (f = s->data != NULL ? s->data->fields : NULL; f != NULL && f[0];
	     f += 2) {
		if (f[1] == NULL)
			break;
		tval_map_set(s->arena, root, f[0], tval_str(f[1]));
	}
	return root;
}

int
tmpl_render(const struct tmpl *t, const struct tmpl_data *data, struct buf *out,
    struct tmpl_deps *deps, struct cerr *err)
{
	struct state s = {0};
	struct tval root;
	size_t i;
	int rc;

	s.stack = (uintptr_t)&s;
	s.t = t;
	s.data = data;
	s.arena = tarena_new();
	s.out.cap = t->max_output;
	s.deps = deps;
	s.err = err;
	root = make_root(&s);
	var_push(&s, "$", root);
	rc = walk_list(&s, root, &t->defs[0].root) < 0 ? -1 : 0;
	if (rc == 0 && out->data == NULL && out->len == 0 &&
	    (out->cap == 0 || s.out.len <= out->cap)) {
		/* An empty caller buffer takes ours: no copy of the output. */
		s.out.cap = out->cap;
		*out = s.out;
		memset(&s.out, 0, sizeof(s.out));
	} else if (rc == 0 && s.out.len > 0 &&
		   buf_append(out, s.out.data, s.out.len) < 0) {
		rc = cerr_set(err, "%s: output exceeds the buffer's limit",
		    t->name);
	}
	for (i = 0; i < 4; i++)
		strset_free(&s.sets[i]);
	buf_free(&s.out);
	free(s.vars);
	tarena_free(s.arena);
	return rc;
}

int
tmpl_call_fail(struct tmpl_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cerr_vset(c->s->err, fmt, ap);
	va_end(ap);
	return -1;
}

int
tmpl_call_fail_arg(struct tmpl_call *c, size_t i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cerr_vset(c->s->err, fmt, ap);
	va_end(ap);
	c->at_arg = true;
	c->errpos = i < c->argc ? c->argpos[i] : c->f->pos;
	return -1;
}

int
tmpl_call_fail_type(struct tmpl_call *c, size_t i, const char *want,
    struct tval v)
{
	if (v.kind == TV_NIL)
		return tmpl_call_fail_arg(c, i, "invalid value; expected %s",
		    want);
	return tmpl_call_fail_arg(c, i,
	    "wrong type for value; expected %s; got %s", want, tval_type(v));
}

int
tmpl_call_op(const struct tmpl_call *c)
{
	return c->f->fn->op;
}

struct tarena *
tmpl_call_arena(struct tmpl_call *c)
{
	return c->s->arena;
}

enum tmpl_dialect
tmpl_call_dialect(const struct tmpl_call *c)
{
	return c->s->t->dialect;
}

const char *
tmpl_call_kv_get(struct tmpl_call *c, const char *key)
{
	const struct tmpl_data *d = c->s->data;

	dep_add(c->s, 0, key);
	if (d == NULL || d->kv == NULL || d->kv->get == NULL)
		return NULL;
	return d->kv->get(d->kv_ctx, key);
}

int
tmpl_call_kv_walk(struct tmpl_call *c, const char *prefix,
    int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
	const struct tmpl_data *d = c->s->data;

	dep_add(c->s, 1, prefix);
	if (d == NULL || d->kv == NULL || d->kv->walk == NULL)
		return 0;
	return d->kv->walk(d->kv_ctx, prefix, fn, arg);
}

void
tmpl_call_dep_missing(struct tmpl_call *c, const char *key)
{
	dep_add(c->s, 2, key);
}

void
tmpl_call_dep_file(struct tmpl_call *c, const char *path)
{
	dep_add(c->s, 3, path);
}

const char *
tmpl_call_getenv(struct tmpl_call *c, const char *name)
{
	char *const *e;
	size_t n = strlen(name);

	if (c->s->data == NULL)
		return NULL;
	for (e = c->s->data->env; e != NULL && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

char *const *
tmpl_call_environ(struct tmpl_call *c)
{
	return c->s->data != NULL ? c->s->data->env : NULL;
}
