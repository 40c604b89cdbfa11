/* The template parser: tokens to a tree of nodes, with Go's rules. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/gofmt.h"
#include "template/internal.h"

/* What ended an item list. */
enum stop { STOP_EOF, STOP_END, STOP_ELSE };

/* The parser's state; errors longjmp to the top (everything is arena). */
struct parser {
	struct tmpl *t;
	struct toklist tl;
	size_t i;
	size_t last; /* position of the last token taken, for errors */
	struct cerr *err;
	jmp_buf jb;
	const char **vars;
	size_t nvars, capvars;
	size_t var_base; /* first variable of the template being parsed */
	int range_depth;
	int depth;
	size_t stop_pos;
	const struct tmpl_func *extra;
};

static struct pipe *parse_pipeline(struct parser *p, const char *context,
    enum tok_type end);
static enum stop parse_list(struct parser *p, struct nlist *list);

/* Fails the parse with "name:line:col: message" at byte offset pos. */
static void __attribute__((noreturn, format(printf, 3, 4)))
perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	char where[300], msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tmpl_where(p->t, pos, where, sizeof(where));
	cerr_set(p->err, "%s: %s", where, msg);
	longjmp(p->jb, 1);
}

/* Returns the next token (skipping comments) without taking it. */
static struct token *
peek(struct parser *p)
{
	return &p->tl.t[p->i];
}

/* Takes the next token. */
static struct token *
next(struct parser *p)
{
	struct token *t = &p->tl.t[p->i];

	if (t->type != TK_EOF && t->type != TK_ERROR)
		p->i++;
	p->last = t->pos;
	return t;
}

/* Formats a token as Go's item.String() does, into out. */
static void
tok_str(const struct token *t, char *out, size_t n)
{
	struct buf b = {0};
	const char *s = t->val;
	size_t len = t->len, i, runes;

	if (t->type == TK_EOF) {
		snprintf(out, n, "EOF");
		return;
	}
	if (t->type == TK_ERROR) {
		snprintf(out, n, "%.*s", (int)t->len, t->val);
		return;
	}
	if (t->type >= TK_BLOCK || t->type == TK_DOT || t->type == TK_NIL) {
		snprintf(out, n, "<%.*s>", (int)t->len, t->val);
		return;
	}
	for (i = 0, runes = 0; i < len && runes < 10; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			runes++;
	while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
		i++;
	gofmt_quote(&b, s, i, false);
	snprintf(out, n, "%s%s", b.data, i < len ? "..." : "");
	buf_free(&b);
}

/* Fails with "unexpected TOKEN in context" (or the lexer's message). */
static void __attribute__((noreturn))
unexpected(struct parser *p, const struct token *t, const char *context)
{
	char s[64];

	if (t->type == TK_ERROR)
		perr(p, t->pos, "%.*s", (int)t->len, t->val);
	tok_str(t, s, sizeof(s));
	perr(p, t->pos, "unexpected %s in %s", s, context);
}

/* Allocates zeroed tree memory. */
static void *
palloc(struct parser *p, size_t n)
{
	return tarena_alloc(p->t->arena, n);
}

/* Appends a node to a list. */
static void
list_add(struct parser *p, struct nlist *l, struct node *n)
{
	struct node **items;

	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		items = palloc(p, l->cap * sizeof(*items));
		if (l->len > 0)
			memcpy(items, l->items, l->len * sizeof(*items));
		l->items = items;
	}
	l->items[l->len++] = n;
}

/* Returns a new node. */
static struct node *
new_node(struct parser *p, enum node_type type, size_t pos)
{
	struct node *n = palloc(p, sizeof(*n));

	n->type = type;
	n->pos = pos;
	return n;
}

/* Declares a variable name for the rest of the enclosing control. */
static void
var_push(struct parser *p, const char *name)
{
	if (p->nvars == p->capvars) {
		p->capvars = p->capvars ? p->capvars * 2 : 16;
		p->vars = xreallocarray(p->vars, p->capvars, sizeof(*p->vars));
	}
	p->vars[p->nvars++] = name;
}

