/* Sources of keys: the reading side of the local backends (file, env). The
 * watch side and the struct source_ops table come with the event loop. */
#ifndef CONFINIT_SOURCE_H
#define CONFINIT_SOURCE_H

#include "cerr.h"
#include "kv.h"

/* A file larger than this is refused by the file source. */
#define SOURCE_FILE_MAX (16u << 20)

/*
 * Reads the file source at path ("file://" in front is allowed and
 * dropped). A regular file is flattened by its extension (see
 * flatten_format_for()). A directory yields one key per regular file below
 * it, recursively: the key is the path relative to the directory
 * ("db/host"), the value the file's bytes exactly as stored (a trailing
 * newline is kept). Names starting with '.' are skipped, at any depth;
 * symbolic links are followed (Kubernetes ConfigMap volumes are links into
 * a "..data" directory). Returns 0 with *out a new kv the caller owns, or
 * -1 with err naming the file (and line:col for a parse error).
 */
int source_file_read(const char *path, struct kv **out, struct cerr *err);

/*
 * Reads the env source: every "NAME=value" in env (NULL-terminated) whose
 * NAME starts with prefix ("env://" in front is allowed and dropped; ""
 * takes every variable) becomes a key: NAME without the prefix, lowercased,
 * each '_' turned into '/' (APP_DB_HOST with prefix APP_ -> "db/host").
 * A variable equal to the prefix alone is skipped. Returns 0 with *out a
 * new kv the caller owns.
 */
int source_env_read(const char *prefix, char *const *env, struct kv **out);

#endif
