/* The YAML configuration file -> struct config, validated with
 * file:line:col, and merged with the command line. */
#ifndef CONFINIT_CONFIG_H
#define CONFINIT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cerr.h"
#include "cli.h"

/* The exit code of confinit for a configuration error (main.c uses it). */
#define CONFIG_EXIT_CODE 3

/* An argv list: n strings, and a NULL after them. */
struct config_argv {
	char **v;
	size_t n;
};

struct config_tls {
	char *ca;	   /* CA bundle file; NULL: the system's */
	char *cert;	   /* client certificate file */
	char *key;	   /* client key file */
	char *server_name; /* SNI and verification name */
	bool insecure;	   /* skip verification (default false) */
};

struct config_source {
	char *name; /* default: the url */
	char *url;
	char *prefix; /* NULL: the url's own */
	bool secret;  /* values are secrets: redacted from logs */
	struct config_tls tls;
	char *token;		  /* inline token (a secret) */
	char *token_file;	  /* file that holds the token */
	char *token_env;	  /* variable that holds the token */
	char *username;		  /* etcd: log in with this user */
	char *password;		  /* its password, inline (a secret) */
	char *password_file;	  /* file that holds the password */
	char *password_env;	  /* variable that holds the password */
	int64_t timeout_ms;	  /* -1: the backend's default */
	int64_t poll_interval_ms; /* -1: the backend's default */
	size_t max_body;	  /* cap on a response body; 0: 16 MiB */
};

enum config_dialect {
	CONFIG_DIALECT_CONSUL_TEMPLATE,
	CONFIG_DIALECT_CONFD,
	CONFIG_DIALECT_DOCKERIZE,
};

enum config_missing {
	CONFIG_MISSING_DEFAULT, /* "<no value>", as Go */
	CONFIG_MISSING_ERROR,
};

enum config_engine {
	CONFIG_ENGINE_GOTEMPLATE,
	CONFIG_ENGINE_ENVSUBST,
};

struct config_template {
	char *src;	/* template file (resolved path), or NULL */
	char *contents; /* inline template, or NULL; exactly one is set */
	char *dest;
	int mode;    /* permission bits; -1: keep the file's, else 0644 */
	char *owner; /* "user[:group]" or NULL */
	struct config_argv check;   /* run on the temp file; n 0: none */
	int signal;		    /* 0: exec.reload_signal (unless command) */
	struct config_argv command; /* run after a change; n 0: none */
	enum config_dialect dialect;
	enum config_missing missing;
	char *left_delimiter;  /* NULL: "{{" */
	char *right_delimiter; /* NULL: "}}" */
	bool create_dirs;      /* create dest's directory (default false) */
	enum config_engine engine;
};

/* One env: entry: a prefix mapping (name == NULL) or one name/value. */
struct config_env {
	char *prefix;
	bool upcase;   /* default true */
	bool sanitize; /* default true */
	char *format;  /* NULL: the name as is */
	char *name;
	char *value; /* a template */
};

enum config_on_env_change {
	CONFIG_ENV_RESTART,
	CONFIG_ENV_SIGNAL,
	CONFIG_ENV_IGNORE,
};

struct config_exec {
	struct config_argv command; /* n 0: none (an init with no app) */
	char *user;
	int kill_signal;			 /* default SIGTERM */
	int64_t kill_timeout_ms;		 /* default 10 s */
	int reload_signal;			 /* default SIGHUP */
	enum config_on_env_change on_env_change; /* default restart */
};

/*
 * The whole configuration. Everything in it is owned by the struct and
 * freed by config_free(); arrays are (pointer, count) pairs.
 */
struct config {
	char *path; /* the file it came from, or NULL */
	struct config_source *sources;
	size_t nsources;
	struct config_template *templates;
	size_t ntemplates;
	struct config_env *env;
	size_t nenv;
	bool pristine;
	struct config_exec exec;
	int64_t wait_min_ms;	    /* default 0: no debounce */
	int64_t wait_max_ms;	    /* default 0 */
	int64_t startup_timeout_ms; /* default 30 s */
	char *startup_cache;	    /* NULL: no cache file */
	char *ca_file;		    /* --ca-file; NULL: search (net.h) */
	bool cache_secrets;	    /* cache secret sources too (false) */
	int log_level;		    /* enum log_level, default info */
	int log_format;		    /* enum log_format, default text */
};

/*
 * Loads the YAML file at path. Every string value is first expanded with
 * envsubst over env (NULL-terminated "NAME=value"; NULL: empty). Relative
 * template src paths are resolved against the file's directory and must
 * be readable. Returns 0 with *out the caller's (config_free()), or -1
 * with err "path:line:col: message".
 */
int config_load(struct config **out, const char *path, char *const *env,
    struct cerr *err);

/*
 * As config_load() over the len bytes at data; name is used in messages
 * and relative src paths are resolved against the current directory.
 */
int config_load_buffer(struct config **out, const char *name, const char *data,
    size_t len, char *const *env, struct cerr *err);

/* Returns a new config with every default; the caller owns it. */
struct config *config_new(void);

/* Frees c and everything in it; config_free(NULL) is a no-op. */
void config_free(struct config *c);

/*
 * Applies the command line and CONFINIT_* variables over c: set options
 * win. --source URLs replace the file's sources; --template SRC:DEST and
 * --env-prefix add entries; --wait, --startup-timeout, --kill-timeout,
 * --user, --log-level, --log-format replace; the program after "--"
 * replaces exec.command. Returns 0, or -1 (an unreadable template src).
 */
int config_apply_options(struct config *c, const struct options *o,
    struct cerr *err);

/*
 * Builds a config from the options alone (no config file): config_new()
 * then config_apply_options(). Returns 0 with *out the caller's, or -1.
 */
int config_from_options(struct config **out, const struct options *o,
    struct cerr *err);

#endif
