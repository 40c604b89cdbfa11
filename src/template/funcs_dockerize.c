/*
 * The dockerize dialect's template functions. The data root's .Env (the
 * environment as a map) comes from the engine, for every dialect.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/param.h>
#include <sys/stat.h>

#include "template/funcs_common.h"
#include "template/gofmt.h"

#define LOOP_MAX 1000000 /* longest list loop builds */

/*
 * default VALUE DEFAULT: VALUE when it is a string (set, even empty),
 * else DEFAULT, which must be a string. The value comes first, as in
 * dockerize: {{ default .Env.PORT "80" }}.
 */
static int
fn_default(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	if (argc == 0)
		return tmpl_call_fail(c, "default called with no values");
	if (argv[0].kind == TV_STRING) {
		*ret = argv[0];
		return 0;
	}
	if (argc == 1)
		return tmpl_call_fail(c,
		    "default called with no default value");
	if (argv[1].kind == TV_NIL)
		return tmpl_call_fail(c,
		    "default called with nil default value");
	if (argv[1].kind != TV_STRING)
		return tmpl_call_fail(c,
		    "default is not a string value, hint: surround it with "
		    "double quotes");
	*ret = argv[1];
	return 0;
}

/* exists PATH: whether the path exists; other stat errors fail. */
static int
fn_exists(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *path = argv[0].u.s.p;
	char msg[128];
	struct stat st;

	if (stat(path, &st) == 0) {
		*ret = tval_bool(true);
		return 0;
	}
	if (errno == ENOENT) {
		*ret = tval_bool(false);
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s", strerror(errno));
	msg[0] = (char)(msg[0] >= 'A' && msg[0] <= 'Z' ? msg[0] + 32 : msg[0]);
	return tmpl_call_fail(c, "unable to stat %s: stat %s: %s", path, path,
	    msg);
}

/* contains MAP KEY: whether the map (e.g. .Env; nil: none) has KEY. */
static int
fn_contains(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct tval v;

	if (argv[0].kind == TV_NIL) {
		*ret = tval_bool(false);
		return 0;
	}
	if (argv[0].kind != TV_MAP)
		return tmpl_call_fail_type(c, 0, "map[string]string", argv[0]);
	*ret =
	    tval_bool(tval_lookup(argv[0], argv[1].u.s.p, argv[1].u.s.len, &v));
	return 0;
}

/* Encoding modes of Go's net/url escaping. */
enum url_mode { URL_PATH, URL_USER, URL_FRAGMENT, URL_HOST };

static bool url_host_bad(unsigned char ch);

/* Go's url.shouldEscape for the modes parseUrl needs. */
static bool
url_should_escape(unsigned char ch, enum url_mode mode)
{
	if (mode == URL_HOST)
		return url_host_bad(ch);
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch != '\0' && strchr("-_.~", ch)))
		return false;
	if (ch != '\0' && strchr("$&+,/:;=?@", ch) != NULL) {
		if (mode == URL_PATH)
			return ch == '?';
		if (mode == URL_USER)
			return strchr("@/?:", ch) != NULL;
		return false;
	}
	if (mode == URL_FRAGMENT && ch != '\0' && strchr("!()*", ch) != NULL)
		return false;
	return true;
}

/* Returns the value of hex digit ch, or -1. */
static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if ((ch | 32) >= 'a' && (ch | 32) <= 'f')
		return (ch | 32) - 'a' + 10;
	return -1;
}

/* Writes PREFIX, s[0..n) quoted as Go's %q, then SUFFIX into err; -1. */
static int
url_err(char *err, size_t errlen, const char *prefix, const char *s, size_t n,
    const char *suffix)
{
	struct buf q = {0};

	gofmt_quote(&q, s, n, false);
	snprintf(err, errlen, "%s%s%s", prefix, q.data ? q.data : "", suffix);
	buf_free(&q);
	return -1;
}

/* True when Go's url.shouldEscape(ch, encodeHost) holds for ASCII ch. */
static bool
url_host_bad(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return false;
	return ch == '\0' || strchr("-_.~!$&'()*+,;=:[]<>\"", ch) == NULL;
}

