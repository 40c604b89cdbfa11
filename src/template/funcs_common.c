/* Helpers shared by the dialect libraries: Go's strconv, strings, base64. */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include <jansson.h>
#include <mbedtls/base64.h>
#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>

#include "template/funcs_common.h"
#include "template/gofmt.h"

struct tval
funcs_str_buf(struct tmpl_call *c, struct buf *b)
{
	struct tval v;

	v = tval_str_copy(tmpl_call_arena(c), b->data ? b->data : "", b->len);
	buf_free(b);
	return v;
}

/* Compares s[0..n) with the C string lit. */
static bool
span_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

int
funcs_parse_bool(const char *s, size_t n, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true",
	    "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false",
	    "False"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (span_is(s, n, yes[i])) {
			*out = true;
			return FUNCS_OK;
		}
		if (span_is(s, n, no[i])) {
			*out = false;
			return FUNCS_OK;
		}
	}
	return FUNCS_ESYNTAX;
}

/* Parses decimal digits into *out; FUNCS_ERANGE past max. */
static int
parse_digits(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;
	int range = 0;

	if (n == 0)
		return FUNCS_ESYNTAX;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return FUNCS_ESYNTAX;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			range = 1;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return range ? FUNCS_ERANGE : FUNCS_OK;
}

int
funcs_parse_int(const char *s, size_t n, int64_t *out)
{
	uint64_t v;
	bool neg = false;
	int rc;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	rc = parse_digits(s, n, neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &v);
	if (rc != FUNCS_OK)
		return rc;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return FUNCS_OK;
}

int
funcs_parse_uint(const char *s, size_t n, uint64_t *out)
{
	return parse_digits(s, n, UINT64_MAX, out);
}

/* True when s[0..n) is a float Go's ParseFloat accepts (no underscores). */
static bool
float_syntax(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	bool hex = false;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (n - i == 3 && strncasecmp(s + i, "inf", 3) == 0)
		return true;
	if (n - i == 8 && strncasecmp(s + i, "infinity", 8) == 0)
		return true;
	if (n == 3 && strncasecmp(s, "nan", 3) == 0)
		return true;
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		hex = true;
		i += 2;
	}
	for (; i < n; i++) {
		if (hex ? isxdigit((unsigned char)s[i])
			: (s[i] >= '0' && s[i] <= '9'))
			digits++;
		else if (s[i] != '.')
			break;
	}
	if (digits == 0)
		return false;
	if (i < n && (hex ? (s[i] == 'p' || s[i] == 'P')
			  : (s[i] == 'e' || s[i] == 'E'))) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == n)
			return false;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
	} else if (hex) {
		return false; /* Go requires the p exponent */
	}
	return i == n;
}

/*
 * Go's underscoreOK: '_' only between digits, or between a base prefix and
 * a digit.
 */
