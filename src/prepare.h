/* struct config -> what runs: sources opened, templates parsed, render
 * destinations and env rules resolved, all before the app starts. */
#ifndef CONFINIT_PREPARE_H
#define CONFINIT_PREPARE_H

#include "config.h"
#include "reload.h"

/*
 * Fills r's settings from c: opens every source (reading the local ones),
 * reads and parses every template, resolves owners, parses env values.
 * r->loop, r->sup, r->base_env and r->argv must be set. Returns 0, or -1
 * with a message naming the template (file:line:col), source or owner;
 * *code is then the exit code to use (3: configuration, 4: a source).
 */
int prepare_reload(struct reload *r, const struct config *c, int *code,
    struct cerr *err);

/* Frees what prepare_reload() allocated in r (and r's state). */
void prepare_free(struct reload *r);

#endif
