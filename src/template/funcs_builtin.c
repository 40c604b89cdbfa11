/* Go text/template's built-in functions. */
#include <string.h>

#include "template/funcs.h"
#include "template/gofmt.h"

/* Go's basic kinds for comparisons. */
enum kind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING };

/* Returns the basic kind of v. */
static enum kind
basic_kind(struct tval v)
{
	switch (v.kind) {
	case TV_BOOL:
		return K_BOOL;
	case TV_INT:
		return K_INT;
	case TV_FLOAT:
		return K_FLOAT;
	case TV_STRING:
		return K_STRING;
	default:
		return K_INVALID;
	}
}

/* Compares two strings bytewise. */
static int
str_cmp(struct tval a, struct tval b)
{
	size_t n = a.u.s.len < b.u.s.len ? a.u.s.len : b.u.s.len;
	int c = n ? memcmp(a.u.s.p, b.u.s.p, n) : 0;

	if (c != 0)
		return c;
	return a.u.s.len < b.u.s.len ? -1 : a.u.s.len > b.u.s.len;
}

/* eq a b: whether a equals one of the others, with Go's type rules. */
static int
eq_values(struct tmpl_call *c, size_t argc, const struct tval *argv, bool *res)
{
	enum kind k1 = basic_kind(argv[0]), k2;
	size_t i;
	bool t;

	*res = false;
	if (argc < 2)
		return tmpl_call_fail(c, "missing argument for comparison");
	for (i = 1; i < argc; i++) {
		k2 = basic_kind(argv[i]);
		t = false;
		if (k1 != k2) {
			if (argv[0].kind != TV_NIL && argv[i].kind != TV_NIL)
				return tmpl_call_fail(c,
				    "incompatible types for comparison");
		} else {
			switch (k1) {
			case K_BOOL:
				t = argv[0].u.b == argv[i].u.b;
				break;
			case K_INT:
				t = argv[0].u.i == argv[i].u.i;
				break;
			case K_FLOAT:
				t = argv[0].u.f == argv[i].u.f;
				break;
			case K_STRING:
				t = str_cmp(argv[0], argv[i]) == 0;
				break;
			case K_INVALID:
				if (argv[0].kind == TV_NIL ||
				    argv[i].kind == TV_NIL) {
					t = argv[0].kind == argv[i].kind;
					break;
				}
				return tmpl_call_fail(c,
				    "non-comparable type %s: %s",
				    tval_to_str(tmpl_call_arena(c), argv[i])
					.u.s.p,
				    tval_type(argv[i]));
			}
		}
		if (t) {
			*res = true;
			return 0;
		}
	}
	return 0;
}

/* Whether a < b, with Go's rules for lt. */
static int
less(struct tmpl_call *c, struct tval a, struct tval b, bool *res)
{
	enum kind k1 = basic_kind(a), k2 = basic_kind(b);

	if (k1 == K_INVALID || k2 == K_INVALID || k1 == K_BOOL)
		return tmpl_call_fail(c, "invalid type for comparison");
	if (k1 != k2)
		return tmpl_call_fail(c, "incompatible types for comparison");
	switch (k1) {
	case K_INT:
		*res = a.u.i < b.u.i;
		break;
	case K_FLOAT:
		*res = a.u.f < b.u.f;
		break;
	default:
		*res = str_cmp(a, b) < 0;
		break;
	}
	return 0;
}

/* eq. */
static int
fn_eq(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	bool r = false;

	if (eq_values(c, argc, argv, &r) < 0)
		return -1;
	*ret = tval_bool(r);
	return 0;
}

/* ne. */
static int
fn_ne(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	bool r = false;

	if (eq_values(c, argc, argv, &r) < 0)
		return -1;
	*ret = tval_bool(!r);
	return 0;
}

/* lt. */
static int
fn_lt(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	bool r = false;

	if (less(c, argv[0], argv[1], &r) < 0)
		return -1;
	*ret = tval_bool(r);
	return 0;
}

/* le: lt or eq. */
static int
fn_le(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	bool r = false;

	if (less(c, argv[0], argv[1], &r) < 0)
		return -1;
	if (!r && eq_values(c, 2, argv, &r) < 0)
		return -1;
	*ret = tval_bool(r);
	return 0;
}

