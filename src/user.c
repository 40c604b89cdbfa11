/* USER[:GROUP] -> uid, gid and supplementary groups, without NSS. */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "units.h"
#include "user.h"
#include "xmalloc.h"

/* One line of a colon-separated database, split in place. */
struct user_row {
	char *f[7];
	int n;
};

static void
user_split(char *line, struct user_row *row)
{
	char *p = line;

	line[strcspn(line, "\n")] = '\0';
	for (row->n = 0; row->n < 7;) {
		row->f[row->n++] = p;
		if ((p = strchr(p, ':')) == NULL)
			break;
		*p++ = '\0';
	}
}

/*
 * Calls match(row, arg) for each well-formed line of path with at least
 * want fields until it returns true; returns true if one did.
 */
static bool
user_scan(const char *path, int want,
    bool (*match)(const struct user_row *, void *), void *arg)
{
	struct user_row row;
	char *line = NULL;
	size_t size = 0;
	bool found = false;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (!found && getline(&line, &size, f) != -1) {
		if (line[0] == '#')
			continue;
		user_split(line, &row);
		if (row.n >= want)
			found = match(&row, arg);
	}
	free(line);
	fclose(f);
	return found;
}

struct user_lookup {
	const char *name; /* by name, or */
	long id;	  /* by id (-1: by name) */
	long found_id, found_gid;
	char found_name[256];
};

static bool
user_match(const struct user_row *row, void *arg)
{
	struct user_lookup *q = arg;
	long id;

	if (units_int(row->f[2], 0, 0x7fffffff, &id) != 0)
		return false;
	if (q->id >= 0 ? id != q->id : strcmp(row->f[0], q->name) != 0)
		return false;
	q->found_id = id;
	snprintf(q->found_name, sizeof(q->found_name), "%s", row->f[0]);
	if (row->n >= 4 && units_int(row->f[3], 0, 0x7fffffff, &id) == 0)
		q->found_gid = id;
	return true;
}

/* Looks spec up (a name or a number) in a passwd or group file. */
static bool
user_lookup(const char *path, int fields, const char *spec,
    struct user_lookup *q)
{
	memset(q, 0, sizeof(*q));
	q->found_gid = -1;
	q->name = spec;
	if (units_int(spec, 0, 0x7fffffff, &q->id) != 0)
		q->id = -1;
	return user_scan(path, fields, user_match, q);
}

struct user_groups {
	const char *name;
	struct user_ids *ids;
};

/* Adds the group on this line when name is among its members. */
static bool
user_member(const struct user_row *row, void *arg)
{
	struct user_groups *q = arg;
	char *members = row->f[3], *m, *save;
	long gid;

	if (units_int(row->f[2], 0, 0x7fffffff, &gid) != 0)
		return false;
	for (m = strtok_r(members, ",", &save); m != NULL;
	     m = strtok_r(NULL, ",", &save)) {
		if (strcmp(m, q->name) != 0 || (gid_t)gid == q->ids->gid)
			continue;
		q->ids->groups = xreallocarray(q->ids->groups,
		    q->ids->ngroups + 1, sizeof(gid_t));
		q->ids->groups[q->ids->ngroups++] = (gid_t)gid;
		break;
	}
	return false;
}

int
user_resolve(const char *spec, const char *passwd_path, const char *group_path,
    struct user_ids *out, struct cerr *err)
{
	char *user = xstrdup(spec), *group = strchr(user, ':');
	struct user_lookup pw, gr;
	struct user_groups q;
	bool have_pw;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (group != NULL)
		*group++ = '\0';
	have_pw = user_lookup(passwd_path, 4, user, &pw);
	if (!have_pw && pw.id < 0) {
		cerr_set(err, "user \"%s\" not found in %s", user, passwd_path);
		goto out;
	}
	out->uid = (uid_t)(have_pw ? pw.found_id : pw.id);
	out->gid = have_pw && pw.found_gid >= 0 ? (gid_t)pw.found_gid : 0;
	if (group != NULL) {
		if (*group == '\0') {
			cerr_set(err, "user \"%s\": empty group", spec);
			goto out;
		}
		if (user_lookup(group_path, 3, group, &gr))
			out->gid = (gid_t)gr.found_id;
		else if (gr.id >= 0)
			out->gid = (gid_t)gr.id;
		else {
			cerr_set(err, "group \"%s\" not found in %s", group,
			    group_path);
			goto out;
		}
	} else if (have_pw) {
		q.name = pw.found_name;
		q.ids = out;
		user_scan(group_path, 4, user_member, &q);
	}
	r = 0;
out:
	free(user);
	if (r != 0)
		user_ids_free(out);
	return r;
}

void
user_ids_free(struct user_ids *ids)
{
	if (ids == NULL)
		return;
	free(ids->groups);
	ids->groups = NULL;
	ids->ngroups = 0;
}

int
user_drop(const struct user_ids *ids)
{
	if (setgroups(ids->ngroups, ids->groups) != 0 ||
	    setgid(ids->gid) != 0 || setuid(ids->uid) != 0)
		return -1;
	/* setuid() from root is for good; make sure of it. */
	if (ids->uid != 0 && setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
