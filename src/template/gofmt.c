/* Go's fmt for template values: %v, Sprint, Sprintln and Sprintf. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/gofmt.h"

/* Flags, width and precision of one verb. */
struct spec {
	bool plus, minus, sharp, space, zero, plusv, sharpv;
	bool wid_p, prec_p;
	int wid, prec;
};

static int fmt_arg(struct buf *b, struct spec *sp, struct tval v, int verb,
    int depth);
static int fmt_gosyntax(struct buf *b, struct spec *sp, struct tval v,
    int depth);

/* Returns the number of UTF-8 runes in s[0..n) (bad bytes count one). */
static size_t
rune_count(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* Appends n copies of byte c. */
static int
put_n(struct buf *b, int c, size_t n)
{
	char tmp[64];
	size_t k;

	memset(tmp, c, sizeof(tmp));
	while (n > 0) {
		k = n < sizeof(tmp) ? n : sizeof(tmp);
		if (buf_append(b, tmp, k) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* Appends s padded to the width of sp, as fmt's pad(). */
static int
pad(struct buf *b, const struct spec *sp, const char *s, size_t n)
{
	size_t runes, w;

	if (!sp->wid_p || sp->wid <= 0)
		return buf_append(b, s, n);
	runes = rune_count(s, n);
	w = (size_t)sp->wid;
	if (runes >= w)
		return buf_append(b, s, n);
	if (sp->minus) {
		if (buf_append(b, s, n) < 0)
			return -1;
		return put_n(b, ' ', w - runes);
	}
	if (put_n(b, sp->zero ? '0' : ' ', w - runes) < 0)
		return -1;
	return buf_append(b, s, n);
}

/* Appends s, a C string, padded. */
static int
pads(struct buf *b, const struct spec *sp, const char *s)
{
	return pad(b, sp, s, strlen(s));
}

/* Encodes rune r as UTF-8 into out (4 bytes); returns the length. */
static size_t
utf8_encode(char *out, int64_t r)
{
	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xC0 | (r >> 6));
		out[1] = (char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xE0 | (r >> 12));
		out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		out[2] = (char)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (r >> 18));
	out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	out[3] = (char)(0x80 | (r & 0x3F));
	return 4;
}

/* Decodes one rune at s[0..n); sets *len (1 for a bad byte, rune -1). */
static int32_t
utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	int32_t r;
	size_t need, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 1;
		r = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 2;
		r = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 3;
		r = s[0] & 0x07;
	} else {
		return -1;
	}
	if (n < need + 1)
		return -1;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		r = (r << 6) | (s[i] & 0x3F);
	}
	if ((need == 2 && (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF))) ||
	    (need == 3 && (r < 0x10000 || r > 0x10FFFF)))
		return -1;
	*len = need + 1;
	return r;
}

/* Appends the escape of rune r inside quotes q, as strconv does. */
static int
quote_rune_into(struct buf *b, int32_t r, size_t rlen, const char *raw, int q,
    bool ascii)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];

	if (r == q || r == '\\') {
		tmp[0] = '\\';
		tmp[1] = (char)r;
		return buf_append(b, tmp, 2);
	}
	if (r >= 0x20 && r < 0x7F)
		return buf_append(b, raw, 1);
	if (r >= 0x80 && !ascii)
		return buf_append(b, raw, rlen);
	switch (r) {
	case '\a':
		return buf_puts(b, "\\a");
	case '\b':
		return buf_puts(b, "\\b");
	case '\f':
		return buf_puts(b, "\\f");
	case '\n':
		return buf_puts(b, "\\n");
	case '\r':
		return buf_puts(b, "\\r");
	case '\t':
		return buf_puts(b, "\\t");
	case '\v':
		return buf_puts(b, "\\v");
	}
	if (r < 0) {
		/* raw holds the bad byte. */
		tmp[0] = '\\';
		tmp[1] = 'x';
		tmp[2] = hex[(unsigned char)raw[0] >> 4];
		tmp[3] = hex[(unsigned char)raw[0] & 0xF];
		return buf_append(b, tmp, 4);
	}
	if (r < 0x80)
		return buf_printf(b, "\\x%02x", (unsigned)r);
	if (r < 0x10000)
		return buf_printf(b, "\\u%04x", (unsigned)r);
	return buf_printf(b, "\\U%08x", (unsigned)r);
}