/* Returns a tree-owned NUL-terminated copy of s[0..n). */
static const char *
pstr(struct parser *p, const char *s, size_t n)
{
	return tarena_strndup(p->t->arena, s, n);
}

/* Value of hex digit c, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Encodes rune r as UTF-8 into b. */
static void
put_rune(struct buf *b, uint32_t r)
{
	char s[4];
	size_t n;

	if (r < 0x80) {
		s[0] = (char)r;
		n = 1;
	} else if (r < 0x800) {
		s[0] = (char)(0xC0 | (r >> 6));
		s[1] = (char)(0x80 | (r & 0x3F));
		n = 2;
	} else if (r < 0x10000) {
		s[0] = (char)(0xE0 | (r >> 12));
		s[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		s[2] = (char)(0x80 | (r & 0x3F));
		n = 3;
	} else {
		s[0] = (char)(0xF0 | (r >> 18));
		s[1] = (char)(0x80 | ((r >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((r >> 6) & 0x3F));
		s[3] = (char)(0x80 | (r & 0x3F));
		n = 4;
	}
	buf_append(b, s, n);
}

/*
 * Decodes one Go escape after the backslash at s[*i] (quote q); appends
 * it to b. Returns -1 on bad syntax; *rune gets the value (bytes: 0-255).
 */
static int
unescape(const char *s, size_t n, size_t *i, int q, struct buf *b,
    int64_t *rune)
{
	uint32_t v = 0;
	int k, digits, d;
	char c;

	if (*i >= n)
		return -1;
	c = s[(*i)++];
	switch (c) {
	case 'a':
		v = '\a';
		break;
	case 'b':
		v = '\b';
		break;
	case 'f':
		v = '\f';
		break;
	case 'n':
		v = '\n';
		break;
	case 'r':
		v = '\r';
		break;
	case 't':
		v = '\t';
		break;
	case 'v':
		v = '\v';
		break;
	case '\\':
		v = '\\';
		break;
	case '\'':
	case '"':
		if (c != q)
			return -1;
		v = (uint32_t)c;
		break;
	case 'x':
	case 'u':
	case 'U':
		digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		for (k = 0; k < digits; k++) {
			if (*i >= n || (d = hexval((unsigned char)s[*i])) < 0)
				return -1;
			v = v * 16 + (uint32_t)d;
			(*i)++;
		}
		if (c == 'x') {
			buf_append(b, &(char){(char)v}, 1);
			*rune = v;
			return 0;
		}
		if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return -1;
		break;
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
		v = (uint32_t)(c - '0');
		for (k = 0; k < 2; k++) {
			if (*i >= n || s[*i] < '0' || s[*i] > '7')
				return -1;
			v = v * 8 + (uint32_t)(s[(*i)++] - '0');
		}
		if (v > 255)
			return -1;
		buf_append(b, &(char){(char)v}, 1);
		*rune = v;
		return 0;
	default:
		return -1;
	}
	put_rune(b, v);
	*rune = v;
	return 0;
}

/* Unquotes a string token as strconv.Unquote; fails the parse if bad. */
static struct tval
unquote(struct parser *p, const struct token *t)
{
	struct buf b = {0};
	struct tval v;
	size_t i;
	int64_t r;

	if (t->type == TK_RAWSTRING) {
		for (i = 1; i + 1 < t->len; i++)
			if (t->val[i] != '\r')
				buf_append(&b, t->val + i, 1);
	} else {
		for (i = 1; i + 1 < t->len;) {
			if (t->val[i] != '\\') {
				buf_append(&b, t->val + i, 1);
				i++;
				continue;
			}
			i++;
			if (unescape(t->val, t->len - 1, &i, '"', &b, &r) < 0) {
				buf_free(&b);
				perr(p, t->pos, "invalid syntax");
			}
		}
	}
	v = tval_strn(pstr(p, b.data ? b.data : "", b.len), b.len);
	buf_free(&b);
	return v;
}

/* Decodes the rune of a character constant token. */
static int64_t
char_const(struct parser *p, const struct token *t)
{
	struct buf b = {0};
	const unsigned char *s = (const unsigned char *)t->val;
	size_t i = 1, n = t->len - 1, len;
	int64_t r = -1;

	if (i < n && s[i] == '\\') {
		i++;
		if (unescape(t->val, n, &i, '\'', &b, &r) < 0)
			r = -1;
	} else if (i < n) {
		/* One UTF-8 rune. */
		if (s[i] < 0x80) {
			r = s[i];
			len = 1;
		} else {
			len = (s[i] >= 0xF0) ? 4 : (s[i] >= 0xE0) ? 3 : 2;
			if (i + len > n) {
				r = -1;
			} else {
				r = s[i] & (0x3F >> (len - 1));
				for (size_t k = 1; k < len; k++)
					r = (r << 6) | (s[i + k] & 0x3F);
			}
		}
		i += len;
	}
	buf_free(&b);
	if (r < 0 || i != n)
		perr(p, t->pos, "malformed character constant: %.*s",
		    (int)t->len, t->val);
	return r;
}

/* Copies the number text without underscores; false if misplaced. */
static bool
strip_us(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, k = 0;

	if (n >= cap)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '_') {
			if (i == 0 || i + 1 >= n || s[i + 1] == '_')
				return false;
			continue;
		}
		out[k++] = s[i];
	}
	out[k] = '\0';
	return true;
}

/* Parses an integer as strconv.ParseInt(s, 0, 64); false if not one. */
static bool
parse_int(const char *s, int64_t *out, bool *overflow)
{
	const char *d = s;
	bool neg = false;
	int base = 10;
	unsigned long long u;
	char *end;

	*overflow = false;
	if (*d == '+' || *d == '-')
		neg = *d++ == '-';
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
		base = 16;
		d += 2;
	} else if (d[0] == '0' && (d[1] == 'o' || d[1] == 'O')) {
		base = 8;
		d += 2;
	} else if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B')) {
		base = 2;
		d += 2;
	} else if (d[0] == '0' && d[1] != '\0') {
		base = 8;
		d++;
	}
	if (*d == '\0' || *d == '+' || *d == '-')
		return false;
	errno = 0;
	u = strtoull(d, &end, base);
	if (*end != '\0')
		return false;
	if (errno == ERANGE || u > (unsigned long long)INT64_MAX + neg) {
		*overflow = true;
		return false;
	}
	*out = neg ? (int64_t)(0 - (uint64_t)u) : (int64_t)u;
	return true;
}

