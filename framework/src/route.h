/* SPDX-License-Identifier: BSD-3-Clause */
/* core.route: building the route table (the lookup is in the SDK, plb/route.h). */
#ifndef PLB_CORE_ROUTE_H
#define PLB_CORE_ROUTE_H

#include "config.h"
#include "runtime.h"

/** [ctl] Connected routes of the ports plus conf->routes. 0 or -errno with *err. */
int plb_routes_setup(const struct plb_conf *conf, char **err);
void plb_routes_free(void);

#endif /* PLB_CORE_ROUTE_H */