/*
 * Go's url.unescape (no '+' to space): appends the decoded s[0..n) to
 * out; returns 0, or -1 with Go's message in err. In a host, only
 * non-ASCII bytes (and %25) may be escaped and some characters are
 * invalid.
 */
static int
url_unescape(struct buf *out, const char *s, size_t n, bool host, char *err,
    size_t errlen)
{
	size_t i;
	char ch;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			if (host && (unsigned char)s[i] < 0x80 &&
			    url_host_bad((unsigned char)s[i]))
				return url_err(err, errlen,
				    "invalid character ", s + i, 1,
				    " in host name");
			buf_append(out, &s[i], 1);
			continue;
		}
		if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
			return url_err(err, errlen, "invalid URL escape ",
			    s + i, MIN(n - i, (size_t)3), "");
		if (host && hexval(s[i + 1]) < 8 &&
		    memcmp(s + i, "%25", 3) != 0)
			return url_err(err, errlen, "invalid URL escape ",
			    s + i, 3, "");
		ch = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
		buf_append(out, &ch, 1);
		i += 2;
	}
	return 0;
}

/* Appends s[0..n) escaped as Go's url.escape(s, mode). */
static void
url_escape(struct buf *out, const char *s, size_t n, enum url_mode mode)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (url_should_escape(ch, mode))
			buf_printf(out, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
		else
			buf_append(out, &ch, 1);
	}
}

/* Go's url.validEncoded(s, mode): only allowed or escaped bytes. */
static bool
url_valid_encoded(const char *s, size_t n, enum url_mode mode)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '\0' && strchr("!$&'()*+,;=:@[]%", s[i]) != NULL)
			continue;
		if (url_should_escape((unsigned char)s[i], mode))
			return false;
	}
	return true;
}

/* True when Go's url.escape(s, mode) would give back raw[0..rn). */
static bool
url_escapes_to(const char *s, size_t n, const char *raw, size_t rn,
    enum url_mode mode)
{
	struct buf b = {0};
	bool same;

	url_escape(&b, s, n, mode);
	same = b.len == rn && (rn == 0 || memcmp(b.data, raw, rn) == 0);
	buf_free(&b);
	return same;
}

/* Sets field (decoded) and rawfield (raw when it differs) of a URL. */
static int
url_set(struct tmpl_call *c, const char *raw, size_t n, enum url_mode mode,
    struct tval *dec, struct tval *rawv, char *err, size_t errlen)
{
	struct buf b = {0};

	if (url_unescape(&b, raw, n, false, err, errlen) < 0) {
		buf_free(&b);
		return -1;
	}
	*rawv = tval_str("");
	if (!url_escapes_to(b.data ? b.data : "", b.len, raw, n, mode))
		*rawv = tval_str_copy(tmpl_call_arena(c), raw, n);
	*dec = funcs_str_buf(c, &b);
	return 0;
}

/* Checks Go's validOptionalPort on host[0..n); sets err. */
static int
url_check_host(const char *host, size_t n, char *err, size_t errlen)
{
	const char *colon, *end = host + n, *p;

	if (n > 0 && host[0] == '[') {
		p = memrchr(host, ']', n);
		if (p == NULL) {
			snprintf(err, errlen, "missing ']' in host");
			return -1;
		}
		colon = p + 1 < end ? p + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return url_err(err, errlen, "invalid port ", colon,
			    (size_t)(end - colon), " after host");
	} else {
		colon = memrchr(host, ':', n);
	}
	if (colon == NULL)
		return 0;
	for (p = colon + 1; p < end; p++) {
		if (*p < '0' || *p > '9')
			return url_err(err, errlen, "invalid port ", colon,
			    (size_t)(end - colon), " after host");
	}
	return 0;
}

/* Sets *out to the unescaped host[0..n). */
static int
url_host(struct tmpl_call *c, const char *host, size_t n, struct tval *out,
    char *err, size_t errlen)
{
	struct buf b = {0};

	if (url_unescape(&b, host, n, true, err, errlen) < 0) {
		buf_free(&b);
		return -1;
	}
	*out = funcs_str_buf(c, &b);
	return 0;
}