/* Parses a number token into a constant as Go's newNumber+idealConstant. */
static struct tval
number(struct parser *p, const struct token *t)
{
	char s[128];
	int64_t i;
	double f;
	char *end;
	bool overflow, has_float_mark;

	if (t->type == TK_CHARCONST)
		return tval_int(char_const(p, t));
	if (t->len > 0 && t->val[t->len - 1] == 'i')
		perr(p, t->pos, "complex numbers are not supported: %.*s",
		    (int)t->len, t->val);
	if (!strip_us(t->val, t->len, s, sizeof(s)))
		perr(p, t->pos, "illegal number syntax: \"%.*s\"", (int)t->len,
		    t->val);
	has_float_mark =
	    strpbrk(s, ".eEpP") != NULL &&
	    !((s[0] == '0' || ((s[0] == '-' || s[0] == '+') && s[1] == '0')) &&
		strpbrk(s, "xX") != NULL && strpbrk(s, "pP") == NULL);
	if (parse_int(s, &i, &overflow))
		return tval_int(i);
	if (overflow && !has_float_mark && s[0] != '-' &&
	    (errno = 0, strtoull(s, NULL, 0), errno == 0))
		perr(p, t->pos, "%.*s overflows int", (int)t->len, t->val);
	errno = 0;
	f = strtod(s, &end);
	if (*end != '\0' || end == s || s[strspn(s, "+-")] == '\0' || isinf(f))
		perr(p, t->pos, "illegal number syntax: \"%.*s\"", (int)t->len,
		    t->val);
	if (!has_float_mark)
		perr(p, t->pos, "integer overflow: \"%.*s\"", (int)t->len,
		    t->val);
	return tval_float(f);
}

