/* Allocation that never returns NULL, and growable buffers with a size cap. */
#ifndef CONFINIT_XMALLOC_H
#define CONFINIT_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* Each dies with a message on out-of-memory; the caller owns the result. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/*
 * The allocator's settings, first thing in main(). The static build's
 * mimalloc hands a page it frees back to the kernel at once, as musl's
 * allocator did; glibc's needs nothing.
 */
void xmalloc_init(void);
/*
 * Returns the memory freed since the last call to the kernel: after the
 * start and after each reload, so that an idle supervisor holds only what
 * it uses. A no-op with glibc, which trims its heap itself.
 */
void xmalloc_release(void);

/*
 * A byte buffer that keeps a NUL after its data and refuses to grow past
 * cap bytes (0: no cap). buf_free() releases the data; the struct is the
 * caller's.
 */
struct buf {
	char *data;
	size_t len;
	size_t size;
	size_t cap;
};

/* As buf_append(), for when the data may not fit (it grows them). */
int buf_append_grow(struct buf *b, const void *p, size_t n);

/* Appends n bytes; returns 0, or -1 (and appends nothing) past the cap.
 * Inline: a render appends a few bytes at a time, mostly into room it
 * already has. */
static inline int
buf_append(struct buf *b, const void *p, size_t n)
{
	/* size is 0 or more than len (the NUL), so no wrap-around. data is
	 * NULL only while size is 0, which goes to buf_append_grow: clang's
	 * analyzer does not know that (the NOLINTs). */
	if (n >= b->size - b->len || (b->cap != 0 && b->len + n > b->cap))
		return buf_append_grow(b, p, n);
	if (n != 0)
		/* NOLINTNEXTLINE(clang-analyzer-core.*) */
		memcpy(b->data + b->len, p, n);
	b->len += n;
	/* NOLINTNEXTLINE(clang-analyzer-core.*) */
	b->data[b->len] = '\0';
	return 0;
}
/* Appends a C string; as buf_append(). */
int buf_puts(struct buf *b, const char *s);
/* Appends formatted text; as buf_append(). */
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Hands the data to the caller (never NULL) and empties the buffer. */
char *buf_steal(struct buf *b);
/* Frees the data; a zeroed or freed buf is a no-op. */
void buf_free(struct buf *b);

#endif
