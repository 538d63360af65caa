/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.svc: service specs, the control thread's desired state. A spec is a
 * struct plb_conf_svc that owns all its memory (the config parser's are
 * copied), so edits from the control socket, a reload and `save` all work
 * on the same form.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"

static char *
dup_or_null(const char *s, int *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*fail = 1;
	return d;
}

static void *
dup_mem(const void *src, size_t n, int *fail)
{
	void *d;

	if (src == NULL || n == 0)
		return NULL;
	d = malloc(n);
	if (d == NULL) {
		*fail = 1;
		return NULL;
	}
	return memcpy(d, src, n);
}

int
plb_spec_copy(struct plb_conf_svc *dst, const struct plb_conf_svc *src)
{
	int fail = 0;

	*dst = *src;
	dst->sched_opts = NULL;	/* points into a file that may go away */
	dst->sched = dup_or_null(src->sched, &fail);
	dst->fwd = dup_or_null(src->fwd, &fail);
	dst->sched_opts_text = dup_or_null(src->sched_opts_text, &fail);
	dst->laddrs = dup_mem(src->laddrs, src->n_laddrs * sizeof(*src->laddrs), &fail);
	dst->dests = dup_mem(src->dests, src->n_dests * sizeof(*src->dests), &fail);
	if (fail) {
		plb_spec_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

void
plb_spec_clear(struct plb_conf_svc *s)
{
	free(s->sched);
	free(s->fwd);
	free(s->sched_opts_text);
	free(s->laddrs);
	free(s->dests);
	memset(s, 0, sizeof(*s));
}

int
plb_specs_copy(struct plb_conf_svc **dst, const struct plb_conf_svc *src, uint32_t n)
{
	struct plb_conf_svc *d = calloc(n ? n : 1, sizeof(*d));

	if (d == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (plb_spec_copy(&d[i], &src[i]) != 0) {
			plb_specs_free(d, i);
			return -ENOMEM;
		}
	}
	*dst = d;
	return 0;
}

void
plb_specs_free(struct plb_conf_svc *s, uint32_t n)
{
	for (uint32_t i = 0; s && i < n; i++)
		plb_spec_clear(&s[i]);
	free(s);
}

int
plb_spec_find(const struct plb_conf_svc *s, uint32_t n, uint8_t proto, uint32_t vip, uint16_t port)
{
	for (uint32_t i = 0; i < n; i++)
		if (s[i].proto == proto && s[i].vip == vip && s[i].port == port)
			return (int)i;
	return -1;
}