/* Returns whether token type starts an operand. */
static bool
starts_operand(enum tok_type type)
{
	switch (type) {
	case TK_BOOL:
	case TK_CHARCONST:
	case TK_DOT:
	case TK_FIELD:
	case TK_IDENT:
	case TK_NUMBER:
	case TK_NIL:
	case TK_RAWSTRING:
	case TK_STRING:
	case TK_VAR:
	case TK_LPAREN:
		return true;
	default:
		return false;
	}
}

/* Parses a term; returns false (taking nothing) when none follows. */
static bool
parse_term(struct parser *p, struct arg *a)
{
	struct token *t = peek(p);
	struct field *f;
	size_t k;

	memset(a, 0, sizeof(*a));
	a->pos = t->pos;
	a->text = t->val;
	switch (t->type) {
	case TK_IDENT:
		next(p);
		a->type = A_FUNC;
		a->name = pstr(p, t->val, t->len);
		a->fn = tmpl_func_find(p->extra, p->t->dialect, t->val, t->len);
		if (a->fn == NULL)
			perr(p, t->pos, "function \"%s\" not defined", a->name);
		if (strcmp(a->name, "and") == 0 && a->fn->fn == NULL)
			a->special = FS_AND;
		else if (strcmp(a->name, "or") == 0 && a->fn->fn == NULL)
			a->special = FS_OR;
		break;
	case TK_DOT:
		next(p);
		a->type = A_DOT;
		break;
	case TK_NIL:
		next(p);
		a->type = A_NIL;
		break;
	case TK_VAR:
		next(p);
		a->type = A_VAR;
		a->name = pstr(p, t->val, t->len);
		for (k = p->nvars; k > p->var_base; k--)
			if (strcmp(p->vars[k - 1], a->name) == 0)
				break;
		if (k == p->var_base)
			perr(p, t->pos, "undefined variable \"%s\"", a->name);
		break;
	case TK_FIELD:
		next(p);
		a->type = A_FIELD;
		f = palloc(p, sizeof(*f));
		f->name = pstr(p, t->val + 1, t->len - 1);
		f->len = t->len - 1;
		a->fields = f;
		a->nfields = 1;
		break;
	case TK_BOOL:
		next(p);
		a->type = A_LITERAL;
		a->val = tval_bool(t->len == 4);
		break;
	case TK_CHARCONST:
	case TK_NUMBER:
		next(p);
		a->type = A_LITERAL;
		a->val = number(p, t);
		break;
	case TK_STRING:
	case TK_RAWSTRING:
		next(p);
		a->type = A_LITERAL;
		a->val = unquote(p, t);
		break;
	case TK_LPAREN:
		next(p);
		a->type = A_PIPE;
		a->pipe =
		    parse_pipeline(p, "parenthesized pipeline", TK_RPAREN);
		break;
	default:
		return false;
	}
	a->textlen = p->tl.t[p->i - 1].pos + p->tl.t[p->i - 1].len - a->pos;
	return true;
}

/* Fails with "unexpected . after term" and the term quoted as Go's %q. */
static void __attribute__((noreturn))
unexpected_dot(struct parser *p, const struct arg *a)
{
	struct buf b = {0};
	char msg[300];

	gofmt_quote(&b, a->text, a->textlen, false);
	snprintf(msg, sizeof(msg), "%s", b.data);
	buf_free(&b);
	perr(p, peek(p)->pos, "unexpected . after term %s", msg);
}

