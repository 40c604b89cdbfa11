/* Go's fmt for template values: %v, Sprint, Sprintln and Sprintf. */
#ifndef CONFINIT_TEMPLATE_GOFMT_H
#define CONFINIT_TEMPLATE_GOFMT_H

#include <stddef.h>

#include "template/value.h"
#include "xmalloc.h"

/* Flag bits for gofmt_value(). */
#define GOFMT_PLUS 0x1 /* %+v: field names in records */

/*
 * Appends v formatted with verb ('v', 's', 'd', ...) and flags as Go's fmt
 * does with no width or precision. Returns 0, or -1 past b's cap.
 */
int gofmt_value(struct buf *b, struct tval v, int verb, unsigned flags);
/* fmt.Sprint: spaces between operands when neither is a string. */
int gofmt_print(struct buf *b, size_t argc, const struct tval *argv);
/* fmt.Sprintln: spaces between all operands and a newline. */
int gofmt_println(struct buf *b, size_t argc, const struct tval *argv);
/* fmt.Sprintf with format f[0..flen). */
int gofmt_printf(struct buf *b, const char *f, size_t flen, size_t argc,
    const struct tval *argv);
/* Appends f formatted as Go's strconv.FormatFloat(f, 'g', -1, 64). */
int gofmt_float_shortest(struct buf *b, double f);
/* Appends s quoted as Go's strconv.Quote (ascii: QuoteToASCII). */
int gofmt_quote(struct buf *b, const char *s, size_t n, bool ascii);

#endif