static bool
underscore_ok(const char *s, size_t n)
{
	size_t i = 0;
	char saw = '^';
	bool hex = false;

	if (n >= 1 && (s[0] == '-' || s[0] == '+'))
		s++, n--;
	if (n >= 2 && s[0] == '0' && strchr("bBoOxX", s[1]) != NULL &&
	    s[1] != '\0') {
		i = 2;
		saw = '0';
		hex = (s[1] | 32) == 'x';
	}
	for (; i < n; i++) {
		if ((s[i] >= '0' && s[i] <= '9') ||
		    (hex && (s[i] | 32) >= 'a' && (s[i] | 32) <= 'f')) {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

int
funcs_parse_float(const char *s, size_t n, double *out)
{
	char *copy, *end;
	size_t i, k = 0;
	int dots = 0;

	if (memchr(s, '_', n) != NULL && !underscore_ok(s, n))
		return FUNCS_ESYNTAX;
	copy = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (s[i] != '_')
			copy[k++] = s[i];
		dots += s[i] == '.';
	}
	copy[k] = '\0';
	if (dots > 1 || !float_syntax(copy, k)) {
		free(copy);
		return FUNCS_ESYNTAX;
	}
	errno = 0;
	*out = strtod(copy, &end);
	free(copy);
	if (errno == ERANGE && isinf(*out))
		return FUNCS_ERANGE;
	return FUNCS_OK;
}

int
funcs_fail_strconv(struct tmpl_call *c, const char *prefix, const char *fn,
    const char *s, size_t n, int code)
{
	struct buf q = {0};
	int rc;

	gofmt_quote(&q, s, n, false);
	rc = tmpl_call_fail(c, "%s%sstrconv.%s: parsing %s: %s",
	    prefix ? prefix : "", prefix ? ": " : "", fn, q.data,
	    code == FUNCS_ERANGE ? "value out of range" : "invalid syntax");
	buf_free(&q);
	return rc;
}

void
funcs_base64_encode(struct buf *out, const char *s, size_t n, bool url)
{
	size_t olen = 0, cap = (n + 2) / 3 * 4 + 1, i;
	unsigned char *dst = xmalloc(cap);

	mbedtls_base64_encode(dst, cap, &olen, (const unsigned char *)s, n);
	if (url) {
		for (i = 0; i < olen; i++) {
			if (dst[i] == '+')
				dst[i] = '-';
			else if (dst[i] == '/')
				dst[i] = '_';
		}
	}
	buf_append(out, dst, olen);
	free(dst);
}

/* True when ch is in the alphabet (standard or URL-safe). */
static bool
b64_valid(unsigned char ch, bool url)
{
	if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9'))
		return true;
	return url ? (ch == '-' || ch == '_') : (ch == '+' || ch == '/');
}

/*
 * Walks s as Go's decoder does (its quantum loop), collecting the valid
 * characters in the standard alphabet into clean. Returns 0, or -1 with
 * the offset Go reports.
 */
static int
b64_scan(struct buf *clean, const char *s, size_t n, bool url, size_t *bad)
{
	size_t si = 0, j, k, q[4];
	unsigned char ch;

	while (si < n) {
		for (j = 0; j < 4; j++) {
			if (si == n) {
				if (j == 0)
					return 0;
				*bad = si - j;
				return -1;
			}
			ch = (unsigned char)s[si++];
			if (b64_valid(ch, url)) {
				q[j] = ch;
				continue;
			}
			if (ch == '\n' || ch == '\r') {
				j--;
				continue;
			}
			if (ch != '=' || j < 2) {
				*bad = si - 1;
				return -1;
			}
			if (j == 2) {
				while (
				    si < n && (s[si] == '\n' || s[si] == '\r'))
					si++;
				if (si == n) {
					*bad = n;
					return -1;
				}
				if (s[si] != '=') {
					*bad = si - 1;
					return -1;
				}
				si++;
			}
			while (si < n && (s[si] == '\n' || s[si] == '\r'))
				si++;
			if (si < n) {
				*bad = si;
				return -1;
			}
			break;
		}
		for (k = 0; k < 4; k++) {
			ch = k < j ? (unsigned char)q[k] : '=';
			if (ch == '-')
				ch = '+';
			else if (ch == '_')
				ch = '/';
			buf_append(clean, &ch, 1);
		}
	}
	return 0;
}

/* Clears the low bits Go ignores in a last quantum, for mbedtls. */
static void
b64_canon(struct buf *clean)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	char *p, *last;
	size_t v;

	if (clean->len < 4)
		return;
	last = clean->data + clean->len - 4;
	if (last[3] != '=')
		return;
	if (last[2] == '=') {
		p = strchr(tab, last[1]);
		v = (size_t)(p - tab) & 0x30;
		last[1] = tab[v];
	} else {
		p = strchr(tab, last[2]);
		v = (size_t)(p - tab) & 0x3c;
		last[2] = tab[v];
	}
}

int
funcs_base64_decode(struct buf *out, const char *s, size_t n, bool url,
    size_t *bad)
{
	struct buf clean = {0};
	unsigned char *dst;
	size_t olen = 0;
	int rc = -1;

	if (b64_scan(&clean, s, n, url, bad) < 0)
		goto out;
	rc = 0;
	if (clean.len == 0)
		goto out;
	b64_canon(&clean);
	dst = xmalloc(clean.len / 4 * 3 + 1);
	if (mbedtls_base64_decode(dst, clean.len / 4 * 3 + 1, &olen,
		(const unsigned char *)clean.data, clean.len) != 0) {
		*bad = 0;
		rc = -1;
	} else {
		buf_append(out, dst, olen);
	}
	free(dst);
out:
	buf_free(&clean);
	return rc;
}

/* Writes n bytes of d as lowercase hex into out (2n+1 bytes). */
static void
hex_encode(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void
funcs_sha256_hex(const char *s, size_t n, char *out)
{
	unsigned char d[32];

	mbedtls_sha256_ret((const unsigned char *)s, n, d, 0);
	hex_encode(d, sizeof(d), out);
}

void
funcs_md5_hex(const char *s, size_t n, char *out)
{
	unsigned char d[16];

	mbedtls_md5_ret((const unsigned char *)s, n, d);
	hex_encode(d, sizeof(d), out);
}

/*
 * Decodes one UTF-8 sequence of s[0..n) (n > 0) into *r; returns its
 * width. Invalid input decodes as U+FFFD of width 1, as Go does.
 */
static size_t
utf8_decode(const char *s, size_t n, uint32_t *r)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c, min;
	size_t w, i;

	*r = 0xfffd;
	if (p[0] < 0x80) {
		*r = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		w = 2, c = p[0] & 0x1f, min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		w = 3, c = p[0] & 0x0f, min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		w = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 1;
	}
	if (n < w)
		return 1;
	for (i = 1; i < w; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 1;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 1;
	*r = c;
	return w;
}

/* Appends the UTF-8 encoding of r. */
static void
utf8_put(struct buf *out, uint32_t r)
{
	unsigned char b[4];
	size_t n;

	if (r < 0x80) {
		b[0] = (unsigned char)r, n = 1;
	} else if (r < 0x800) {
		b[0] = 0xc0 | r >> 6, b[1] = 0x80 | (r & 0x3f), n = 2;
	} else if (r < 0x10000) {
		b[0] = 0xe0 | r >> 12, b[1] = 0x80 | (r >> 6 & 0x3f);
		b[2] = 0x80 | (r & 0x3f), n = 3;
	} else {
		b[0] = 0xf0 | r >> 18, b[1] = 0x80 | (r >> 12 & 0x3f);
		b[2] = 0x80 | (r >> 6 & 0x3f), b[3] = 0x80 | (r & 0x3f), n = 4;
	}
	buf_append(out, b, n);
}

/*
 * Returns a UTF-8 locale for Unicode case mapping, or 0 when none is
 * installed (then only ASCII letters change case).
 */
static locale_t
utf8_locale(void)
{
	static locale_t loc;
	static bool tried;

	if (!tried) {
		tried = true;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

/* Maps one rune: 'l' lower, 'u' upper, 't' title. */
static uint32_t
rune_case(uint32_t r, int how)
{
	locale_t loc;

	if (r < 0x80) {
		if (how == 'l' && r >= 'A' && r <= 'Z')
			return r + 32;
		if (how != 'l' && r >= 'a' && r <= 'z')
			return r - 32;
		return r;
	}
	loc = utf8_locale();
	if (loc == (locale_t)0 || r == 0xfffd)
		return r;
	return how == 'l' ? (uint32_t)towlower_l((wint_t)r, loc)
			  : (uint32_t)towupper_l((wint_t)r, loc);
}

/* Go's unicode.IsSpace. */
static bool
rune_space(uint32_t r)
{
	if (r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xa0)
		return true;
	return r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 ||
	       r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000;
}

/*
 * The word-break class x/text's title caser uses: 'c' a cased letter,
 * 'l' a letter-like rune that never breaks (digits, '_', uncased letters,
 * combining marks), 'm' a mid-word rune (' . : and kin), 'b' a break.
 */
static int
rune_title_class(uint32_t r)
{
	static const uint32_t mids[] = {'\'', '.', ':', 0xb7, 0x387, 0x2018,
	    0x2019, 0x2024, 0x2027, 0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e,
	    0xff1a};
	locale_t loc;
	size_t i;

	if (r < 0x80 && ((r | 32) >= 'a' && (r | 32) <= 'z'))
		return 'c';
	for (i = 0; i < sizeof(mids) / sizeof(mids[0]); i++) {
		if (r == mids[i])
			return 'm';
	}
	if ((r >= '0' && r <= '9') || r == '_' || (r >= 0x300 && r <= 0x36f) ||
	    r == 0x200d || r == 0xad)
		return 'l';
	if (r < 0x80 || r == 0xfffd)
		return 'b';
	loc = utf8_locale();
	if (loc != (locale_t)0 &&
	    (iswupper_l((wint_t)r, loc) || iswlower_l((wint_t)r, loc)))
		return 'c';
	if (loc != (locale_t)0 && iswalnum_l((wint_t)r, loc))
		return 'l';
	return 'b';
}

/*
 * strings.Map with rune_case(how), or for 't' x/text's title casing with
 * NoLower; invalid bytes become U+FFFD.
 */
static void
map_case(struct buf *out, const char *s, size_t n, int how)
{
	size_t i = 0, w;
	uint32_t r;
	bool mid_word = false, was_mid = false;
	int cls;

	while (i < n) {
		w = utf8_decode(s + i, n - i, &r);
		i += w;
		if (how != 't') {
			utf8_put(out, rune_case(r, how));
			continue;
		}
		cls = rune_title_class(r);
		if (was_mid && cls == 'm')
			mid_word = false; /* two mids break a word */
		was_mid = cls == 'm';
		if (cls == 'c' && !mid_word) {
			utf8_put(out, rune_case(r, 'u'));
			mid_word = true;
			continue;
		}
		if (cls == 'b')
			mid_word = false;
		utf8_put(out, r);
	}
}

void
funcs_lower(struct buf *out, const char *s, size_t n)
{
	map_case(out, s, n, 'l');
}

void
funcs_upper(struct buf *out, const char *s, size_t n)
{
	map_case(out, s, n, 'u');
}

void
funcs_title(struct buf *out, const char *s, size_t n)
{
	map_case(out, s, n, 't');
}

/* Returns the width of the UTF-8 sequence ending at s[n-1] and its rune. */
static size_t
utf8_last(const char *s, size_t n, uint32_t *r)
{
	size_t start = n - 1, lim = n > 4 ? n - 4 : 0;

	while (start > lim && ((unsigned char)s[start] & 0xc0) == 0x80)
		start--;
	if (utf8_decode(s + start, n - start, r) != n - start) {
		*r = 0xfffd;
		return 1;
	}
	return n - start;
}

const char *
funcs_trim_space(const char *s, size_t *n)
{
	uint32_t r;
	size_t w;

	while (*n > 0) {
		w = utf8_decode(s, *n, &r);
		if (!rune_space(r))
			break;
		s += w;
		*n -= w;
	}
	while (*n > 0) {
		w = utf8_last(s, *n, &r);
		if (!rune_space(r))
			break;
		*n -= w;
	}
	return s;
}

struct tval
funcs_split(struct tarena *a, const char *s, size_t n, const char *sep,
    size_t seplen)
{
	struct tval l = tval_list_new(a);
	const char *p, *start = s, *end = s + n;
	uint32_t r;
	size_t w;

	if (seplen == 0) {
		while (s < end) {
			w = utf8_decode(s, (size_t)(end - s), &r);
			tval_list_push(a, l, tval_str_copy(a, s, w));
			s += w;
		}
		return l;
	}
	while (
	    (size_t)(end - start) >= seplen &&
	    (p = memmem(start, (size_t)(end - start), sep, seplen)) != NULL) {
		tval_list_push(a, l,
		    tval_str_copy(a, start, (size_t)(p - start)));
		start = p + seplen;
	}
	tval_list_push(a, l, tval_str_copy(a, start, (size_t)(end - start)));
	return l;
}

/* Go's strings.Count. */
static size_t
count_sub(const char *s, size_t n, const char *sub, size_t sublen)
{
	size_t count = 0, w, i = 0;
	const char *p;
	uint32_t r;

	if (sublen == 0) {
		while (i < n) {
			w = utf8_decode(s + i, n - i, &r);
			i += w;
			count++;
		}
		return count + 1;
	}
	while (i + sublen <= n && (p = memmem(s + i, n - i, sub, sublen))) {
		count++;
		i = (size_t)(p - s) + sublen;
	}
	return count;
}

void
funcs_replace(struct buf *out, const char *s, size_t n, const char *old,
    size_t oldlen, const char *new, size_t newlen, int64_t count)
{
	size_t m, i = 0, k, w;
	const char *p;
	uint32_t r;

	m = count_sub(s, n, old, oldlen);
	if ((oldlen == newlen && memcmp(old, new, oldlen) == 0) || count == 0 ||
	    m == 0) {
		buf_append(out, s, n);
		return;
	}
	if (count < 0 || (uint64_t)count > m)
		count = (int64_t)m;
	for (k = 0; k < (size_t)count; k++) {
		if (oldlen == 0) {
			if (k > 0 && i < n) {
				w = utf8_decode(s + i, n - i, &r);
				buf_append(out, s + i, w);
				i += w;
			}
			buf_append(out, new, newlen);
			continue;
		}
		p = memmem(s + i, n - i, old, oldlen);
		buf_append(out, s + i, (size_t)(p - (s + i)));
		buf_append(out, new, newlen);
		i = (size_t)(p - s) + oldlen;
	}
	buf_append(out, s + i, n - i);
}

void
funcs_join(struct buf *out, struct tval list, const char *sep, size_t seplen)
{
	size_t i;

	for (i = 0; i < list.u.list->len; i++) {
		if (i > 0)
			buf_append(out, sep, seplen);
		buf_append(out, list.u.list->items[i].u.s.p,
		    list.u.list->items[i].u.s.len);
	}
}

void
funcs_path_clean(struct buf *out, const char *s, size_t n)
{
	bool rooted = n > 0 && s[0] == '/';
	size_t i = 0, start, len, dotdot, base;

	if (n == 0) {
		buf_puts(out, ".");
		return;
	}
	base = out->len;
	if (rooted) {
		buf_puts(out, "/");
		i = 1;
	}
	dotdot = out->len; /* ".." can't backtrack before this */
	while (i < n) {
		if (s[i] == '/') {
			i++;
			continue;
		}
		start = i;
		while (i < n && s[i] != '/')
			i++;
		len = i - start;
		if (len == 1 && s[start] == '.')
			continue;
		if (len == 2 && s[start] == '.' && s[start + 1] == '.') {
			if (out->len > dotdot) {
				while (out->len > dotdot &&
				       out->data[out->len - 1] != '/')
					out->len--;
				if (out->len > dotdot)
					out->len--;
				out->data[out->len] = '\0';
			} else if (!rooted) {
				if (out->len > base)
					buf_puts(out, "/");
				buf_puts(out, "..");
				dotdot = out->len;
			}
			continue;
		}
		if ((rooted && out->len != base + 1) ||
		    (!rooted && out->len != base))
			buf_puts(out, "/");
		buf_append(out, s + start, len);
	}
	if (out->len == base)
		buf_puts(out, ".");
}

void
funcs_path_base(struct buf *out, const char *s, size_t n)
{
	const char *p;

	if (n == 0) {
		buf_puts(out, ".");
		return;
	}
	while (n > 0 && s[n - 1] == '/')
		n--;
	if (n == 0) {
		buf_puts(out, "/");
		return;
	}
	p = memrchr(s, '/', n);
	if (p != NULL) {
		n -= (size_t)(p + 1 - s);
		s = p + 1;
	}
	buf_append(out, s, n);
}

void
funcs_path_dir(struct buf *out, const char *s, size_t n)
{
	const char *p = n > 0 ? memrchr(s, '/', n) : NULL;

	funcs_path_clean(out, s, p != NULL ? (size_t)(p + 1 - s) : 0);
}

/* Appends s as a Go encoding/json string (HTML-safe escaping). */
static void
jw_string(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, w;
	uint32_t r;
	unsigned char ch;

	buf_puts(out, "\"");
	while (i < n) {
		ch = (unsigned char)s[i];
		if (ch < 0x80) {
			i++;
			if (ch == '"' || ch == '\\') {
				buf_printf(out, "\\%c", ch);
			} else if (ch == '\n') {
				buf_puts(out, "\\n");
			} else if (ch == '\r') {
				buf_puts(out, "\\r");
			} else if (ch == '\t') {
				buf_puts(out, "\\t");
			} else if (ch == '\b') {
				buf_puts(out, "\\b");
			} else if (ch == '\f') {
				buf_puts(out, "\\f");
			} else if (ch < 0x20 || ch == '<' || ch == '>' ||
				   ch == '&') {
				buf_printf(out, "\\u00%c%c", hex[ch >> 4],
				    hex[ch & 0xf]);
			} else {
				buf_append(out, &ch, 1);
			}
			continue;
		}
		w = utf8_decode(s + i, n - i, &r);
		if (r == 0xfffd && w == 1)
			buf_puts(out, "\\ufffd");
		else if (r == 0x2028 || r == 0x2029)
			buf_printf(out, "\\u%04x", r);
		else
			buf_append(out, s + i, w);
		i += w;
	}
	buf_puts(out, "\"");
}

/* Appends f as Go's encoding/json formats a float64 (finite). */
static void
jw_float(struct buf *out, double f)
{
	char e[40], digits[20];
	int prec, exp, nd = 0, i;
	double abs = fabs(f), back;
	char *p;

	if (f == 0) {
		buf_puts(out, signbit(f) ? "-0" : "0");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, f);
		back = strtod(e, NULL);
		if (back == f)
			break;
	}
	/* e is [-]d[.ddd]e[+-]xx: take its digits and exponent. */
	for (p = e; *p != 'e'; p++) {
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	}
	exp = (int)strtol(p + 1, NULL, 10);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (f < 0)
		buf_puts(out, "-");
	if (abs < 1e-6 || abs >= 1e21) {
		buf_append(out, digits, 1);
		if (nd > 1) {
			buf_puts(out, ".");
			buf_append(out, digits + 1, (size_t)nd - 1);
		}
		buf_printf(out, "e%c%d", exp < 0 ? '-' : '+',
		    exp < 0 ? -exp : exp);
		return;
	}
	if (exp < 0) {
		buf_puts(out, "0.");
		for (i = exp + 1; i < 0; i++)
			buf_puts(out, "0");
		buf_append(out, digits, (size_t)nd);
		return;
	}
	for (i = 0; i <= exp; i++)
		buf_append(out, i < nd ? &digits[i] : "0", 1);
	if (nd > exp + 1) {
		buf_puts(out, ".");
		buf_append(out, digits + exp + 1, (size_t)(nd - exp - 1));
	}
}

/* Appends a newline and depth levels of two-space indent. */
static void
jw_indent(struct buf *out, int depth)
{
	int i;

	buf_puts(out, "\n");
	for (i = 0; i < depth; i++)
		buf_puts(out, "  ");
}

/* Writes v at nesting depth; see funcs_json_write(). */
static int
jw_value(struct buf *out, struct tval v, bool pretty, int depth, char *err,
    size_t errlen)
{
	struct tmap *m;
	size_t i, len;

	switch (v.kind) {
	case TV_NIL:
		buf_puts(out, "null");
		return 0;
	case TV_BOOL:
		buf_puts(out, v.u.b ? "true" : "false");
		return 0;
	case TV_INT:
		buf_printf(out, "%lld", (long long)v.u.i);
		return 0;
	case TV_FLOAT:
		if (!isfinite(v.u.f)) {
			snprintf(err, errlen, "json: unsupported value: %s",
			    isnan(v.u.f) ? "NaN"
					 : (v.u.f > 0 ? "+Inf" : "-Inf"));
			return -1;
		}
		jw_float(out, v.u.f);
		return 0;
	case TV_STRING:
		jw_string(out, v.u.s.p, v.u.s.len);
		return 0;
	case TV_LIST:
		len = v.u.list->len;
		buf_puts(out, "[");
		for (i = 0; i < len; i++) {
			if (i > 0)
				buf_puts(out, ",");
			if (pretty)
				jw_indent(out, depth + 1);
			if (jw_value(out, v.u.list->items[i], pretty, depth + 1,
				err, errlen) < 0)
				return -1;
		}
		if (pretty && len > 0)
			jw_indent(out, depth);
		buf_puts(out, "]");
		return 0;
	case TV_MAP:
	case TV_RECORD:
		m = v.u.map;
		buf_puts(out, "{");
		for (i = 0; i < m->len; i++) {
			if (i > 0)
				buf_puts(out, ",");
			if (pretty)
				jw_indent(out, depth + 1);
			jw_string(out, m->e[i].key, strlen(m->e[i].key));
			buf_puts(out, pretty ? ": " : ":");
			if (jw_value(out, m->e[i].val, pretty, depth + 1, err,
				errlen) < 0)
				return -1;
		}
		if (pretty && m->len > 0)
			jw_indent(out, depth);
		buf_puts(out, "}");
		return 0;
	}
	return 0;
}

int
funcs_json_write(struct buf *out, struct tval v, bool pretty, char *err,
    size_t errlen)
{
	return jw_value(out, v, pretty, 0, err, errlen);
}

/* Converts a jansson value into a template value of the arena. */
static struct tval
json_to_tval(struct tarena *a, json_t *j)
{
	struct tval v;
	const char *key;
	json_t *item;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		v = tval_map_new(a);
		json_object_foreach(j, key, item)
		    tval_map_set(a, v, key, json_to_tval(a, item));
		return v;
	case JSON_ARRAY:
		v = tval_list_new(a);
		json_array_foreach(j, i, item)
		    tval_list_push(a, v, json_to_tval(a, item));
		return v;
	case JSON_STRING:
		return tval_str_copy(a, json_string_value(j),
		    json_string_length(j));
	case JSON_INTEGER:
		return tval_float((double)json_integer_value(j));
	case JSON_REAL:
		return tval_float(json_real_value(j));
	case JSON_TRUE:
		return tval_bool(true);
	case JSON_FALSE:
		return tval_bool(false);
	case JSON_NULL:
		break;
	}
	return tval_nil();
}

int
funcs_json_parse(struct tarena *a, const char *s, size_t n, struct tval *out,
    char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *j;
	size_t len = n;

	funcs_trim_space(s, &len);
	if (len == 0) {
		snprintf(err, errlen, "unexpected end of JSON input");
		return -1;
	}
	errno = 0;
	j = json_loadb(s, n,
	    JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &jerr);
	/* jansson reports some failed allocations as syntax errors. */
	if (j == NULL && (errno == ENOMEM || json_error_code(&jerr) ==
						 json_error_out_of_memory)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (j == NULL) {
		snprintf(err, errlen, "invalid JSON: %s at line %d column %d",
		    jerr.text, jerr.line, jerr.column);
		return -1;
	}
	*out = json_to_tval(a, j);
	json_decref(j);
	return 0;
}

/* True when l[i..] starts with lit. */
static bool
at(const char *l, size_t n, size_t i, const char *lit)
{
	size_t k = strlen(lit);

	return n - i >= k && memcmp(l + i, lit, k) == 0;
}

/* Appends v zero- (pad '0') or space-padded to width digits. */
static void
put_num(struct buf *out, long v, int width, char pad)
{
	char tmp[24];
	int len = snprintf(tmp, sizeof(tmp), "%ld", v);

	for (; len < width; width--)
		buf_append(out, &pad, 1);
	buf_puts(out, tmp);
}

void
funcs_time_format(struct buf *out, const char *l, size_t n, const struct tm *tm,
    long nsec)
{
	static const char *const mon[] = {"January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December"};
	static const char *const day[] = {"Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday"};
	size_t i = 0, j, digits;
	int h12 = tm->tm_hour % 12 == 0 ? 12 : tm->tm_hour % 12;
	char frac[10], ch;

	while (i < n) {
		if (at(l, n, i, "January")) {
			buf_puts(out, mon[tm->tm_mon]), i += 7;
		} else if (at(l, n, i, "Jan") &&
			   !(i + 3 < n && l[i + 3] >= 'a' && l[i + 3] <= 'z')) {
			buf_append(out, mon[tm->tm_mon], 3), i += 3;
		} else if (at(l, n, i, "Monday")) {
			buf_puts(out, day[tm->tm_wday]), i += 6;
		} else if (at(l, n, i, "Mon") &&
			   !(i + 3 < n && l[i + 3] >= 'a' && l[i + 3] <= 'z')) {
			buf_append(out, day[tm->tm_wday], 3), i += 3;
		} else if (at(l, n, i, "MST")) {
			buf_puts(out, "UTC"), i += 3;
		} else if (at(l, n, i, "2006")) {
			put_num(out, tm->tm_year + 1900, 4, '0'), i += 4;
		} else if (at(l, n, i, "002")) {
			put_num(out, tm->tm_yday + 1, 3, '0'), i += 3;
		} else if (at(l, n, i, "01")) {
			put_num(out, tm->tm_mon + 1, 2, '0'), i += 2;
		} else if (at(l, n, i, "02")) {
			put_num(out, tm->tm_mday, 2, '0'), i += 2;
		} else if (at(l, n, i, "03")) {
			put_num(out, h12, 2, '0'), i += 2;
		} else if (at(l, n, i, "04")) {
			put_num(out, tm->tm_min, 2, '0'), i += 2;
		} else if (at(l, n, i, "05")) {
			put_num(out, tm->tm_sec, 2, '0'), i += 2;
		} else if (at(l, n, i, "06")) {
			put_num(out, (tm->tm_year + 1900) % 100, 2, '0'),
			    i += 2;
		} else if (at(l, n, i, "15")) {
			put_num(out, tm->tm_hour, 2, '0'), i += 2;
		} else if (at(l, n, i, "1")) {
			put_num(out, tm->tm_mon + 1, 1, '0'), i += 1;
		} else if (at(l, n, i, "__2")) {
			put_num(out, tm->tm_yday + 1, 3, ' '), i += 3;
		} else if (at(l, n, i, "_2006")) {
			buf_puts(out, "_"), i += 1; /* Go: "_" then year */
		} else if (at(l, n, i, "_2")) {
			put_num(out, tm->tm_mday, 2, ' '), i += 2;
		} else if (at(l, n, i, "2")) {
			put_num(out, tm->tm_mday, 1, '0'), i += 1;
		} else if (at(l, n, i, "3")) {
			put_num(out, h12, 1, '0'), i += 1;
		} else if (at(l, n, i, "4")) {
			put_num(out, tm->tm_min, 1, '0'), i += 1;
		} else if (at(l, n, i, "5")) {
			put_num(out, tm->tm_sec, 1, '0'), i += 1;
		} else if (at(l, n, i, "PM")) {
			buf_puts(out, tm->tm_hour >= 12 ? "PM" : "AM"), i += 2;
		} else if (at(l, n, i, "pm")) {
			buf_puts(out, tm->tm_hour >= 12 ? "pm" : "am"), i += 2;
		} else if (at(l, n, i, "Z070000") || at(l, n, i, "Z07:00:00")) {
			buf_puts(out, "Z"), i += l[i + 3] == ':' ? 9 : 7;
		} else if (at(l, n, i, "Z0700") || at(l, n, i, "Z07:00")) {
			buf_puts(out, "Z"), i += l[i + 3] == ':' ? 6 : 5;
		} else if (at(l, n, i, "Z07")) {
			buf_puts(out, "Z"), i += 3;
		} else if (at(l, n, i, "-070000")) {
			buf_puts(out, "+000000"), i += 7;
		} else if (at(l, n, i, "-07:00:00")) {
			buf_puts(out, "+00:00:00"), i += 9;
		} else if (at(l, n, i, "-0700")) {
			buf_puts(out, "+0000"), i += 5;
		} else if (at(l, n, i, "-07:00")) {
			buf_puts(out, "+00:00"), i += 6;
		} else if (at(l, n, i, "-07")) {
			buf_puts(out, "+00"), i += 3;
		} else if ((l[i] == '.' || l[i] == ',') && i + 1 < n &&
			   (l[i + 1] == '0' || l[i + 1] == '9')) {
			ch = l[i + 1];
			for (j = i + 1; j < n && l[j] == ch; j++)
				;
			if (j < n && l[j] >= '0' && l[j] <= '9') {
				buf_append(out, &l[i], 1), i++;
				continue;
			}
			digits = j - i - 1;
			if (digits > 9)
				digits = 9;
			snprintf(frac, sizeof(frac), "%09ld", nsec);
			if (ch == '9') {
				while (digits > 0 && frac[digits - 1] == '0')
					digits--;
			}
			if (digits > 0) {
				buf_append(out, &l[i], 1);
				buf_append(out, frac, digits);
			}
			i = j;
		} else {
			buf_append(out, &l[i], 1), i++;
		}
	}
}

/* Template functions that several dialects share, word for word. */

/* Appends Go's base64 StdEncoding of s[0..n). */
static void
b64_std(struct buf *out, const char *s, size_t n)
{
	funcs_base64_encode(out, s, n, false);
}

/* Appends Go's base64 URLEncoding of s[0..n). */
static void
b64_url(struct buf *out, const char *s, size_t n)
{
	funcs_base64_encode(out, s, n, true);
}

/* Appends the sha256 of s[0..n) in hex. */
static void
sha256_hex(struct buf *out, const char *s, size_t n)
{
	char hex[65];

	funcs_sha256_hex(s, n, hex);
	buf_append(out, hex, 64);
}

/* Appends the md5 of s[0..n) in hex. */
static void
md5_hex(struct buf *out, const char *s, size_t n)
{
	char hex[33];

	funcs_md5_hex(s, n, hex);
	buf_append(out, hex, 32);
}

/* The conversions of funcs_fn_str, by enum funcs_str_op. */
static void (*const str_ops[])(struct buf *, const char *, size_t) = {
    [STR_UPPER] = funcs_upper,
    [STR_LOWER] = funcs_lower,
    [STR_TITLE] = funcs_title,
    [STR_PATH_BASE] = funcs_path_base,
    [STR_PATH_DIR] = funcs_path_dir,
    [STR_BASE64] = b64_std,
    [STR_BASE64_URL] = b64_url,
    [STR_SHA256] = sha256_hex,
    [STR_MD5] = md5_hex,
};

int
funcs_fn_str(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf b = {0};

	str_ops[tmpl_call_op(c)](&b, argv[0].u.s.p, argv[0].u.s.len);
	*ret = funcs_str_buf(c, &b);
	return 0;
}

/* split S SEP: strings.Split. */
int
funcs_fn_split(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	*ret = funcs_split(tmpl_call_arena(c), argv[0].u.s.p, argv[0].u.s.len,
	    argv[1].u.s.p, argv[1].u.s.len);
	return 0;
}

/* replace S OLD NEW N: strings.Replace (N < 0: all). */
int
funcs_fn_replace(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf b = {0};

	funcs_replace(&b, argv[0].u.s.p, argv[0].u.s.len, argv[1].u.s.p,
	    argv[1].u.s.len, argv[2].u.s.p, argv[2].u.s.len, argv[3].u.i);
	*ret = funcs_str_buf(c, &b);
	return 0;
}

/* atoi S: strconv.Atoi. */
int
funcs_fn_atoi(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;
	int64_t i = 0;
	int rc;

	if ((rc = funcs_parse_int(s, n, &i)) != FUNCS_OK)
		return funcs_fail_strconv(c, NULL, "Atoi", s, n, rc);
	*ret = tval_int(i);
	return 0;
}

/* A B: Go's int arithmetic, wrapping; the op is '+' '-' '*' '/' '%'. */
int
funcs_fn_int_op(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	int64_t a = argv[0].u.i, b = argv[1].u.i;
	int op = tmpl_call_op(c);

	switch (op) {
	case '+':
		*ret = tval_int((int64_t)((uint64_t)a + (uint64_t)b));
		return 0;
	case '-':
		*ret = tval_int((int64_t)((uint64_t)a - (uint64_t)b));
		return 0;
	case '*':
		*ret = tval_int((int64_t)((uint64_t)a * (uint64_t)b));
		return 0;
	}
	if (b == 0)
		return tmpl_call_fail(c,
		    "runtime error: integer divide by zero");
	if (b == -1)
		*ret = tval_int(op == '/' ? (int64_t)(0 - (uint64_t)a) : 0);
	else
		*ret = tval_int(op == '/' ? a / b : a % b);
	return 0;
}

/* join SEP LIST (op 0, consul-template) or join LIST SEP (op 1, confd). */
int
funcs_fn_join(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	int sep = tmpl_call_op(c);
	struct buf b = {0};

	funcs_join(&b, argv[1 - sep], argv[sep].u.s.p, argv[sep].u.s.len);
	*ret = funcs_str_buf(c, &b);
	return 0;
}

int
funcs_fn_trim(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	int op = tmpl_call_op(c), si = (op & TRIM_S_FIRST) ? 0 : 1;
	const char *s = argv[si].u.s.p, *a = argv[1 - si].u.s.p;
	size_t n = argv[si].u.s.len, an = argv[1 - si].u.s.len;

	*ret = argv[si];
	if (an > n)
		return 0;
	if (!(op & TRIM_SUFFIX) && memcmp(s, a, an) == 0)
		*ret = tval_strn(s + an, n - an);
	else if ((op & TRIM_SUFFIX) && memcmp(s + n - an, a, an) == 0)
		*ret = tval_str_copy(tmpl_call_arena(c), s, n - an);
	return 0;
}

int
funcs_fn_base64_decode(struct tmpl_call *c, size_t argc,
    const struct tval *argv, struct tval *ret)
{
	int op = tmpl_call_op(c);
	struct buf b = {0};
	size_t bad;

	if (funcs_base64_decode(&b, argv[0].u.s.p, argv[0].u.s.len,
		op & B64_URL, &bad) < 0) {
		buf_free(&b);
		return tmpl_call_fail(c,
		    "%s%sillegal base64 data at input "
		    "byte %zu",
		    !(op & B64_NAMED) ? ""
		    : op & B64_URL    ? "base64URLDecode"
				      : "base64Decode",
		    op & B64_NAMED ? ": " : "", bad);
	}
	*ret = funcs_str_buf(c, &b);
	return 0;
}