/*
 * Returns the *url.Userinfo stand-in: a record whose field is Username,
 * printing as Go's String() ("user:pass"); *redacted is that form with the
 * password as "xxxxx" (Go's URL.Redacted). ui NULL: Go's nil *Userinfo.
 */
static int
url_user(struct tmpl_call *c, const char *ui, size_t n, struct tval *out,
    struct tval *redacted, char *err, size_t errlen)
{
	struct tarena *a = tmpl_call_arena(c);
	struct buf b = {0}, str = {0};
	const char *colon;
	size_t un, i;

	*out = tval_record_new(a, "*url.Userinfo");
	if (ui == NULL) {
		tval_record_add(a, *out, "Username", tval_str(""));
		tval_record_set_string(*out, "", 0, true);
		*redacted = tval_str("");
		return 0;
	}
	colon = memchr(ui, ':', n);
	un = colon != NULL ? (size_t)(colon - ui) : n;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)ui[i];

		if (ch >= 0x80 ||
		    (!((ch | 32) >= 'a' && (ch | 32) <= 'z') &&
			!(ch >= '0' && ch <= '9') &&
			(ch == '\0' || !strchr("-._:~!$&'()*+,;=%@", ch)))) {
			snprintf(err, errlen, "net/url: invalid userinfo");
			return -1;
		}
	}
	if (url_unescape(&b, ui, un, false, err, errlen) < 0) {
		buf_free(&b);
		return -1;
	}
	url_escape(&str, b.data ? b.data : "", b.len, URL_USER);
	*redacted = tval_str_copy(a, str.data ? str.data : "", str.len);
	if (colon != NULL) {
		struct buf pw = {0};

		if (url_unescape(&pw, colon + 1, n - un - 1, false, err,
			errlen) < 0) {
			buf_free(&b);
			buf_free(&pw);
			buf_free(&str);
			return -1;
		}
		buf_puts(&str, ":");
		url_escape(&str, pw.data ? pw.data : "", pw.len, URL_USER);
		pw.len = 0;
		buf_append(&pw, redacted->u.s.p, redacted->u.s.len);
		buf_puts(&pw, ":xxxxx");
		*redacted = funcs_str_buf(c, &pw);
	}
	tval_record_add(a, *out, "Username", funcs_str_buf(c, &b));
	tval_record_set_string(*out,
	    tarena_strndup(a, str.data ? str.data : "", str.len), str.len,
	    false);
	buf_free(&str);
	return 0;
}

/*
 * Adds Hostname and Port, the values of Go's methods of the same names
 * (templates call them as .Hostname and .Port): the host without its port
 * (and without the brackets of an IPv6 literal), and the port or "".
 */
static void
url_host_port(struct tmpl_call *c, struct tval u, struct tval host)
{
	struct tarena *a = tmpl_call_arena(c);
	const char *h = host.u.s.p, *colon, *end = h + host.u.s.len, *name;
	size_t nlen;

	colon = memrchr(h, ':', host.u.s.len);
	if (colon != NULL && h[0] == '[' &&
	    memchr(colon, ']', (size_t)(end - colon)))
		colon = NULL; /* the ':' is inside the brackets */
	name = h;
	nlen = colon != NULL ? (size_t)(colon - h) : host.u.s.len;
	if (nlen > 0 && h[0] == '[') {
		const char *rb = memchr(h, ']', nlen);

		name = h + 1;
		nlen = rb != NULL ? (size_t)(rb - name) : nlen - 1;
	}
	tval_record_add(a, u, "Hostname", tval_str_copy(a, name, nlen));
	tval_record_add(a, u, "Port",
	    colon != NULL
		? tval_str_copy(a, colon + 1, (size_t)(end - colon - 1))
		: tval_str(""));
}

/* Returns string field name of record r ("" when it is not a string). */
static struct tval
url_field(struct tval r, const char *name)
{
	struct tval v;

	if (!tval_lookup(r, name, strlen(name), &v) || v.kind != TV_STRING)
		return tval_str("");
	return v;
}