/* gt: not le. */
static int
fn_gt(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	if (fn_le(c, argc, argv, ret) < 0)
		return -1;
	ret->u.b = !ret->u.b;
	return 0;
}

/* ge: not lt. */
static int
fn_ge(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	if (fn_lt(c, argc, argv, ret) < 0)
		return -1;
	ret->u.b = !ret->u.b;
	return 0;
}

/* not. */
static int
fn_not(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	*ret = tval_bool(!tval_truth(argv[0]));
	return 0;
}

/* len. */
static int
fn_len(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	switch (argv[0].kind) {
	case TV_STRING:
		*ret = tval_int((int64_t)argv[0].u.s.len);
		return 0;
	case TV_LIST:
		*ret = tval_int((int64_t)argv[0].u.list->len);
		return 0;
	case TV_MAP:
		*ret = tval_int((int64_t)argv[0].u.map->len);
		return 0;
	case TV_NIL:
		return tmpl_call_fail(c, "len of nil pointer");
	default:
		return tmpl_call_fail(c, "len of type %s", tval_type(argv[0]));
	}
}

/* Checks an index for a length; as Go's indexArg. */
static int
index_arg(struct tmpl_call *c, struct tval i, size_t len, int64_t *out)
{
	if (i.kind == TV_NIL)
		return tmpl_call_fail(c, "cannot index slice/array with nil");
	if (i.kind != TV_INT)
		return tmpl_call_fail(c,
		    "cannot index slice/array with type %s", tval_type(i));
	if (i.u.i < 0 || (uint64_t)i.u.i > len)
		return tmpl_call_fail(c, "index out of range: %lld",
		    (long long)i.u.i);
	*out = i.u.i;
	return 0;
}

/* index item i j...: item[i][j]... */
static int
fn_index(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct tval item = argv[0], k;
	size_t i, len;
	int64_t x = 0;

	if (item.kind == TV_NIL)
		return tmpl_call_fail(c, "index of untyped nil");
	for (i = 1; i < argc; i++) {
		k = argv[i];
		switch (item.kind) {
		case TV_STRING:
		case TV_LIST:
			len = item.kind == TV_STRING ? item.u.s.len
						     : item.u.list->len;
			if (index_arg(c, k, len, &x) < 0)
				return -1;
			if ((size_t)x == len)
				return tmpl_call_fail(c,
				    "reflect: %s index out of range",
				    item.kind == TV_STRING ? "string"
							   : "slice");
			if (item.kind == TV_STRING)
				item = tval_byte((unsigned char)item.u.s.p[x]);
			else
				item = item.u.list->items[x];
			break;
		case TV_MAP:
			if (k.kind != TV_STRING)
				return tmpl_call_fail(c,
				    "value has type %s; should be string",
				    k.kind == TV_NIL ? "<nil>" : tval_type(k));
			if (tval_lookup(item, k.u.s.p, k.u.s.len, &item))
				break;
			/* The zero value of the map's element type. */
			if (item.u.map->type != NULL)
				item = tval_str("");
			else
				item = tval_nil();
			break;
		case TV_NIL:
			return tmpl_call_fail(c, "index of nil pointer");
		default:
			return tmpl_call_fail(c, "can't index item of type %s",
			    tval_type(item));
		}
	}
	*ret = item;
	return 0;
}