/* Parses an operand: a term and the fields right after it. */
static bool
parse_operand(struct parser *p, struct arg *a)
{
	struct field *f = NULL;
	struct arg *base;
	struct token *t;
	size_t n = 0, cap = 0;

	if (!parse_term(p, a))
		return false;
	if (peek(p)->type != TK_FIELD || peek(p)->sp)
		return true;
	switch (a->type) {
	case A_LITERAL:
	case A_NIL:
	case A_DOT:
		unexpected_dot(p, a);
	case A_FIELD:
	case A_VAR:
		n = a->nfields;
		break;
	default:
		base = palloc(p, sizeof(*base));
		*base = *a;
		a->type = A_CHAIN;
		a->base = base;
		a->fields = NULL;
		a->nfields = 0;
		break;
	}
	cap = n;
	/* Go places a field chain at its first chained field. */
	if (a->type != A_CHAIN)
		a->pos = peek(p)->pos;
	while (peek(p)->type == TK_FIELD && !peek(p)->sp) {
		t = next(p);
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			f = palloc(p, cap * sizeof(*f));
			if (n > 0)
				memcpy(f, a->fields, n * sizeof(*f));
			a->fields = f;
		}
		f[n].name = pstr(p, t->val + 1, t->len - 1);
		f[n++].len = t->len - 1;
	}
	a->nfields = n;
	a->textlen = p->tl.t[p->i - 1].pos + p->tl.t[p->i - 1].len -
		     (size_t)(a->text - p->t->text);
	return true;
}

/* Parses a command: operands up to '|', ')' or the right delimiter. */
static void
parse_command(struct parser *p, struct cmd *c)
{
	struct arg a, *args;
	struct token *t = NULL;
	size_t cap = 0;

	c->pos = peek(p)->pos;
	for (;;) {
		if (parse_operand(p, &a)) {
			if (c->nargs == cap) {
				cap = cap ? cap * 2 : 4;
				args = palloc(p, cap * sizeof(*args));
				if (c->nargs > 0)
					memcpy(args, c->args,
					    c->nargs * sizeof(*args));
				c->args = args;
			}
			c->args[c->nargs++] = a;
		}
		t = peek(p);
		if (t->sp && starts_operand(t->type))
			continue;
		if (t->type == TK_RDELIM || t->type == TK_RPAREN)
			break;
		next(p);
		if (t->type == TK_PIPE)
			break;
		unexpected(p, t, "operand");
	}
	if (c->nargs == 0)
		perr(p, t != NULL ? t->pos : c->pos, "empty command");
}

/* Parses a pipeline ending with end, declarations included. */
static struct pipe *
parse_pipeline(struct parser *p, const char *context, enum tok_type end)
{
	struct pipe *pp = palloc(p, sizeof(*pp));
	struct token *v, *t;
	struct cmd *cmds;
	size_t save, cap = 0, k;

	if (++p->depth > TMPL_MAX_NEST)
		perr(p, peek(p)->pos, "exceeded maximum nesting depth (%d)",
		    TMPL_MAX_NEST);
	pp->pos = peek(p)->pos;
decls:
	if (peek(p)->type == TK_VAR) {
		save = p->i;
		v = next(p);
		t = peek(p);
		if (t->type == TK_ASSIGN || t->type == TK_DECLARE) {
			next(p);
			pp->is_assign = t->type == TK_ASSIGN;
			pp->decl[pp->ndecl++] = pstr(p, v->val, v->len);
			/* As Go: "$x = 1" of an undeclared $x fails when run.
			 */
			var_push(p, pp->decl[pp->ndecl - 1]);
		} else if (t->type == TK_CHAR && t->val[0] == ',') {
			next(p);
			pp->decl[pp->ndecl++] = pstr(p, v->val, v->len);
			var_push(p, pp->decl[pp->ndecl - 1]);
			if (strcmp(context, "range") == 0 && pp->ndecl < 2) {
				t = peek(p);
				if (t->type == TK_VAR || t->type == TK_RDELIM ||
				    t->type == TK_RPAREN)
					goto decls;
				perr(p, t->pos,
				    "range can only initialize variables");
			}
			perr(p, t->pos, "too many declarations in %s", context);
		} else {
			p->i = save;
		}
	}
	for (;;) {
		t = peek(p);
		if (t->type == end) {
			next(p);
			break;
		}
		if (!starts_operand(t->type)) {
			next(p);
			unexpected(p, t, context);
		}
		if (pp->ncmds == cap) {
			cap = cap ? cap * 2 : 2;
			cmds = palloc(p, cap * sizeof(*cmds));
			if (pp->ncmds > 0)
				memcpy(cmds, pp->cmds,
				    pp->ncmds * sizeof(*cmds));
			pp->cmds = cmds;
		}
		parse_command(p, &pp->cmds[pp->ncmds++]);
	}
	if (pp->ncmds == 0)
		perr(p, t->pos, "missing value for %s", context);
	for (k = 1; k < pp->ncmds; k++) {
		switch (pp->cmds[k].args[0].type) {
		case A_LITERAL:
		case A_NIL:
		case A_DOT:
			perr(p, pp->cmds[k].pos,
			    "non executable command in pipeline stage %zu",
			    k + 1);
		default:
			break;
		}
	}
	p->depth--;
	return pp;
}

