/* The template lexer: text, actions, comments and trim markers, as Go's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/internal.h"

/* The lexer's state over one text. */
struct lexer {
	struct toklist *tl;
	const char *s;
	size_t n;
	size_t pos;
	const char *ld, *rd;
	size_t ldn, rdn;
	int paren;
	bool sp;
};

static const struct {
	const char *word;
	enum tok_type type;
} keywords[] = {
    {"block", TK_BLOCK},
    {"break", TK_BREAK},
    {"continue", TK_CONTINUE},
    {"define", TK_DEFINE},
    {"else", TK_ELSE},
    {"end", TK_END},
    {"if", TK_IF},
    {"range", TK_RANGE},
    {"nil", TK_NIL},
    {"template", TK_TEMPLATE},
    {"with", TK_WITH},
};

/* Go's template space characters. */
static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Letters, digits, '_' and any non-ASCII byte (taken as a letter). */
static bool
is_alnum(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

/* Adds a token s[start..end) of type. */
static void
emit(struct lexer *lx, enum tok_type type, size_t start, size_t end)
{
	struct toklist *tl = lx->tl;
	struct token *t;

	if (tl->len == tl->cap) {
		tl->cap = tl->cap ? tl->cap * 2 : 64;
		tl->t = xreallocarray(tl->t, tl->cap, sizeof(*tl->t));
	}
	t = &tl->t[tl->len++];
	t->type = type;
	t->sp = lx->sp;
	t->pos = start;
	t->val = lx->s + start;
	t->len = end - start;
	lx->sp = false;
}

/* Adds a TK_ERROR token at pos with a formatted message. */
static void __attribute__((format(printf, 3, 4)))
lex_error(struct lexer *lx, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(lx->tl->errmsg);
	lx->tl->errmsg = xvasprintf(fmt, ap);
	va_end(ap);
	emit(lx, TK_ERROR, pos, pos);
	lx->tl->t[lx->tl->len - 1].val = lx->tl->errmsg;
	lx->tl->t[lx->tl->len - 1].len = strlen(lx->tl->errmsg);
}

/* Whether s at pos starts with p of length n. */
static bool
at(const struct lexer *lx, size_t pos, const char *p, size_t n)
{
	return pos <= lx->n && lx->n - pos >= n &&
	       memcmp(lx->s + pos, p, n) == 0;
}

/* "- " after a left delimiter. */
static bool
left_trim_at(const struct lexer *lx, size_t pos)
{
	return pos + 2 <= lx->n && lx->s[pos] == '-' &&
	       is_space((unsigned char)lx->s[pos + 1]);
}

/* At a right delimiter (sets *trim when " -" precedes it). */
static bool
right_delim_at(const struct lexer *lx, size_t pos, bool *trim)
{
	*trim = false;
	if (pos + 2 <= lx->n && is_space((unsigned char)lx->s[pos]) &&
	    lx->s[pos + 1] == '-' && at(lx, pos + 2, lx->rd, lx->rdn)) {
		*trim = true;
		return true;
	}
	return at(lx, pos, lx->rd, lx->rdn);
}

/* Formats rune c as Go's %#U: U+007D '}'. */
static void
fmt_rune(char *out, size_t n, int c)
{
	if (c >= 0x20 && c < 0x7F)
		snprintf(out, n, "U+%04X '%c'", c, c);
	else
		snprintf(out, n, "U+%04X", c);
}

/* Checks that the character at pos ends a word; else an error. */
static bool
at_terminator(struct lexer *lx, size_t pos)
{
	bool trim;
	int c;

	if (pos >= lx->n)
		return true;
	c = (unsigned char)lx->s[pos];
	if (is_space(c) || strchr(".,|:()", c) != NULL)
		return true;
	return right_delim_at(lx, pos, &trim);
}

/* Reports a bad character after a word. */
static void
bad_char(struct lexer *lx, size_t pos)
{
	char r[32];

	fmt_rune(r, sizeof(r), (unsigned char)lx->s[pos]);
	lex_error(lx, pos, "bad character %s", r);
}

/* Accepts a run of characters in set; returns the new position. */
static size_t
accept_run(const struct lexer *lx, size_t pos, const char *set)
{
	while (pos < lx->n && lx->s[pos] != '\0' && strchr(set, lx->s[pos]))
		pos++;
	return pos;
}

/* Scans a number at pos; returns its end, or 0 after reporting an error. */
static size_t
lex_number(struct lexer *lx, size_t start)
{
	const char *digits = "0123456789_";
	size_t pos = start;

	if (pos < lx->n && (lx->s[pos] == '+' || lx->s[pos] == '-'))
		pos++;
	if (pos + 1 < lx->n && lx->s[pos] == '0') {
		if (lx->s[pos + 1] == 'x' || lx->s[pos + 1] == 'X') {
			pos += 2;
			digits = "0123456789abcdefABCDEF_";
		} else if (lx->s[pos + 1] == 'o' || lx->s[pos + 1] == 'O') {
			pos += 2;
			digits = "01234567_";
		} else if (lx->s[pos + 1] == 'b' || lx->s[pos + 1] == 'B') {
			pos += 2;
			digits = "01_";
		}
	}
	pos = accept_run(lx, pos, digits);
	if (pos < lx->n && lx->s[pos] == '.')
		pos = accept_run(lx, pos + 1, digits);
	if (strlen(digits) == 11 && pos < lx->n &&
	    (lx->s[pos] == 'e' || lx->s[pos] == 'E')) {
		pos++;
		if (pos < lx->n && (lx->s[pos] == '+' || lx->s[pos] == '-'))
			pos++;
		pos = accept_run(lx, pos, "0123456789_");
	}
	if (strlen(digits) == 23 && pos < lx->n &&
	    (lx->s[pos] == 'p' || lx->s[pos] == 'P')) {
		pos++;
		if (pos < lx->n && (lx->s[pos] == '+' || lx->s[pos] == '-'))
			pos++;
		pos = accept_run(lx, pos, "0123456789_");
	}
	if (pos < lx->n && lx->s[pos] == 'i')
		pos++;
	if (pos < lx->n && is_alnum((unsigned char)lx->s[pos])) {
		lex_error(lx, start, "bad number syntax: \"%.*s\"",
		    (int)(pos + 1 - start), lx->s + start);
		return 0;
	}
	return pos;
}

/* Scans a quoted item ending with q; returns its end or 0 after an error. */
static size_t
lex_quote(struct lexer *lx, size_t start, int q, const char *what)
{
	size_t pos = start + 1;

	for (;;) {
		if (pos >= lx->n || (q != '`' && lx->s[pos] == '\n')) {
			lex_error(lx, start, "unterminated %s", what);
			return 0;
		}
		if (q != '`' && lx->s[pos] == '\\') {
			pos++;
			if (pos >= lx->n || lx->s[pos] == '\n') {
				lex_error(lx, start, "unterminated %s", what);
				return 0;
			}
		} else if (lx->s[pos] == q) {
			return pos + 1;
		}
		pos++;
	}
}

/* Lexes the inside of an action; false after an error token. */
static bool
lex_action(struct lexer *lx)
{
	size_t start, end, i;
	char r[32];
	bool trim;
	int c;

	for (;;) {
		if (right_delim_at(lx, lx->pos, &trim)) {
			if (lx->paren > 0) {
				lex_error(lx, lx->pos, "unclosed left paren");
				return false;
			}
			if (trim)
				lx->pos += 2;
			emit(lx, TK_RDELIM, lx->pos, lx->pos + lx->rdn);
			lx->pos += lx->rdn;
			if (trim)
				while (lx->pos < lx->n &&
				       is_space((unsigned char)lx->s[lx->pos]))
					lx->pos++;
			return true;
		}
		if (lx->pos >= lx->n) {
			lex_error(lx, lx->pos, "unclosed action");
			return false;
		}
		start = lx->pos;
		c = (unsigned char)lx->s[start];
		if (is_space(c)) {
			/* Stop before a " -}}". */
			while (lx->pos < lx->n &&
			       is_space((unsigned char)lx->s[lx->pos]) &&
			       !right_delim_at(lx, lx->pos, &trim))
				lx->pos++;
			if (lx->pos == start)
				lx->pos++;
			lx->sp = true;
			continue;
		}
		end = start + 1;
		switch (c) {
		case '=':
			emit(lx, TK_ASSIGN, start, end);
			break;
		case ':':
			if (end >= lx->n || lx->s[end] != '=') {
				lex_error(lx, start, "expected :=");
				return false;
			}
			emit(lx, TK_DECLARE, start, ++end);
			break;
		case '|':
			emit(lx, TK_PIPE, start, end);
			break;
		case '"':
			if ((end = lex_quote(lx, start, '"',
				 "quoted string")) == 0)
				return false;
			emit(lx, TK_STRING, start, end);
			break;
		case '`':
			if ((end = lex_quote(lx, start, '`',
				 "raw quoted string")) == 0)
				return false;
			emit(lx, TK_RAWSTRING, start, end);
			break;
		case '\'':
			if ((end = lex_quote(lx, start, '\'',
				 "character constant")) == 0)
				return false;
			emit(lx, TK_CHARCONST, start, end);
			break;
		case '$':
		case '.':
			end = start + 1;
			if (c == '.' && end < lx->n && lx->s[end] >= '0' &&
			    lx->s[end] <= '9')
				goto number;
			while (
			    end < lx->n && is_alnum((unsigned char)lx->s[end]))
				end++;
			if (c == '.' && end == start + 1) {
				emit(lx, TK_DOT, start, end);
				break;
			}
			if (!at_terminator(lx, end)) {
				bad_char(lx, end);
				return false;
			}
			emit(lx, c == '$' ? TK_VAR : TK_FIELD, start, end);
			break;
		case '(':
			emit(lx, TK_LPAREN, start, end);
			if (++lx->paren > TMPL_MAX_NEST) {
				lex_error(lx, start, "too deeply nested");
				return false;
			}
			break;
		case ')':
			emit(lx, TK_RPAREN, start, end);
			if (--lx->paren < 0) {
				lex_error(lx, start,
				    "unexpected right paren U+0029 ')'");
				return false;
			}
			break;
		default:
			if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
			number:
				if ((end = lex_number(lx, start)) == 0)
					return false;
				emit(lx, TK_NUMBER, start, end);
				break;
			}
			if (is_alnum(c)) {
				while (end < lx->n &&
				       is_alnum((unsigned char)lx->s[end]))
					end++;
				if (!at_terminator(lx, end)) {
					bad_char(lx, end);
					return false;
				}
				for (i = 0;
				     i < sizeof(keywords) / sizeof(keywords[0]);
				     i++)
					if (strlen(keywords[i].word) ==
						end - start &&
					    memcmp(keywords[i].word,
						lx->s + start,
						end - start) == 0)
						break;
				if (i < sizeof(keywords) / sizeof(keywords[0]))
					emit(lx, keywords[i].type, start, end);
				else if ((end - start == 4 &&
					     memcmp(lx->s + start, "true", 4) ==
						 0) ||
					 (end - start == 5 &&
					     memcmp(lx->s + start, "false",
						 5) == 0))
					emit(lx, TK_BOOL, start, end);
				else
					emit(lx, TK_IDENT, start, end);
				break;
			}
			if (c >= 0x20 && c < 0x7F) {
				emit(lx, TK_CHAR, start, end);
				break;
			}
			fmt_rune(r, sizeof(r), c);
			lex_error(lx, start,
			    "unrecognized character in action: %s", r);
			return false;
		}
		lx->pos = end;
	}
}