/* Go's URL.EscapedPath (frag false) or EscapedFragment (frag true). */
static void
url_escaped(struct buf *out, struct tval u, bool frag)
{
	struct tval dec = url_field(u, frag ? "Fragment" : "Path");
	struct tval raw = url_field(u, frag ? "RawFragment" : "RawPath");
	enum url_mode mode = frag ? URL_FRAGMENT : URL_PATH;

	if (raw.u.s.len > 0 && url_valid_encoded(raw.u.s.p, raw.u.s.len, mode))
		buf_append(out, raw.u.s.p, raw.u.s.len);
	else if (!frag && strcmp(dec.u.s.p, "*") == 0)
		buf_puts(out, "*");
	else
		url_escape(out, dec.u.s.p, dec.u.s.len, mode);
}

/* Appends Go's URL.String() of u, its userinfo printed as ui. */
static void
url_string(struct buf *out, struct tval u, struct tval ui)
{
	struct tval scheme = url_field(u, "Scheme"),
		    host = url_field(u, "Host");
	struct tval opaque = url_field(u, "Opaque"), v, user;
	struct buf path = {0};
	bool has_user, omit, force;
	size_t start = out->len;

	tval_lookup(u, "User", 4, &user);
	has_user = !user.u.map->nilptr;
	omit = tval_lookup(u, "OmitHost", 8, &v) && v.u.b;
	force = tval_lookup(u, "ForceQuery", 10, &v) && v.u.b;
	if (scheme.u.s.len > 0) {
		buf_append(out, scheme.u.s.p, scheme.u.s.len);
		buf_puts(out, ":");
	}
	if (opaque.u.s.len > 0) {
		buf_append(out, opaque.u.s.p, opaque.u.s.len);
		goto query;
	}
	url_escaped(&path, u, false);
	if ((scheme.u.s.len > 0 || host.u.s.len > 0 || has_user) &&
	    !(omit && host.u.s.len == 0 && !has_user)) {
		if (host.u.s.len > 0 || url_field(u, "Path").u.s.len > 0 ||
		    has_user)
			buf_puts(out, "//");
		if (has_user) {
			buf_append(out, ui.u.s.p, ui.u.s.len);
			buf_puts(out, "@");
		}
		url_escape(out, host.u.s.p, host.u.s.len, URL_HOST);
	}
	if (path.len > 0 && path.data[0] != '/' && host.u.s.len > 0)
		buf_puts(out, "/");
	/* A first segment with a colon would read as a scheme. */
	if (out->len == start && path.len > 0 &&
	    memchr(path.data, ':', strcspn(path.data, "/")) != NULL)
		buf_puts(out, "./");
	if (path.len > 0)
		buf_append(out, path.data, path.len);
	buf_free(&path);
query:
	v = url_field(u, "RawQuery");
	if (force || v.u.s.len > 0) {
		buf_puts(out, "?");
		buf_append(out, v.u.s.p, v.u.s.len);
	}
	if (url_field(u, "Fragment").u.s.len > 0) {
		buf_puts(out, "#");
		url_escaped(out, u, true);
	}
}

