/* Go text/template's built-in functions. */
#include "template/funcs.h"

const struct tmpl_func tmpl_funcs_builtin[] = {
	{NULL, 0, 0, NULL},
};