/* Lexes a comment starting at pos ("/ *"); false after an error. */
static bool
lex_comment(struct lexer *lx)
{
	const char *end;
	size_t start = lx->pos;
	bool trim;

	end = memmem(lx->s + lx->pos + 2, lx->n - lx->pos - 2, "*/", 2);
	if (end == NULL) {
		lex_error(lx, start, "unclosed comment");
		return false;
	}
	lx->pos = (size_t)(end - lx->s) + 2;
	if (!right_delim_at(lx, lx->pos, &trim)) {
		lex_error(lx, start, "comment ends before closing delimiter");
		return false;
	}
	emit(lx, TK_COMMENT, start, lx->pos);
	lx->pos += (trim ? 2 : 0) + lx->rdn;
	if (trim)
		while (
		    lx->pos < lx->n && is_space((unsigned char)lx->s[lx->pos]))
			lx->pos++;
	return true;
}

void
lex_run(struct toklist *tl, const char *text, size_t len, const char *ldelim,
    const char *rdelim)
{
	struct lexer lx = {0};
	const char *p;
	size_t x, end, after;

	lx.tl = tl;
	lx.s = text;
	lx.n = len;
	lx.ld = ldelim != NULL && *ldelim ? ldelim : "{{";
	lx.rd = rdelim != NULL && *rdelim ? rdelim : "}}";
	lx.ldn = strlen(lx.ld);
	lx.rdn = strlen(lx.rd);
	for (;;) {
		p = memmem(text + lx.pos, len - lx.pos, lx.ld, lx.ldn);
		if (p == NULL) {
			if (lx.pos < len)
				emit(&lx, TK_TEXT, lx.pos, len);
			emit(&lx, TK_EOF, len, len);
			return;
		}
		x = (size_t)(p - text);
		end = x;
		if (left_trim_at(&lx, x + lx.ldn))
			while (end > lx.pos &&
			       is_space((unsigned char)text[end - 1]))
				end--;
		if (end > lx.pos)
			emit(&lx, TK_TEXT, lx.pos, end);
		lx.pos = x + lx.ldn;
		after = left_trim_at(&lx, lx.pos) ? 2 : 0;
		if (at(&lx, lx.pos + after, "/*", 2)) {
			lx.pos += after;
			if (!lex_comment(&lx))
				return;
			continue;
		}
		emit(&lx, TK_LDELIM, x, x + lx.ldn);
		lx.pos += after;
		lx.paren = 0;
		if (!lex_action(&lx))
			return;
	}
}

void
lex_free(struct toklist *tl)
{
	free(tl->t);
	free(tl->errmsg);
	memset(tl, 0, sizeof(*tl));
}
