/* Helpers shared by the consul-template, confd and dockerize libraries. */
#ifndef CONFINIT_TEMPLATE_FUNCS_COMMON_H
#define CONFINIT_TEMPLATE_FUNCS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "template/funcs.h"
#include "template/value.h"
#include "xmalloc.h"

/* The longest string a function builds (as printf's cap), in bytes. */
#define FUNCS_MAX_STRING (64 << 20)

/* Results of the strconv-like parsers. */
#define FUNCS_OK 0
#define FUNCS_ESYNTAX (-1) /* "invalid syntax" */
#define FUNCS_ERANGE (-2)  /* "value out of range" */

/* Returns the bytes of b as a string of the render's arena; frees b. */
struct tval funcs_str_buf(struct tmpl_call *c, struct buf *b);

/* Go's strconv.ParseBool. */
int funcs_parse_bool(const char *s, size_t n, bool *out);
/* Go's strconv.ParseInt(s, 10, 64) and ParseUint(s, 10, 64). */
int funcs_parse_int(const char *s, size_t n, int64_t *out);
int funcs_parse_uint(const char *s, size_t n, uint64_t *out);
/* Go's strconv.ParseFloat(s, 64); *out is +-Inf on FUNCS_ERANGE. */
int funcs_parse_float(const char *s, size_t n, double *out);
/*
 * Fails with Go's strconv error: "[PREFIX: ]strconv.FN: parsing "S":
 * invalid syntax" (or "value out of range"); prefix may be NULL.
 */
int funcs_fail_strconv(struct tmpl_call *c, const char *prefix, const char *fn,
    const char *s, size_t n, int code);

/* Go's base64 StdEncoding (url: URLEncoding), both padded. */
void funcs_base64_encode(struct buf *out, const char *s, size_t n, bool url);
/*
 * Decodes as Go's DecodeString (newlines ignored, padding required).
 * Returns 0, or -1 and sets *bad to the offset Go reports in "illegal
 * base64 data at input byte N".
 */
int funcs_base64_decode(struct buf *out, const char *s, size_t n, bool url,
    size_t *bad);

/* Lowercase hex digests: out holds 65 (sha256) or 33 (md5) bytes. */
void funcs_sha256_hex(const char *s, size_t n, char *out);
void funcs_md5_hex(const char *s, size_t n, char *out);

/* Go's strings.ToLower / ToUpper / Title (UTF-8 aware). */
void funcs_lower(struct buf *out, const char *s, size_t n);
void funcs_upper(struct buf *out, const char *s, size_t n);
void funcs_title(struct buf *out, const char *s, size_t n);
/* Go's strings.TrimSpace: returns the trimmed span of s. */
const char *funcs_trim_space(const char *s, size_t *n);
/* Go's strings.Split: a list of strings of the arena. */
struct tval funcs_split(struct tarena *a, const char *s, size_t n,
    const char *sep, size_t seplen);
/* Go's strings.Replace(s, old, new, count); count < 0: all. */
void funcs_replace(struct buf *out, const char *s, size_t n, const char *old,
    size_t oldlen, const char *new, size_t newlen, int64_t count);
/* Go's strings.Join of a list of strings (params "L" checks it). */
void funcs_join(struct buf *out, struct tval list, const char *sep,
    size_t seplen);
/* Go's path.Clean, path.Base and path.Dir. */
void funcs_path_clean(struct buf *out, const char *s, size_t n);
void funcs_path_base(struct buf *out, const char *s, size_t n);
void funcs_path_dir(struct buf *out, const char *s, size_t n);

/*
 * Appends v as Go's encoding/json Marshal (pretty: MarshalIndent with two
 * spaces). Returns 0, or -1 with Go's message in err (NaN, Inf).
 */
int funcs_json_write(struct buf *out, struct tval v, bool pretty, char *err,
    size_t errlen);
/*
 * Parses JSON text as Go's json.Unmarshal into interface{} (numbers are
 * float64), into values of the arena. Returns 0, or -1 with a message.
 */
int funcs_json_parse(struct tarena *a, const char *s, size_t n,
    struct tval *out, char *err, size_t errlen);

/*
 * Appends the UTC time tm (+ nsec) formatted with a Go layout
 * ("2006-01-02T15:04:05Z07:00"): every std chunk of Go's time.Format;
 * zones print as UTC.
 */
void funcs_time_format(struct buf *out, const char *layout, size_t n,
    const struct tm *tm, long nsec);

/*
 * Functions identical in several dialects (each table names them, with
 * the params of funcs.h, so the arguments are checked): STR S, the
 * string conversion the entry's op names (toUpper/upper, toLower/lower,
 * toTitle, base, dir, base64Encode, ...); split S SEP, replace S OLD NEW
 * N, atoi S (confd and dockerize, which wrap Go's strings and strconv);
 * A op B on ints, op '+' '-' '*' '/' '%' (confd, dockerize's add).
 */
enum funcs_str_op {
	STR_UPPER,
	STR_LOWER,
	STR_TITLE,
	STR_PATH_BASE,
	STR_PATH_DIR,
	STR_BASE64,
	STR_BASE64_URL,
	STR_SHA256,
	STR_MD5,
};
int funcs_fn_str(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret);
int funcs_fn_split(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret);
int funcs_fn_replace(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret);
int funcs_fn_atoi(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret);
int funcs_fn_int_op(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret);
/* join SEP LIST (op 0, consul-template) or join LIST SEP (op 1, confd). */
int funcs_fn_join(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret);
/*
 * base64Decode S: Go's padded base64 (op B64_URL: the URL alphabet); with
 * B64_NAMED the error names the function, as consul-template's.
 */
#define B64_URL 1
#define B64_NAMED 2
int funcs_fn_base64_decode(struct tmpl_call *c, size_t argc,
    const struct tval *argv, struct tval *ret);
/*
 * trimPrefix/trimSuffix: the string without the affix at its start (or
 * end, op TRIM_SUFFIX); the affix comes first (consul-template) unless op
 * has TRIM_S_FIRST (confd's trimSuffix S SUFFIX).
 */
#define TRIM_SUFFIX 1
#define TRIM_S_FIRST 2
int funcs_fn_trim(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret);

#endif