/* slice item [i [j [k]]]: item[i:j:k]. */
static int
fn_slice(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct tval item = argv[0], l;
	int64_t idx[3] = {0, 0, 0};
	size_t len, i, n = argc - 1;

	if (item.kind == TV_NIL)
		return tmpl_call_fail(c, "slice of untyped nil");
	if (n > 3)
		return tmpl_call_fail(c, "too many slice indexes: %zu", n);
	if (item.kind == TV_STRING) {
		if (n == 3)
			return tmpl_call_fail(c,
			    "cannot 3-index slice a string");
		len = item.u.s.len;
	} else if (item.kind == TV_LIST) {
		len = item.u.list->len;
	} else {
		return tmpl_call_fail(c, "can't slice item of type %s",
		    tval_type(item));
	}
	idx[1] = (int64_t)len;
	for (i = 0; i < n; i++)
		if (index_arg(c, argv[i + 1], len, &idx[i]) < 0)
			return -1;
	if (idx[0] > idx[1])
		return tmpl_call_fail(c, "invalid slice index: %lld > %lld",
		    (long long)idx[0], (long long)idx[1]);
	if (n == 3 && idx[1] > idx[2])
		return tmpl_call_fail(c, "invalid slice index: %lld > %lld",
		    (long long)idx[1], (long long)idx[2]);
	if (item.kind == TV_STRING) {
		*ret = tval_str_copy(tmpl_call_arena(c), item.u.s.p + idx[0],
		    (size_t)(idx[1] - idx[0]));
		return 0;
	}
	l = tval_list_new(tmpl_call_arena(c));
	for (i = (size_t)idx[0]; i < (size_t)idx[1]; i++)
		tval_list_push(tmpl_call_arena(c), l, item.u.list->items[i]);
	*ret = l;
	return 0;
}

/* Turns a formatting buffer into the result; fails past the size cap. */
static int
buf_result(struct tmpl_call *c, struct buf *b, int rc, struct tval *ret)
{
	if (rc < 0) {
		buf_free(b);
		return tmpl_call_fail(c, "result too large");
	}
	*ret =
	    tval_str_copy(tmpl_call_arena(c), b->data ? b->data : "", b->len);
	buf_free(b);
	return 0;
}

/* print: fmt.Sprint. */
static int
fn_print(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf b = {.cap = (size_t)64 << 20};

	return buf_result(c, &b, gofmt_print(&b, argc, argv), ret);
}

/* println: fmt.Sprintln. */
static int
fn_println(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf b = {.cap = (size_t)64 << 20};

	return buf_result(c, &b, gofmt_println(&b, argc, argv), ret);
}

/* printf: fmt.Sprintf. */
static int
fn_printf(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf b = {.cap = (size_t)64 << 20};

	return buf_result(c, &b,
	    gofmt_printf(&b, argv[0].u.s.p, argv[0].u.s.len, argc - 1,
		argv + 1),
	    ret);
}

/* The text of the escapers' arguments: one string, or fmt.Sprint. */
static void
escaper_text(size_t argc, const struct tval *argv, struct buf *b)
{
	struct tval small[8];
	size_t i;

	if (argc == 1 && argv[0].kind == TV_STRING) {
		buf_append(b, argv[0].u.s.p, argv[0].u.s.len);
		return;
	}
	/* As Go, a nil argument prints as the string "<no value>". */
	for (i = 0; i < argc; i++)
		if (argv[i].kind == TV_NIL)
			break;
	if (i == argc || argc > 8) {
		gofmt_print(b, argc, argv);
		return;
	}
	memcpy(small, argv, argc * sizeof(*argv));
	for (i = 0; i < argc; i++)
		if (small[i].kind == TV_NIL)
			small[i] = tval_str("<no value>");
	gofmt_print(b, argc, small);
}

/* html: HTMLEscapeString of the arguments. */
static int
fn_html(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf in = {0}, b = {0};
	size_t i;
	int rc = 0;

	escaper_text(argc, argv, &in);
	for (i = 0; i < in.len && rc == 0; i++) {
		switch (in.data[i]) {
		case '"':
			rc = buf_puts(&b, "&#34;");
			break;
		case '\'':
			rc = buf_puts(&b, "&#39;");
			break;
		case '&':
			rc = buf_puts(&b, "&amp;");
			break;
		case '<':
			rc = buf_puts(&b, "&lt;");
			break;
		case '>':
			rc = buf_puts(&b, "&gt;");
			break;
		case '\0':
			rc = buf_puts(&b, "\xEF\xBF\xBD");
			break;
		default:
			rc = buf_append(&b, &in.data[i], 1);
			break;
		}
	}
	buf_free(&in);
	return buf_result(c, &b, rc, ret);
}

