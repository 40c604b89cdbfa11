/* The dockerize dialect's template functions (stub until the library lands). */
#include "template/funcs.h"

const struct tmpl_func tmpl_funcs_dockerize[] = {
	{NULL, 0, 0, NULL},
};