/* Takes the right delimiter or fails with "unexpected X in context". */
static void
expect_rdelim(struct parser *p, const char *context)
{
	struct token *t = next(p);

	if (t->type != TK_RDELIM)
		unexpected(p, t, context);
}

/* Parses the rest of if/range/with: pipeline, list, else, end. */
static struct node *
parse_control(struct parser *p, enum node_type type, size_t pos)
{
	const char *context = type == N_IF	? "if"
			      : type == N_RANGE ? "range"
						: "with";
	struct node *n = new_node(p, type, pos), *sub;
	size_t saved = p->nvars;
	enum stop stop;
	enum tok_type kw;

	if (++p->depth > TMPL_MAX_NEST)
		perr(p, pos, "exceeded maximum nesting depth (%d)",
		    TMPL_MAX_NEST);
	n->pipe = parse_pipeline(p, context, TK_RDELIM);
	if (type == N_RANGE)
		p->range_depth++;
	stop = parse_list(p, &n->list);
	if (type == N_RANGE)
		p->range_depth--;
	if (stop == STOP_ELSE) {
		n->else_list = palloc(p, sizeof(*n->else_list));
		kw = peek(p)->type;
		if ((type == N_IF && kw == TK_IF) ||
		    (type == N_WITH && kw == TK_WITH)) {
			next(p);
			sub = parse_control(p, type, p->last);
			list_add(p, n->else_list, sub);
		} else {
			stop = parse_list(p, n->else_list);
			if (stop != STOP_END)
				perr(p, p->stop_pos,
				    "expected end; found {{else}}");
		}
	}
	p->nvars = saved;
	p->depth--;
	return n;
}

/* Parses a template name (a string constant) for context. */
static const char *
parse_name(struct parser *p, const char *context)
{
	struct token *t = next(p);

	if (t->type != TK_STRING && t->type != TK_RAWSTRING)
		unexpected(p, t, context);
	return unquote(p, t).u.s.p;
}

/* Whether a body is empty as Go sees it: only blank text. */
static bool
empty_body(const struct nlist *l)
{
	size_t i, k;

	for (i = 0; i < l->len; i++) {
		if (l->items[i]->type != N_TEXT)
			return false;
		for (k = 0; k < l->items[i]->len; k++)
			if (memchr(" \t\r\n\v\f", l->items[i]->text[k], 6) ==
			    NULL)
				return false;
	}
	return true;
}

/* Adds the definition name with body root; two non-empty ones fail. */
static void
add_def(struct parser *p, const char *name, struct nlist *root)
{
	struct tmpl *t = p->t;
	size_t i;

	for (i = 0; i < t->ndefs; i++) {
		if (strcmp(t->defs[i].name, name) != 0)
			continue;
		if (empty_body(&t->defs[i].root)) {
			t->defs[i].root = *root;
		} else if (!empty_body(root)) {
			perr(p, p->last,
			    "multiple definition of template \"%s\"", name);
		}
		return;
	}
	if (t->ndefs == t->capdefs) {
		t->capdefs = t->capdefs ? t->capdefs * 2 : 4;
		t->defs = xreallocarray(t->defs, t->capdefs, sizeof(*t->defs));
	}
	t->defs[t->ndefs].name = name;
	t->defs[t->ndefs].root = *root;
	t->ndefs++;
}

/* Parses the body of a define or block (own variables "$") until end. */
static void
parse_body(struct parser *p, const char *name, const char *context)
{
	struct nlist root = {0};
	size_t nvars = p->nvars, var_base = p->var_base;
	int range_depth = p->range_depth;

	/* The body sees only its own variables, starting with "$". */
	p->var_base = p->nvars;
	p->range_depth = 0;
	var_push(p, "$");
	if (parse_list(p, &root) != STOP_END)
		perr(p, p->stop_pos, "unexpected {{else}} in %s", context);
	p->nvars = nvars;
	p->var_base = var_base;
	p->range_depth = range_depth;
	add_def(p, name, &root);
}

