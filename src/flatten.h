/* YAML, JSON, .properties and KEY=VALUE documents -> flat key/value maps,
 * for the file source and the HTTP source. */
#ifndef CONFINIT_FLATTEN_H
#define CONFINIT_FLATTEN_H

#include <stddef.h>

#include "cerr.h"
#include "kv.h"

enum flatten_format {
	FLATTEN_YAML,
	FLATTEN_JSON,
	FLATTEN_PROPERTIES,
	FLATTEN_DOTENV,
};

/* Documents nested deeper than this are refused. */
#define FLATTEN_MAX_DEPTH 128
/* A document that yields more keys than this is refused (YAML aliases can
 * otherwise expand a small file into billions of keys). */
#define FLATTEN_MAX_KEYS 1000000

/*
 * The format for a file name by its extension: .yaml/.yml -> YAML,
 * .json -> JSON, .properties -> properties, .env (and a file named ".env")
 * -> dotenv, anything else -> YAML.
 */
enum flatten_format flatten_format_for(const char *path);

/*
 * The format of an HTTP body: by its Content-Type (NULL allowed; any
 * parameters ignored): application/json and +json -> JSON; yaml types ->
 * YAML; text/x-java-properties -> properties; else by the URL's path
 * extension (a query or fragment ignored), as flatten_format_for().
 */
enum flatten_format flatten_format_for_http(const char *content_type,
    const char *url);

/*
 * Parses the len bytes at data in format f and adds every leaf to kv
 * (existing keys are replaced). name prefixes error messages:
 * "name:line:col: message". Returns 0, or -1 with err set; on error kv may
 * hold some of the keys and should be discarded.
 *
 * YAML and JSON: nested maps become "a/b/c", list items "a/0", "a/1";
 * scalars are their text as written (numbers and booleans are not
 * normalised: "1.50" and "yes" stay so); null, ~ and empty values become
 * "". Empty maps and lists yield no key. The top level must be a map or a
 * list (or empty).
 */
int flatten(enum flatten_format f, const char *name, const char *data,
    size_t len, struct kv *kv, struct cerr *err);

/* YAML 1.1 (libyaml); one document. As flatten(). */
int flatten_yaml(const char *name, const char *data, size_t len, struct kv *kv,
    struct cerr *err);

/* JSON (RFC 8259, strict): numbers kept as written, \uXXXX escapes with
 * surrogate pairs (a lone surrogate becomes U+FFFD). As flatten(). */
int flatten_json(const char *name, const char *data, size_t len, struct kv *kv,
    struct cerr *err);

/*
 * Java .properties: "key=value", "key: value" or "key value"; '#' and '!'
 * comment lines; a line ending in an odd number of '\' continues on the
 * next one (its leading blanks dropped); escapes \t \n \r \f \uXXXX and
 * "\x" -> x. Keys are kept as written: "db.host" stays "db.host". Text is
 * read as UTF-8 (not ISO-8859-1). As flatten().
 */
int flatten_properties(const char *name, const char *data, size_t len,
    struct kv *kv, struct cerr *err);

/*
 * KEY=VALUE lines (.env): blank lines and '#' comments skipped, an optional
 * "export " prefix, KEY of [A-Za-z0-9_.-]; VALUE unquoted (trimmed, a " #"
 * starts a comment), 'single quoted' (literal), or "double quoted"
 * (escapes \n \r \t \" \\ \$; may span lines). No ${} expansion. Keys are
 * kept as written. As flatten().
 */
int flatten_dotenv(const char *name, const char *data, size_t len,
    struct kv *kv, struct cerr *err);

#endif