/* Whether the rune r (>= 0x80) is not printable in Go's sense. */
static bool
js_unprintable(uint32_t r)
{
	return (r >= 0x80 && r <= 0xA0) || r == 0xAD || r == 0x1680 ||
	       (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
	       (r >= 0x205F && r <= 0x2064) || r == 0x3000 || r == 0xFEFF ||
	       (r >= 0xFFF9 && r <= 0xFFFB);
}

/* js: JSEscapeString of the arguments. */
static int
fn_js(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const unsigned char *s;
	struct buf in = {0}, b = {0};
	size_t i, n, len, k;
	uint32_t r;
	int rc = 0;

	escaper_text(argc, argv, &in);
	s = (const unsigned char *)in.data;
	n = in.len;
	for (i = 0; i < n && rc == 0; i += len) {
		len = 1;
		if (s[i] >= 0x80) {
			len = s[i] >= 0xF0   ? 4
			      : s[i] >= 0xE0 ? 3
			      : s[i] >= 0xC0 ? 2
					     : 1;
			r = len == 1 ? 0 : s[i] & (0x3F >> (len - 1));
			for (k = 1; k < len; k++) {
				if (i + k >= n || (s[i + k] & 0xC0) != 0x80) {
					len = 1;
					break;
				}
				r = (r << 6) | (s[i + k] & 0x3F);
			}
			if (len > 1 && js_unprintable(r))
				rc = buf_printf(&b, "\\u%04X", r);
			else
				rc = buf_append(&b, s + i, len);
			continue;
		}
		switch (s[i]) {
		case '\\':
			rc = buf_puts(&b, "\\\\");
			break;
		case '\'':
			rc = buf_puts(&b, "\\'");
			break;
		case '"':
			rc = buf_puts(&b, "\\\"");
			break;
		case '<':
			rc = buf_puts(&b, "\\u003C");
			break;
		case '>':
			rc = buf_puts(&b, "\\u003E");
			break;
		case '&':
			rc = buf_puts(&b, "\\u0026");
			break;
		case '=':
			rc = buf_puts(&b, "\\u003D");
			break;
		default:
			if (s[i] < ' ')
				rc = buf_printf(&b, "\\u%04X", s[i]);
			else
				rc = buf_append(&b, s + i, 1);
			break;
		}
	}
	buf_free(&in);
	return buf_result(c, &b, rc, ret);
}

/* urlquery: QueryEscape of the arguments. */
static int
fn_urlquery(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf in = {0}, b = {0};
	size_t i;
	unsigned char ch;
	int rc = 0;

	escaper_text(argc, argv, &in);
	for (i = 0; i < in.len && rc == 0; i++) {
		ch = (unsigned char)in.data[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~')
			rc = buf_append(&b, &in.data[i], 1);
		else if (ch == ' ')
			rc = buf_puts(&b, "+");
		else
			rc = buf_printf(&b, "%%%02X", ch);
	}
	buf_free(&in);
	return buf_result(c, &b, rc, ret);
}

/* call: templates have no function values, so it always fails as Go's. */
static int
fn_call(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	if (argv[0].kind == TV_NIL)
		return tmpl_call_fail(c, "call of nil");
	return tmpl_call_fail(c, "non-function of type %s", tval_type(argv[0]));
}

/* and/or have no fn: the engine evaluates them lazily itself. */
const struct tmpl_func tmpl_funcs_builtin[] = {
    {"and", 1, -1, NULL, NULL, 0},
    {"or", 1, -1, NULL, NULL, 0},
    {"not", 1, 1, fn_not, NULL, 0},
    {"len", 1, 1, fn_len, NULL, 0},
    {"index", 1, -1, fn_index, NULL, 0},
    {"slice", 1, -1, fn_slice, NULL, 0},
    {"print", 0, -1, fn_print, NULL, 0},
    {"printf", 1, -1, fn_printf, "sv", 0},
    {"println", 0, -1, fn_println, NULL, 0},
    {"eq", 1, -1, fn_eq, NULL, 0},
    {"ne", 2, 2, fn_ne, NULL, 0},
    {"lt", 2, 2, fn_lt, NULL, 0},
    {"le", 2, 2, fn_le, NULL, 0},
    {"gt", 2, 2, fn_gt, NULL, 0},
    {"ge", 2, 2, fn_ge, NULL, 0},
    {"html", 0, -1, fn_html, NULL, 0},
    {"js", 0, -1, fn_js, NULL, 0},
    {"urlquery", 0, -1, fn_urlquery, NULL, 0},
    {"call", 1, -1, fn_call, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0},
};
