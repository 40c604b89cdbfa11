/* USER[:GROUP] -> uid, gid and supplementary groups, without NSS. */
#ifndef CONFINIT_USER_H
#define CONFINIT_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "cerr.h"

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups */
	size_t ngroups;
};

/*
 * Resolves spec ("name", "1000", "name:group", "1000:1000") against the
 * passwd and group files given (normally /etc/passwd and /etc/group; a
 * missing file reads as empty). A name must be found; a number need not be.
 * Semantics follow Docker's --user: a uid with no passwd entry gets gid 0
 * unless a group is given; supplementary groups come from the group file
 * only when no group is given. Returns 0, or -1 with a message naming the
 * user or group. Free out with user_ids_free().
 */
int user_resolve(const char *spec, const char *passwd_path,
    const char *group_path, struct user_ids *out, struct cerr *err);

/* Frees the group list; NULL is a no-op. */
void user_ids_free(struct user_ids *ids);

/*
 * Becomes ids for good: setgroups, setgid, setuid (in the child, before
 * exec). Returns 0, or -1 with errno set.
 */
int user_drop(const struct user_ids *ids);

#endif
