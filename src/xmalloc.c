/* Allocation that never returns NULL, and growable buffers with a size cap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

#ifdef CONFINIT_MIMALLOC
#include <mimalloc.h>
#endif

void
xmalloc_init(void)
{
#ifdef CONFINIT_MIMALLOC
	/* mimalloc's default keeps a freed page 25 ms, but an idle supervisor
	 * frees nothing more that would make it look again. */
	mi_option_set(mi_option_decommit_delay, 0);
#endif
}

void
xmalloc_release(void)
{
#ifdef CONFINIT_MIMALLOC
	/* The pages it keeps for reuse, emptied, go back too. */
	mi_collect(true);
#endif
}

static void __attribute__((noreturn)) xmalloc_die(size_t size)
{
	char msg[96];
	int n;

	/* No stdio buffers and no allocation: memory is what ran out. */
	n = snprintf(msg, sizeof(msg),
	    "confinit: out of memory allocating %zu bytes\n", size);
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(70);
	_exit(70);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		xmalloc_die(size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		xmalloc_die(n * size);
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (q == NULL)
		xmalloc_die(size);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		xmalloc_die(SIZE_MAX);
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		xmalloc_die(0);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

static int
buf_grow(struct buf *b, size_t n)
{
	size_t want;

	if (n > SIZE_MAX - b->len - 1)
		return -1;
	want = b->len + n;
	if (b->cap != 0 && want > b->cap)
		return -1;
	if (want + 1 <= b->size)
		return 0;
	if (b->size == 0)
		b->size = 64;
	while (b->size < want + 1)
		b->size = b->size > SIZE_MAX / 2 ? want + 1 : b->size * 2;
	b->data = xrealloc(b->data, b->size);
	return 0;
}

int
buf_append_grow(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) != 0)
		return -1;
	if (n != 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	r = buf_puts(b, s);
	free(s);
	return r;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data != NULL ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->size = 0;
	return p;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->size = 0;
}