/* Parses an action after its left delimiter; sets *stop for end/else. */
static struct node *
parse_action(struct parser *p, enum stop *stop)
{
	struct token *t = peek(p);
	struct node *n;
	const char *name;

	*stop = STOP_EOF;
	switch (t->type) {
	case TK_IF:
		next(p);
		return parse_control(p, N_IF, t->pos);
	case TK_RANGE:
		next(p);
		return parse_control(p, N_RANGE, t->pos);
	case TK_WITH:
		next(p);
		return parse_control(p, N_WITH, t->pos);
	case TK_END:
		next(p);
		p->stop_pos = t->pos;
		expect_rdelim(p, "end");
		*stop = STOP_END;
		return NULL;
	case TK_ELSE:
		next(p);
		p->stop_pos = t->pos;
		if (peek(p)->type != TK_IF && peek(p)->type != TK_WITH)
			expect_rdelim(p, "else");
		*stop = STOP_ELSE;
		return NULL;
	case TK_BREAK:
	case TK_CONTINUE:
		next(p);
		name = t->type == TK_BREAK ? "{{break}}" : "{{continue}}";
		expect_rdelim(p, name);
		if (p->range_depth == 0)
			perr(p, t->pos, "%s outside {{range}}", name);
		return new_node(p, t->type == TK_BREAK ? N_BREAK : N_CONTINUE,
		    t->pos);
	case TK_TEMPLATE:
	case TK_BLOCK:
		next(p);
		n = new_node(p, N_TEMPLATE, peek(p)->pos);
		n->text = parse_name(p,
		    t->type == TK_BLOCK ? "block clause" : "template clause");
		if (t->type == TK_BLOCK) {
			n->pipe = parse_pipeline(p, "block clause", TK_RDELIM);
			parse_body(p, n->text, "block clause");
		} else if (peek(p)->type == TK_RDELIM) {
			next(p);
		} else {
			n->pipe =
			    parse_pipeline(p, "template clause", TK_RDELIM);
		}
		return n;
	default:
		n = new_node(p, N_ACTION, t->pos);
		n->pipe = parse_pipeline(p, "command", TK_RDELIM);
		return n;
	}
}

/* Parses nodes into list until {{end}}, {{else}} or the end of input. */
static enum stop
parse_list(struct parser *p, struct nlist *list)
{
	struct token *t;
	struct node *n;
	enum stop stop;

	for (;;) {
		t = next(p);
		switch (t->type) {
		case TK_EOF:
			perr(p, t->pos, "unexpected EOF");
		case TK_ERROR:
			unexpected(p, t, "input");
		case TK_TEXT:
			n = new_node(p, N_TEXT, t->pos);
			n->text = t->val;
			n->len = t->len;
			list_add(p, list, n);
			break;
		case TK_COMMENT:
			break;
		case TK_LDELIM:
			if (peek(p)->type == TK_DEFINE)
				unexpected(p, next(p), "command");
			n = parse_action(p, &stop);
			if (n == NULL)
				return stop;
			list_add(p, list, n);
			break;
		default:
			unexpected(p, t, "input");
		}
	}
}

