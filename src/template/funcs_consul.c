/* The consul dialect's template functions (stub until the library lands). */
#include "template/funcs.h"

const struct tmpl_func tmpl_funcs_consul[] = {
	{NULL, 0, 0, NULL},
};