/* Go's url.ParseQuery(q) as url.Values; malformed pairs are left out. */
static struct tval
url_query(struct tmpl_call *c, struct tval q)
{
	struct tarena *a = tmpl_call_arena(c);
	struct tval m = tval_map_new(a), list;
	const char *p = q.u.s.p, *end = p + q.u.s.len, *amp, *eq;
	struct buf kv[2] = {{0}, {0}}, plus = {0};
	char err[128];
	size_t i, j;

	m.u.map->type = "url.Values";
	for (; p < end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p || memchr(p, ';', (size_t)(amp - p)) != NULL)
			continue;
		eq = memchr(p, '=', (size_t)(amp - p));
		for (i = 0; i < 2; i++) {
			const char *s = i == 0 ? p : eq != NULL ? eq + 1 : amp;
			const char *e = i == 0 && eq != NULL ? eq : amp;

			/* QueryUnescape: '+' is a space. */
			plus.len = 0;
			for (j = 0; s + j < e; j++)
				buf_append(&plus, s[j] == '+' ? " " : s + j, 1);
			kv[i].len = 0;
			buf_puts(&kv[i], "");
			if (url_unescape(&kv[i], plus.data ? plus.data : "",
				plus.len, false, err, sizeof(err)) < 0)
				break;
		}
		if (i < 2)
			continue;
		if (!tval_lookup(m, kv[0].data, kv[0].len, &list)) {
			list = tval_list_new(a);
			tval_map_set(a, m,
			    tarena_strndup(a, kv[0].data, kv[0].len), list);
		}
		tval_list_push(a, list,
		    tval_str_copy(a, kv[1].data, kv[1].len));
	}
	buf_free(&kv[0]);
	buf_free(&kv[1]);
	buf_free(&plus);
	return m;
}

/*
 * Adds the values of url.URL's methods that take no argument as fields
 * (templates call them as .String, .Query, ...) and gives u its String()
 * form. redacted is the userinfo as Redacted prints it.
 */
static void
url_methods(struct tmpl_call *c, struct tval u, struct tval redacted)
{
	struct tarena *a = tmpl_call_arena(c);
	struct tval user, str, v;
	struct buf b = {0};

	tval_lookup(u, "User", 4, &user);
	url_string(&b, u, tval_strn(user.u.map->str, user.u.map->str_len));
	str = funcs_str_buf(c, &b);
	tval_record_set_string(u, str.u.s.p, str.u.s.len, false);
	tval_record_add(a, u, "String", str);
	url_escaped(&b, u, false);
	tval_record_add(a, u, "EscapedPath", funcs_str_buf(c, &b));
	url_escaped(&b, u, true);
	tval_record_add(a, u, "EscapedFragment", funcs_str_buf(c, &b));
	/* RequestURI */
	v = url_field(u, "Opaque");
	if (v.u.s.len == 0) {
		url_escaped(&b, u, false);
		if (b.len == 0)
			buf_puts(&b, "/");
	} else {
		if (v.u.s.len >= 2 && memcmp(v.u.s.p, "//", 2) == 0)
			buf_printf(&b, "%s:", url_field(u, "Scheme").u.s.p);
		buf_append(&b, v.u.s.p, v.u.s.len);
	}
	v = url_field(u, "RawQuery");
	if ((tval_lookup(u, "ForceQuery", 10, &str) && str.u.b) ||
	    v.u.s.len > 0) {
		buf_puts(&b, "?");
		buf_append(&b, v.u.s.p, v.u.s.len);
	}
	tval_record_add(a, u, "RequestURI", funcs_str_buf(c, &b));
	url_string(&b, u, redacted);
	tval_record_add(a, u, "Redacted", funcs_str_buf(c, &b));
	tval_record_add(a, u, "IsAbs",
	    tval_bool(url_field(u, "Scheme").u.s.len > 0));
	tval_record_add(a, u, "Query", url_query(c, url_field(u, "RawQuery")));
}

/*
 * Parses raw as Go's url.Parse into the url.URL record fields; returns
 * 0, or -1 with Go's message (without the "parse" wrapper) in err.
 */