int
gofmt_quote(struct buf *b, const char *s, size_t n, bool ascii)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len;
	int32_t r;

	if (buf_append(b, "\"", 1) < 0)
		return -1;
	for (i = 0; i < n; i += len) {
		r = utf8_decode(u + i, n - i, &len);
		if (quote_rune_into(b, r, len, s + i, '"', ascii) < 0)
			return -1;
	}
	return buf_append(b, "\"", 1);
}

/* Returns whether s can be written between backquotes (strconv). */
static bool
can_backquote(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len;
	int32_t r;

	for (i = 0; i < n; i += len) {
		r = utf8_decode(u + i, n - i, &len);
		if (r < 0 || r == 0xFEFF || r == '`' || r == 0x7F ||
		    (r < ' ' && r != '\t'))
			return false;
	}
	return true;
}

/* Splits f into shortest round-trip digits; returns the count, sets *exp. */
static int
shortest_digits(double f, char *digits, int *exp)
{
	char tmp[40], *e;
	int p, nd = 0;
	size_t i;

	for (p = 0; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	/* tmp is "d.ddde+XX" (f is finite and positive here). */
	for (i = 0; tmp[i] != 'e' && tmp[i] != '\0'; i++)
		if (tmp[i] >= '0' && tmp[i] <= '9')
			digits[nd++] = tmp[i];
	e = tmp + i;
	*exp = *e == 'e' ? (int)strtol(e + 1, NULL, 10) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	return nd;
}

/* Appends an exponent as Go does: e+06, e-10, e+100. */
static int
put_exp(struct buf *b, int e, int upper)
{
	return buf_printf(b, "%c%c%02d", upper ? 'E' : 'e', e < 0 ? '-' : '+',
	    e < 0 ? -e : e);
}

/* Appends |f| (finite) as strconv 'g' with the shortest precision. */
static int
float_g_abs(struct buf *b, double f, int upper)
{
	char d[24];
	int nd, x, i;

	if (f == 0)
		return buf_puts(b, "0");
	nd = shortest_digits(f, d, &x);
	if (x < -4 || x >= 6) {
		if (buf_append(b, d, 1) < 0)
			return -1;
		if (nd > 1 && (buf_puts(b, ".") < 0 ||
				  buf_append(b, d + 1, (size_t)nd - 1) < 0))
			return -1;
		return put_exp(b, x, upper);
	}
	if (x < 0) {
		if (buf_puts(b, "0.") < 0 ||
		    put_n(b, '0', (size_t)(-x - 1)) < 0)
			return -1;
		return buf_append(b, d, (size_t)nd);
	}
	for (i = 0; i <= x; i++)
		if (buf_append(b, i < nd ? &d[i] : "0", 1) < 0)
			return -1;
	if (nd > x + 1) {
		if (buf_puts(b, ".") < 0 ||
		    buf_append(b, d + x + 1, (size_t)(nd - x - 1)) < 0)
			return -1;
	}
	return 0;
}

int
gofmt_float_shortest(struct buf *b, double f)
{
	if (isnan(f))
		return buf_puts(b, "NaN");
	if (isinf(f))
		return buf_puts(b, f > 0 ? "+Inf" : "-Inf");
	if (signbit(f) && buf_puts(b, "-") < 0)
		return -1;
	return float_g_abs(b, fabs(f), 0);
}

/* Appends f with C's printf for verb e E f g G, always signed. */
static void
c_float(struct buf *b, double f, int verb, bool sharp, int prec)
{
	switch (verb) {
	case 'e':
		buf_printf(b, sharp ? "%+#.*e" : "%+.*e", prec, f);
		break;
	case 'E':
		buf_printf(b, sharp ? "%+#.*E" : "%+.*E", prec, f);
		break;
	case 'f':
		buf_printf(b, sharp ? "%+#.*f" : "%+.*f", prec, f);
		break;
	case 'g':
		buf_printf(b, sharp ? "%+#.*g" : "%+.*g", prec, f);
		break;
	default:
		buf_printf(b, sharp ? "%+#.*G" : "%+.*G", prec, f);
		break;
	}
}

/* Appends |f| as strconv's 'x' format, shortest: 0x1.8p+01. */
static void
hex_float(struct buf *b, double f, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	uint64_t mant;
	int e, n;
	char frac[16];

	if (f == 0) {
		buf_puts(b, upper ? "0X0P+00" : "0x0p+00");
		return;
	}
	mant = (uint64_t)ldexp(frexp(f, &e), 53); /* 1.xxx: bit 52 set */
	e--;
	while (mant < ((uint64_t)1 << 52)) { /* subnormals */
		mant <<= 1;
		e--;
	}
	mant &= ((uint64_t)1 << 52) - 1;
	for (n = 0; n < 13; n++)
		frac[n] = digits[(mant >> (48 - 4 * n)) & 0xF];
	while (n > 0 && frac[n - 1] == '0')
		n--;
	buf_puts(b, upper ? "0X1" : "0x1");
	if (n > 0) {
		buf_puts(b, ".");
		buf_append(b, frac, (size_t)n);
	}
	buf_printf(b, "%c%c%02d", upper ? 'P' : 'p', e < 0 ? '-' : '+',
	    e < 0 ? -e : e);
}

/*
 * %#g without a precision: Go keeps a decimal point and pads the shortest
 * digits with zeros to 6 significant ones ("1.00000e+06", "123456.").
 */
static void
sharp_g(struct buf *num)
{
	char tail[16] = "", *e;
	size_t i;
	int digits = 6;
	bool point = false, nonzero = false;

	e = strpbrk(num->data, "eE");
	if (e != NULL) {
		snprintf(tail, sizeof(tail), "%s", e);
		num->len = (size_t)(e - num->data);
		num->data[num->len] = '\0';
	}
	for (i = 1; i < num->len; i++) {
		if (num->data[i] == '.') {
			point = true;
			continue;
		}
		if (num->data[i] != '0')
			nonzero = true;
		if (nonzero)
			digits--;
	}
	if (!point) {
		if (num->len == 2 && num->data[1] == '0')
			digits--;
		buf_puts(num, ".");
	}
	for (; digits > 0; digits--)
		buf_puts(num, "0");
	buf_puts(num, tail);
}

/* Formats a float for verb with sp, as fmt's fmtFloat. */
static int
fmt_float(struct buf *b, struct spec *sp, double f, int verb)
{
	struct buf num = {0};
	char *p;
	int rc = -1, upper = verb == 'E' || verb == 'G', lower;
	bool zero;

	lower = verb == 'v' ? 'g' : verb == 'F' ? 'f' : verb | 0x20;
	if (isnan(f)) {
		buf_puts(&num, "+NaN");
	} else if (isinf(f)) {
		buf_puts(&num, f > 0 ? "+Inf" : "-Inf");
	} else if (lower == 'x') {
		buf_puts(&num, signbit(f) ? "-" : "+");
		hex_float(&num, fabs(f), upper || verb == 'X');
	} else if (lower == 'g' && !sp->prec_p) {
		buf_puts(&num, signbit(f) ? "-" : "+");
		float_g_abs(&num, fabs(f), upper);
		if (sp->sharp)
			sharp_g(&num);
	} else {
		c_float(&num, f, upper ? lower - 0x20 : lower, sp->sharp,
		    sp->prec_p ? sp->prec : 6);
	}
	if (num.data == NULL)
		goto out;
	if (sp->space && num.data[0] == '+' && !sp->plus)
		num.data[0] = ' ';
	if (num.data[1] == 'I' || num.data[1] == 'N') {
		zero = sp->zero;
		sp->zero = false;
		p = num.data;
		if (p[1] == 'N' && !sp->space && !sp->plus)
			p++;
		rc = pads(b, sp, p);
		sp->zero = zero;
		goto out;
	}
	if (sp->plus || num.data[0] != '+') {
		if (sp->zero && sp->wid_p && (size_t)sp->wid > num.len) {
			if (buf_append(b, num.data, 1) < 0 ||
			    put_n(b, '0', (size_t)sp->wid - num.len) < 0)
				goto out;
			rc = buf_append(b, num.data + 1, num.len - 1);
			goto out;
		}
		rc = pad(b, sp, num.data, num.len);
		goto out;
	}
	rc = pad(b, sp, num.data + 1, num.len - 1);
out:
	buf_free(&num);
	return rc;
}

/* Formats an integer in base, as fmt's fmtInteger. */
static int
fmt_int(struct buf *b, struct spec *sp, int64_t v, int base, int verb)
{
	const char *digits =
	    verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char small[200], *tmp = small;
	size_t size = sizeof(small), i;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	bool neg = v < 0, zero;
	int prec = 0, rc;

	if (sp->prec_p) {
		prec = sp->prec;
		if (prec == 0 && u == 0) {
			zero = sp->zero;
			sp->zero = false;
			rc = pad(b, sp, "", 0);
			sp->zero = zero;
			return rc;
		}
	} else if (sp->zero && sp->wid_p) {
		prec = sp->wid;
		if (neg || sp->plus || sp->space)
			prec--;
	}
	/* Digits (up to 64), zero padding to prec, prefix and sign. */
	if ((size_t)prec + 70 > size) {
		size = (size_t)prec + 70;
		tmp = xmalloc(size);
	}
	i = size;
	do {
		tmp[--i] = digits[u % (uint64_t)base];
		u /= (uint64_t)base;
	} while (u > 0);
	while (i > 0 && prec > (int)(size - i))
		tmp[--i] = '0';
	if (sp->sharp) {
		if (base == 2) {
			tmp[--i] = 'b';
			tmp[--i] = '0';
		} else if (base == 8 && tmp[i] != '0') {
			tmp[--i] = '0';
		} else if (base == 16) {
			tmp[--i] = (char)(verb == 'X' ? 'X' : 'x');
			tmp[--i] = '0';
		}
	}
	if (verb == 'O') {
		tmp[--i] = 'o';
		tmp[--i] = '0';
	}
	if (neg)
		tmp[--i] = '-';
	else if (sp->plus)
		tmp[--i] = '+';
	else if (sp->space)
		tmp[--i] = ' ';
	zero = sp->zero;
	sp->zero = false;
	rc = pad(b, sp, tmp + i, size - i);
	sp->zero = zero;
	if (tmp != small)
		free(tmp);
	return rc;
}

/* Formats an int as a quoted rune ('a'), as strconv.QuoteRune. */
static int
fmt_qrune(struct buf *b, struct spec *sp, int64_t r)
{
	struct buf t = {0};
	char enc[4];
	size_t n;
	int rc;

	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	n = utf8_encode(enc, r);
	buf_puts(&t, "'");
	quote_rune_into(&t, (int32_t)r, n, enc, '\'', sp->plus);
	buf_puts(&t, "'");
	rc = pad(b, sp, t.data, t.len);
	buf_free(&t);
	return rc;
}

/* Formats the bytes of a string in hex, as fmt's fmtSbx. */
static int
fmt_hexstr(struct buf *b, struct spec *sp, const char *s, size_t n, int verb)
{
	const char *digits =
	    verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	struct buf t = {0};
	size_t i;
	int rc;

	if (sp->prec_p && (size_t)sp->prec < n)
		n = (size_t)sp->prec;
	if (sp->sharp)
		buf_printf(&t, "0%c", verb);
	for (i = 0; i < n; i++) {
		if (sp->space && i > 0) {
			buf_puts(&t, " ");
			if (sp->sharp)
				buf_printf(&t, "0%c", verb);
		}
		buf_printf(&t, "%c%c", digits[(unsigned char)s[i] >> 4],
		    digits[(unsigned char)s[i] & 0xF]);
	}
	if (n == 0)
		t.len = 0;
	rc = pad(b, sp, t.data ? t.data : "", t.len);
	buf_free(&t);
	return rc;
}

/* Writes %!verb(type=value), as fmt's badVerb. */
static int
bad_verb(struct buf *b, struct spec *sp, struct tval v, int verb, int depth)
{
	char enc[4];

	if (buf_puts(b, "%!") < 0 ||
	    buf_append(b, enc, utf8_encode(enc, verb)) < 0 ||
	    buf_puts(b, "(") < 0)
		return -1;
	if (v.kind == TV_NIL) {
		if (buf_puts(b, "<nil>") < 0)
			return -1;
	} else if (buf_puts(b, tval_type(v)) < 0 || buf_puts(b, "=") < 0 ||
		   fmt_arg(b, sp, v, 'v', depth) < 0) {
		return -1;
	}
	return buf_puts(b, ")");
}

/* Formats a string for verb. */
static int
fmt_string(struct buf *b, struct spec *sp, struct tval v, int verb, int depth)
{
	const char *s = v.u.s.p;
	size_t n = v.u.s.len, i, runes, len;
	struct buf t = {0};
	int rc;

	switch (verb) {
	case 'v':
	case 's':
	case 'q':
		if (sp->prec_p) {
			for (i = 0, runes = 0;
			     i < n && runes < (size_t)sp->prec;
			     i += len, runes++)
				utf8_decode((const unsigned char *)s + i, n - i,
				    &len);
			n = i;
		}
		if (verb != 'q')
			return pad(b, sp, s, n);
		if (sp->sharp && can_backquote(s, n)) {
			buf_puts(&t, "`");
			buf_append(&t, s, n);
			buf_puts(&t, "`");
		} else {
			gofmt_quote(&t, s, n, sp->plus);
		}
		rc = pad(b, sp, t.data, t.len);
		buf_free(&t);
		return rc;
	case 'x':
	case 'X':
		return fmt_hexstr(b, sp, s, n, verb);
	}
	return bad_verb(b, sp, v, verb, depth);
}

/* Formats an int for verb. */
static int
fmt_intval(struct buf *b, struct spec *sp, struct tval v, int verb, int depth)
{
	char enc[8];
	struct buf t = {0};
	int rc;

	switch (verb) {
	case 'v':
	case 'd':
		return fmt_int(b, sp, v.u.i, 10, verb);
	case 'b':
		return fmt_int(b, sp, v.u.i, 2, verb);
	case 'o':
	case 'O':
		return fmt_int(b, sp, v.u.i, 8, verb);
	case 'x':
	case 'X':
		return fmt_int(b, sp, v.u.i, 16, verb);
	case 'c':
		return pad(b, sp, enc, utf8_encode(enc, v.u.i));
	case 'q':
		return fmt_qrune(b, sp, v.u.i);
	case 'U':
		if (v.u.i < 0)
			buf_printf(&t, "U+%llX",
			    (unsigned long long)(uint64_t)v.u.i);
		else
			buf_printf(&t, "U+%04llX", (unsigned long long)v.u.i);
		if (sp->sharp && v.u.i >= 0 && v.u.i <= 0x10FFFF &&
		    v.u.i >= ' ') {
			buf_puts(&t, " '");
			buf_append(&t, enc, utf8_encode(enc, v.u.i));
			buf_puts(&t, "'");
		}
		rc = pad(b, sp, t.data, t.len);
		buf_free(&t);
		return rc;
	}
	return bad_verb(b, sp, v, verb, depth);
}

/* Formats a list, map or record element by element. */
static int
fmt_compound(struct buf *b, struct spec *sp, struct tval v, int verb, int depth)
{
	const struct tmap *m;
	struct tval key;
	size_t i;

	if (v.kind == TV_LIST) {
		if (buf_puts(b, "[") < 0)
			return -1;
		for (i = 0; i < v.u.list->len; i++) {
			if (i > 0 && buf_puts(b, " ") < 0)
				return -1;
			if (fmt_arg(b, sp, v.u.list->items[i], verb,
				depth + 1) < 0)
				return -1;
		}
		return buf_puts(b, "]");
	}
	m = v.u.map;
	if (buf_puts(b, v.kind == TV_MAP ? "map[" : "{") < 0)
		return -1;
	for (i = 0; i < m->len; i++) {
		if (i > 0 && buf_puts(b, " ") < 0)
			return -1;
		if (v.kind == TV_MAP) {
			key = tval_str(m->e[i].key);
			if (fmt_arg(b, sp, key, verb, depth + 1) < 0 ||
			    buf_puts(b, ":") < 0)
				return -1;
		} else if (sp->plusv) {
			if (buf_puts(b, m->e[i].key) < 0 ||
			    buf_puts(b, ":") < 0)
				return -1;
		}
		if (fmt_arg(b, sp, m->e[i].val, verb, depth + 1) < 0)
			return -1;
	}
	return buf_puts(b, v.kind == TV_MAP ? "]" : "}");
}

/* Formats v as Go syntax (%#v). */
static int
fmt_gosyntax(struct buf *b, struct spec *sp, struct tval v, int depth)
{
	const struct tmap *m;
	struct buf t = {0};
	size_t i;
	int rc;

	switch (v.kind) {
	case TV_NIL:
		return pads(b, sp, depth > 0 ? "interface {}(nil)" : "<nil>");
	case TV_STRING:
		gofmt_quote(&t, v.u.s.p, v.u.s.len, false);
		rc = pad(b, sp, t.data, t.len);
		buf_free(&t);
		return rc;
	case TV_LIST:
		if (depth > 64 || buf_puts(b, "[]interface {}{") < 0)
			return -1;
		for (i = 0; i < v.u.list->len; i++)
			if ((i > 0 && buf_puts(b, ", ") < 0) ||
			    fmt_gosyntax(b, sp, v.u.list->items[i], depth + 1) <
				0)
				return -1;
		return buf_puts(b, "}");
	case TV_MAP:
	case TV_RECORD:
		m = v.u.map;
		if (depth > 64 || buf_puts(b, tval_type(v)) < 0 ||
		    buf_puts(b, "{") < 0)
			return -1;
		for (i = 0; i < m->len; i++) {
			if (i > 0 && buf_puts(b, ", ") < 0)
				return -1;
			if (v.kind == TV_MAP) {
				if (gofmt_quote(b, m->e[i].key,
					strlen(m->e[i].key), false) < 0)
					return -1;
			} else if (buf_puts(b, m->e[i].key) < 0) {
				return -1;
			}
			if (buf_puts(b, ":") < 0 ||
			    fmt_gosyntax(b, sp, m->e[i].val, depth + 1) < 0)
				return -1;
		}
		return buf_puts(b, "}");
	default:
		sp->sharpv = false;
		rc = fmt_arg(b, sp, v, 'v', depth);
		sp->sharpv = true;
		return rc;
	}
}

/* Formats one argument for verb, as fmt's printArg/printValue. */
static int
fmt_arg(struct buf *b, struct spec *sp, struct tval v, int verb, int depth)
{
	if (verb == 'T')
		return pads(b, sp, v.kind == TV_NIL ? "<nil>" : tval_type(v));
	if (verb == 'v' && sp->sharpv)
		return fmt_gosyntax(b, sp, v, depth);
	/* A Stringer, as fmt's handleMethods. */
	if (v.kind == TV_RECORD && v.u.map->str != NULL &&
	    strchr("vsqxX", verb) != NULL)
		return fmt_string(b, sp,
		    tval_strn(v.u.map->str, v.u.map->str_len), verb, depth);
	switch (v.kind) {
	case TV_NIL:
		if (verb == 'v' || depth > 0)
			return pads(b, sp, "<nil>");
		return bad_verb(b, sp, v, verb, depth);
	case TV_BOOL:
		if (verb == 'v' || verb == 't')
			return pads(b, sp, v.u.b ? "true" : "false");
		return bad_verb(b, sp, v, verb, depth);
	case TV_INT:
		return fmt_intval(b, sp, v, verb, depth);
	case TV_FLOAT:
		if (strchr("veEfFgGxX", verb) != NULL)
			return fmt_float(b, sp, v.u.f, verb);
		return bad_verb(b, sp, v, verb, depth);
	case TV_STRING:
		return fmt_string(b, sp, v, verb, depth);
	case TV_LIST:
	case TV_MAP:
	case TV_RECORD:
		if (depth > 64)
			return buf_puts(b, "...");
		return fmt_compound(b, sp, v, verb, depth);
	}
	return 0;
}

int
gofmt_value(struct buf *b, struct tval v, int verb, unsigned flags)
{
	struct spec sp = {0};

	sp.plusv = (flags & GOFMT_PLUS) != 0;
	return fmt_arg(b, &sp, v, verb, 0);
}

int
gofmt_print(struct buf *b, size_t argc, const struct tval *argv)
{
	struct spec sp = {0};
	bool prev_str = false, is_str;
	size_t i;

	for (i = 0; i < argc; i++) {
		is_str = argv[i].kind == TV_STRING;
		if (i > 0 && !is_str && !prev_str && buf_puts(b, " ") < 0)
			return -1;
		if (fmt_arg(b, &sp, argv[i], 'v', 0) < 0)
			return -1;
		prev_str = is_str;
	}
	return 0;
}

int
gofmt_println(struct buf *b, size_t argc, const struct tval *argv)
{
	struct spec sp = {0};
	size_t i;

	for (i = 0; i < argc; i++) {
		if (i > 0 && buf_puts(b, " ") < 0)
			return -1;
		if (fmt_arg(b, &sp, argv[i], 'v', 0) < 0)
			return -1;
	}
	return buf_puts(b, "\n");
}

/* Parses a decimal number at f[*i..n); false when none or too large. */
static bool
parse_num(const char *f, size_t n, size_t *i, int *out)
{
	bool any = false;

	*out = 0;
	while (*i < n && f[*i] >= '0' && f[*i] <= '9') {
		if (*out > 1000000)
			return false;
		*out = *out * 10 + (f[*i] - '0');
		any = true;
		(*i)++;
	}
	return any;
}

/*
 * Parses an explicit argument index "[n]" at f[*i], as fmt's argNumber:
 * sets *argn, *reordered, and *good = false for a bad index. Returns
 * whether an index was there.
 */
static bool
arg_index(const char *f, size_t n, size_t *i, size_t argc, size_t *argn,
    bool *reordered, bool *good)
{
	size_t k, j;
	int idx;

	if (*i >= n || f[*i] != '[')
		return false;
	*reordered = true;
	if (n - *i < 3) {
		(*i)++;
		*good = false;
		return false;
	}
	for (k = *i + 1; k < n; k++) {
		if (f[k] != ']')
			continue;
		j = *i + 1;
		if (!parse_num(f, k, &j, &idx) || j != k) {
			*i = k + 1;
			*good = false;
			return false;
		}
		*i = k + 1;
		if (idx >= 1 && (size_t)idx - 1 < argc) {
			*argn = (size_t)idx - 1;
			return true;
		}
		*good = false;
		return true;
	}
	(*i)++;
	*good = false;
	return false;
}

/* Takes an int argument for '*'; false when it is not one. */
static bool
int_arg(size_t argc, const struct tval *argv, size_t *argn, int *out)
{
	*out = 0;
	if (*argn >= argc)
		return false;
	(*argn)++;
	if (argv[*argn - 1].kind != TV_INT)
		return false;
	if (argv[*argn - 1].u.i > 1000000 || argv[*argn - 1].u.i < -1000000)
		return false;
	*out = (int)argv[*argn - 1].u.i;
	return true;
}

int
gofmt_printf(struct buf *b, const char *f, size_t n, size_t argc,
    const struct tval *argv)
{
	struct spec sp;
	size_t i = 0, last, argn = 0, rlen;
	bool reordered = false, good, after;
	int32_t verb;
	char enc[4];

	while (i < n) {
		last = i;
		while (i < n && f[i] != '%')
			i++;
		if (i > last && buf_append(b, f + last, i - last) < 0)
			return -1;
		if (i >= n)
			break;
		i++;
		memset(&sp, 0, sizeof(sp));
		for (; i < n; i++) {
			if (f[i] == '#')
				sp.sharp = true;
			else if (f[i] == '0')
				sp.zero = !sp.minus;
			else if (f[i] == '+')
				sp.plus = true;
			else if (f[i] == '-') {
				sp.minus = true;
				sp.zero = false;
			} else if (f[i] == ' ')
				sp.space = true;
			else
				break;
		}
		good = true;
		after = arg_index(f, n, &i, argc, &argn, &reordered, &good);
		if (i < n && f[i] == '*') {
			i++;
			after = false;
			sp.wid_p = int_arg(argc, argv, &argn, &sp.wid);
			if (!sp.wid_p && buf_puts(b, "%!(BADWIDTH)") < 0)
				return -1;
			if (sp.wid < 0) {
				sp.wid = -sp.wid;
				sp.minus = true;
				sp.zero = false;
			}
		} else {
			sp.wid_p = parse_num(f, n, &i, &sp.wid);
			if (after && sp.wid_p)
				good = false;
		}
		if (i + 1 < n && f[i] == '.') {
			i++;
			if (after)
				good = false;
			after =
			    arg_index(f, n, &i, argc, &argn, &reordered, &good);
			if (i < n && f[i] == '*') {
				i++;
				after = false;
				sp.prec_p =
				    int_arg(argc, argv, &argn, &sp.prec);
				if (sp.prec < 0) {
					sp.prec = 0;
					sp.prec_p = false;
				}
				if (!sp.prec_p &&
				    buf_puts(b, "%!(BADPREC)") < 0)
					return -1;
			} else {
				if (!parse_num(f, n, &i, &sp.prec))
					sp.prec = 0;
				sp.prec_p = true;
			}
		}
		if (!after)
			(void)arg_index(f, n, &i, argc, &argn, &reordered,
			    &good);
		if (i >= n)
			return buf_puts(b, "%!(NOVERB)");
		verb = utf8_decode((const unsigned char *)f + i, n - i, &rlen);
		if (verb < 0)
			verb = 0xFFFD;
		i += rlen;
		if (verb == '%') {
			if (buf_puts(b, "%") < 0)
				return -1;
			continue;
		}
		if (!good || argn >= argc) {
			if (buf_puts(b, "%!") < 0 ||
			    buf_append(b, enc, utf8_encode(enc, verb)) < 0 ||
			    buf_puts(b, good ? "(MISSING)" : "(BADINDEX)") < 0)
				return -1;
			continue;
		}
		if (verb == 'v') {
			sp.plusv = sp.plus;
			sp.plus = false;
			sp.sharpv = sp.sharp;
			sp.sharp = false;
		}
		if (fmt_arg(b, &sp, argv[argn++], verb, 0) < 0)
			return -1;
	}
	if (!reordered && argn < argc) {
		memset(&sp, 0, sizeof(sp));
		if (buf_puts(b, "%!(EXTRA ") < 0)
			return -1;
		for (i = argn; i < argc; i++) {
			if (i > argn && buf_puts(b, ", ") < 0)
				return -1;
			if (argv[i].kind == TV_NIL) {
				if (buf_puts(b, "<nil>") < 0)
					return -1;
				continue;
			}
			if (buf_puts(b, tval_type(argv[i])) < 0 ||
			    buf_puts(b, "=") < 0 ||
			    fmt_arg(b, &sp, argv[i], 'v', 0) < 0)
				return -1;
		}
		return buf_puts(b, ")");
	}
	return 0;
}
