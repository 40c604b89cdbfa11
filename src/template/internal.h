/* The template engine's internals: tokens, the parse tree, shared helpers. */
#ifndef CONFINIT_TEMPLATE_INTERNAL_H
#define CONFINIT_TEMPLATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "template/funcs.h"
#include "template/template.h"
#include "template/value.h"

/* Limits; see docs/templates.md. */
#define TMPL_MAX_NEST 1000	 /* nested controls and parentheses */
#define TMPL_MAX_CALL_DEPTH 1000 /* nested {{template}} calls */
#define TMPL_STACK_BUDGET ((size_t)2 << 20) /* C stack one render may use */
#define TMPL_DEFAULT_MAX_OUTPUT ((size_t)64 << 20)

enum tok_type {
	TK_EOF,
	TK_ERROR, /* val is the message */
	TK_TEXT,
	TK_LDELIM,
	TK_RDELIM,
	TK_COMMENT,
	TK_BOOL,
	TK_CHAR, /* a printable ASCII character such as ',' */
	TK_CHARCONST,
	TK_NUMBER,
	TK_STRING,
	TK_RAWSTRING,
	TK_IDENT,
	TK_FIELD,
	TK_VAR,
	TK_DOT,
	TK_PIPE,
	TK_LPAREN,
	TK_RPAREN,
	TK_ASSIGN,
	TK_DECLARE,
	TK_NIL,
	/* keywords */
	TK_BLOCK,
	TK_BREAK,
	TK_CONTINUE,
	TK_DEFINE,
	TK_ELSE,
	TK_END,
	TK_IF,
	TK_RANGE,
	TK_TEMPLATE,
	TK_WITH,
};

struct token {
	enum tok_type type;
	bool sp;    /* preceded by space inside an action */
	size_t pos; /* byte offset in the text */
	const char *val;
	size_t len;
};

/* The token list of a whole text; the last token is TK_EOF or TK_ERROR. */
struct toklist {
	struct token *t;
	size_t len;
	size_t cap;
	char *errmsg; /* the message of a TK_ERROR token (owned) */
};

/* Splits text into tokens; ends with TK_EOF or TK_ERROR. */
void lex_run(struct toklist *tl, const char *text, size_t len,
    const char *ldelim, const char *rdelim);
/* Frees the tokens. */
void lex_free(struct toklist *tl);

enum arg_type {
	A_LITERAL, /* val */
	A_NIL,
	A_DOT,
	A_FIELD, /* fields on dot */
	A_VAR,	 /* name, then fields */
	A_FUNC,	 /* fn */
	A_PIPE,	 /* pipe */
	A_CHAIN, /* (pipe).fields */
};

/* Built-ins the engine evaluates itself. */
enum fn_special { FS_NONE, FS_AND, FS_OR };

struct pipe;

/* One step of a field chain: .name */
struct field {
	const char *name;
	size_t len;
};

/* An operand of a command. */
struct arg {
	enum arg_type type;
	size_t pos;
	struct tval val;
	const char *name; /* variable or function name */
	const struct tmpl_func *fn;
	enum fn_special special;
	const struct field *fields;
	size_t nfields;
	struct pipe *pipe;
	struct arg *base; /* A_CHAIN: the operand the fields apply to */
	const char *text; /* source text of the operand, for messages */
	size_t textlen;
};

struct cmd {
	size_t pos;
	struct arg *args;
	size_t nargs;
};

struct pipe {
	size_t pos;
	bool is_assign;
	const char *decl[2];
	size_t ndecl;
	struct cmd *cmds;
	size_t ncmds;
};

enum node_type {
	N_TEXT,
	N_ACTION,
	N_IF,
	N_RANGE,
	N_WITH,
	N_TEMPLATE,
	N_BREAK,
	N_CONTINUE,
};

struct node;

struct nlist {
	struct node **items;
	size_t len;
	size_t cap;
};

struct node {
	enum node_type type;
	size_t pos;
	const char *text; /* N_TEXT; N_TEMPLATE: the template's name */
	size_t len;
	struct pipe *pipe;
	struct nlist list;
	struct nlist *else_list;
};

/* A named template ({{define}}, {{block}} or the main one). */
struct tdef {
	const char *name;
	struct nlist root;
};

struct tmpl {
	struct tarena *arena; /* every node and string of the tree */
	char *text;	      /* a copy of the source, for positions */
	size_t len;
	char *name;
	enum tmpl_dialect dialect;
	bool missing_error;
	size_t max_output;
	struct tdef *defs; /* defs[0] is the main template */
	size_t ndefs;
	size_t capdefs;
};

/* Formats "name:line:col" of byte offset pos into out. */
void tmpl_where(const struct tmpl *t, size_t pos, char *out, size_t n);
/*
 * Looks up a function in extra (may be NULL), the dialect's table, then
 * the built-ins; NULL if none.
 */
const struct tmpl_func *tmpl_func_find(const struct tmpl_func *extra,
    enum tmpl_dialect d, const char *name, size_t n);
/* Returns the definition named name, or NULL. */
const struct tdef *tmpl_def_find(const struct tmpl *t, const char *name);

#endif