/* Parses the top level: text, actions and definitions. */
static void
parse_top(struct parser *p)
{
	struct nlist root = {0};
	struct token *t;
	const char *name;
	struct node *n;
	enum stop stop;

	p->t->ndefs = 1; /* defs[0] is the main template */
	var_push(p, "$");
	for (;;) {
		t = next(p);
		switch (t->type) {
		case TK_EOF:
			/* A {{define}} of the main name counts if nothing else.
			 */
			if (empty_body(&p->t->defs[0].root))
				p->t->defs[0].root = root;
			else if (!empty_body(&root))
				perr(p, t->pos,
				    "multiple definition of template \"%s\"",
				    p->t->name);
			return;
		case TK_ERROR:
			unexpected(p, t, "input");
		case TK_TEXT:
			n = new_node(p, N_TEXT, t->pos);
			n->text = t->val;
			n->len = t->len;
			list_add(p, &root, n);
			break;
		case TK_COMMENT:
			break;
		case TK_LDELIM:
			if (peek(p)->type == TK_DEFINE) {
				next(p);
				name = parse_name(p, "define clause");
				expect_rdelim(p, "define clause");
				parse_body(p, name, "define clause");
				break;
			}
			n = parse_action(p, &stop);
			if (n == NULL)
				perr(p, p->stop_pos, "unexpected %s",
				    stop == STOP_END ? "{{end}}" : "{{else}}");
			list_add(p, &root, n);
			break;
		default:
			unexpected(p, t, "input");
		}
	}
}

int
tmpl_parse(struct tmpl **out, const char *text, size_t len,
    const struct tmpl_opts *opts, struct cerr *err)
{
	return tmpl_parse_funcs(out, text, len, opts, NULL, err);
}

int
tmpl_parse_funcs(struct tmpl **out, const char *text, size_t len,
    const struct tmpl_opts *opts, const struct tmpl_func *extra,
    struct cerr *err)
{
	struct parser p = {0};
	struct tmpl *t;

	*out = NULL;
	t = xcalloc(1, sizeof(*t));
	t->arena = tarena_new();
	t->text = xmalloc(len + 1);
	if (len > 0)
		memcpy(t->text, text, len);
	t->text[len] = '\0';
	t->len = len;
	t->name = xstrdup(opts->name != NULL ? opts->name : "template");
	t->dialect = opts->dialect;
	t->missing_error = opts->missing_error;
	t->max_output =
	    opts->max_output ? opts->max_output : TMPL_DEFAULT_MAX_OUTPUT;
	t->capdefs = 4;
	t->defs = xcalloc(t->capdefs, sizeof(*t->defs));
	t->defs[0].name = t->name;
	p.t = t;
	p.err = err;
	p.extra = extra;
	lex_run(&p.tl, t->text, len, opts->left_delim, opts->right_delim);
	if (setjmp(p.jb) != 0) {
		lex_free(&p.tl);
		free(p.vars);
		tmpl_free(t);
		return -1;
	}
	parse_top(&p);
	lex_free(&p.tl);
	free(p.vars);
	*out = t;
	return 0;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	tarena_free(t->arena);
	free(t->text);
	free(t->name);
	free(t->defs);
	free(t);
}

void
tmpl_where(const struct tmpl *t, size_t pos, char *out, size_t n)
{
	size_t i, line = 1, col_start = 0;

	if (pos > t->len)
		pos = t->len;
	for (i = 0; i < pos; i++) {
		if (t->text[i] == '\n') {
			line++;
			col_start = i + 1;
		}
	}
	/* Go counts the column as bytes from the line start, from 0. */
	snprintf(out, n, "%s:%zu:%zu", t->name, line, pos - col_start);
}

const struct tmpl_func *
tmpl_func_find(const struct tmpl_func *extra, enum tmpl_dialect d,
    const char *name, size_t n)
{
	const struct tmpl_func *tables[3];
	size_t i, k;

	tables[0] = extra != NULL ? extra : tmpl_funcs_builtin + 0;
	tables[1] = d == TMPL_CONFD	  ? tmpl_funcs_confd
		    : d == TMPL_DOCKERIZE ? tmpl_funcs_dockerize
					  : tmpl_funcs_consul;
	tables[2] = tmpl_funcs_builtin;
	for (k = 0; k < 3; k++)
		for (i = 0; tables[k][i].name != NULL; i++)
			if (strncmp(tables[k][i].name, name, n) == 0 &&
			    tables[k][i].name[n] == '\0')
				return &tables[k][i];
	return NULL;
}

const struct tdef *
tmpl_def_find(const struct tmpl *t, const char *name)
{
	size_t i;

	for (i = t->ndefs; i > 0; i--)
		if (strcmp(t->defs[i - 1].name, name) == 0)
			return &t->defs[i - 1];
	return NULL;
}