static int
url_parse(struct tmpl_call *c, const char *raw, struct tval *u, char *err,
    size_t errlen, bool *in_frag)
{
	struct tarena *a = tmpl_call_arena(c);
	struct tval scheme = tval_str(""), opaque = tval_str(""), user,
		    redacted;
	struct tval host = tval_str(""), path = tval_str(""), rawpath;
	struct tval query = tval_str(""), frag = tval_str(""), rawfrag;
	const char *hash, *rest, *q, *auth, *slash, *at;
	bool force = false, omit = false;
	size_t i, n = strlen(raw), rn;
	struct buf lower = {0};

	user = tval_nil();
	redacted = tval_str("");
	rawpath = rawfrag = tval_str("");
	*in_frag = false;
	hash = strchr(raw, '#');
	/* Go checks control bytes before the fragment only. */
	for (i = 0; i < (hash != NULL ? (size_t)(hash - raw) : n); i++) {
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f) {
			snprintf(err, errlen,
			    "net/url: invalid control character in URL");
			return -1;
		}
	}
	rn = hash != NULL ? (size_t)(hash - raw) : n;
	rest = raw;
	if (rn == 1 && raw[0] == '*') {
		path = tval_str("*");
		rest = raw + rn;
	}
	/* getScheme */
	for (i = 0; rest == raw && i < rn; i++) {
		char ch = raw[i];

		if ((ch | 32) >= 'a' && (ch | 32) <= 'z')
			continue;
		if ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-' ||
		    ch == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (ch == ':') {
			if (i == 0) {
				snprintf(err, errlen,
				    "missing protocol scheme");
				return -1;
			}
			funcs_lower(&lower, raw, i);
			scheme = funcs_str_buf(c, &lower);
			rest = raw + i + 1;
		}
		break;
	}
	rn -= (size_t)(rest - raw);
	if (path.u.s.len == 0) {
		q = memchr(rest, '?', rn);
		if (q != NULL && q == rest + rn - 1 &&
		    memchr(rest, '?', rn - 1) == NULL) {
			force = true;
			rn--;
		} else if (q != NULL) {
			query = tval_str_copy(a, q + 1,
			    rn - (size_t)(q + 1 - rest));
			rn = (size_t)(q - rest);
		}
		if (rn == 0 || rest[0] != '/') {
			if (scheme.u.s.len > 0) {
				opaque = tval_str_copy(a, rest, rn);
				goto frag;
			}
			slash = memchr(rest, '/', rn);
			if (memchr(rest, ':',
				slash ? (size_t)(slash - rest) : rn) != NULL) {
				snprintf(err, errlen,
				    "first path segment in URL cannot "
				    "contain colon");
				return -1;
			}
		}
		if (rn >= 2 && rest[0] == '/' && rest[1] == '/' &&
		    (scheme.u.s.len > 0 || rn < 3 || rest[2] != '/')) {
			auth = rest + 2;
			slash = memchr(auth, '/', rn - 2);
			i = slash != NULL ? (size_t)(slash - auth) : rn - 2;
			at = memrchr(auth, '@', i);
			if (url_check_host(at ? at + 1 : auth,
				at ? i - (size_t)(at + 1 - auth) : i, err,
				errlen) < 0)
				return -1;
			if (url_host(c, at ? at + 1 : auth,
				at ? i - (size_t)(at + 1 - auth) : i, &host,
				err, errlen) < 0)
				return -1;
			if (at != NULL &&
			    url_user(c, auth, (size_t)(at - auth), &user,
				&redacted, err, errlen) < 0)
				return -1;
			rn -= i + 2;
			rest = auth + i;
		} else if (scheme.u.s.len > 0 && rn > 0 && rest[0] == '/') {
			omit = true;
		}
		if (url_set(c, rest, rn, URL_PATH, &path, &rawpath, err,
			errlen) < 0)
			return -1;
	}
frag:
	if (hash != NULL && hash[1] != '\0' &&
	    url_set(c, hash + 1, strlen(hash + 1), URL_FRAGMENT, &frag,
		&rawfrag, err, errlen) < 0) {
		*in_frag = true;
		return -1;
	}
	if (user.kind == TV_NIL &&
	    url_user(c, NULL, 0, &user, &redacted, err, errlen) < 0)
		return -1;
	*u = tval_record_new(a, "*url.URL");
	tval_record_add(a, *u, "Scheme", scheme);
	tval_record_add(a, *u, "Opaque", opaque);
	tval_record_add(a, *u, "User", user);
	tval_record_add(a, *u, "Host", host);
	tval_record_add(a, *u, "Path", path);
	tval_record_add(a, *u, "RawPath", rawpath);
	tval_record_add(a, *u, "OmitHost", tval_bool(omit));
	tval_record_add(a, *u, "ForceQuery", tval_bool(force));
	tval_record_add(a, *u, "RawQuery", query);
	tval_record_add(a, *u, "Fragment", frag);
	tval_record_add(a, *u, "RawFragment", rawfrag);
	url_host_port(c, *u, host);
	url_methods(c, *u, redacted);
	return 0;
}

/*
 * parseUrl S: Go's url.Parse as a record of url.URL's fields (.Scheme,
 * .Host, .Path, .RawQuery, ...) plus fields standing for its methods
 * without arguments (.Hostname .Port .String .Query .RequestURI
 * .EscapedPath .EscapedFragment .Redacted .IsAbs). The URL and its .User
 * (a *url.Userinfo: .Username, nil when absent) print as Go's String()
 * methods. A bad URL fails the render (dockerize exits).
 */
static int
fn_parse_url(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf q = {0};
	char err[256];
	const char *s;
	bool in_frag;
	int rc;

	s = argv[0].u.s.p;
	if (url_parse(c, s, ret, err, sizeof(err), &in_frag) < 0) {
		/* Go names the URL without its fragment, unless that failed. */
		gofmt_quote(&q, s, in_frag ? strlen(s) : strcspn(s, "#"),
		    false);
		rc = tmpl_call_fail(c, "unable to parse url %s: parse %s: %s",
		    s, q.data, err);
		buf_free(&q);
		return rc;
	}
	return 0;
}

/* isTrue S: true/1/yes/on (any case) and what ParseBool calls true. */
static int
fn_is_true(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf b = {0};
	bool v = false;

	funcs_lower(&b, argv[0].u.s.p, argv[0].u.s.len);
	if (b.data != NULL &&
	    (strcmp(b.data, "yes") == 0 || strcmp(b.data, "on") == 0))
		v = true;
	else if (b.data != NULL &&
		 funcs_parse_bool(b.data, b.len, &v) != FUNCS_OK)
		v = false;
	buf_free(&b);
	*ret = tval_bool(v);
	return 0;
}

/*
 * loop [START] STOP [STEP]: the ints START..STOP-1 (Go returns a channel
 * to range over; here a list, capped at LOOP_MAX elements).
 */
static int
fn_loop(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	int64_t v[3] = {0, 0, 1}, i, count = 0;
	size_t k;

	if (argc < 1 || argc > 3)
		return tmpl_call_fail(c,
		    "wrong number of arguments, expected 1-3, but got %zu",
		    argc);
	for (k = 0; k < argc; k++)
		v[argc == 1 ? 1 : k] = argv[k].u.i;
	*ret = tval_list_new(tmpl_call_arena(c));
	if (v[2] <= 0 && v[0] < v[1]) /* Go would loop forever */
		return tmpl_call_fail(c, "loop: more than %d elements",
		    LOOP_MAX);
	for (i = v[0]; i < v[1]; i += v[2]) {
		if (++count > LOOP_MAX)
			return tmpl_call_fail(c, "loop: more than %d elements",
			    LOOP_MAX);
		tval_list_push(tmpl_call_arena(c), *ret, tval_int(i));
		if (v[2] > 0 && i > INT64_MAX - v[2])
			break;
	}
	return 0;
}

const struct tmpl_func tmpl_funcs_dockerize[] = {
    {"default", 0, -1, fn_default, NULL, 0},
    {"exists", 1, 1, fn_exists, "s", 0},
    {"contains", 2, 2, fn_contains, "vs", 0},
    {"split", 2, 2, funcs_fn_split, "ss", 0},
    {"replace", 4, 4, funcs_fn_replace, "sssi", 0},
    {"parseUrl", 1, 1, fn_parse_url, "s", 0},
    {"atoi", 1, 1, funcs_fn_atoi, "s", 0},
    {"add", 2, 2, funcs_fn_int_op, "ii", '+'},
    {"isTrue", 1, 1, fn_is_true, "s", 0},
    {"lower", 1, 1, funcs_fn_str, "s", STR_LOWER},
    {"upper", 1, 1, funcs_fn_str, "s", STR_UPPER},
    {"loop", 1, 3, fn_loop, "iii", 0},
    {NULL, 0, 0, NULL, NULL, 0},
};
