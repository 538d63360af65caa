/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.conf_util: the SDK's configuration helpers (plb/conf.h), shared by the
 * core's parser and by modules that read their own settings group. Every
 * message has the form "FILE:LINE: PATH: message", PATH being the setting's
 * place from the root, e.g. "ports[1].addresses[0]" or "modules.load[2]".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plb/conf.h>
#include <plb/log.h>

/* Append the path of @s to @f; returns the number of bytes written. */
static int
conf_util_path(FILE *f, const config_setting_t *s)
{
	const config_setting_t *parent;
	int n;

	if (s == NULL || config_setting_is_root(s))
		return 0;
	parent = config_setting_parent(s);
	n = conf_util_path(f, parent);
	if (config_setting_name(s) != NULL)
		return n + fprintf(f, "%s%s", n > 0 ? "." : "", config_setting_name(s));
	return n + fprintf(f, "[%d]", config_setting_index(s));
}

/* Write "FILE:LINE: PATH" (or as much of it as is known) to @f. */
static void
conf_util_where(FILE *f, const config_setting_t *s)
{
	const char *file = s != NULL ? config_setting_source_file(s) : NULL;
	unsigned int line = s != NULL ? config_setting_source_line(s) : 0;

	/* settings read from a string (config_read_string) have no file */
	fputs(file != NULL ? file : "<string>", f);
	if (line > 0)
		fprintf(f, ":%u", line);
	fputs(": ", f);
	if (conf_util_path(f, s) > 0)
		fputs(": ", f);
}

static int
conf_util_verr(const config_setting_t *s, char **err, int code, const char *key,
	       const char *fmt, va_list ap)
{
	char *msg = NULL;
	size_t len = 0;
	FILE *f;

	if (err == NULL)
		return code;
	free(*err);
	*err = NULL;
	f = open_memstream(&msg, &len);
	if (f == NULL)
		return code;
	if (key != NULL) {
		/* "FILE:LINE: PATH.key: " where FILE:LINE are the key's own */
		const config_setting_t *m = config_setting_get_member(s, key);

		fputs(m != NULL && config_setting_source_file(m) != NULL ?
		      config_setting_source_file(m) : "<string>", f);
		if (m != NULL && config_setting_source_line(m) > 0)
			fprintf(f, ":%u", config_setting_source_line(m));
		fputs(": ", f);
		if (conf_util_path(f, s) > 0)
			fputc('.', f);
		fprintf(f, "%s: ", key);
	} else {
		conf_util_where(f, s);
	}
	vfprintf(f, fmt, ap);
	if (fclose(f) != 0) {
		free(msg);
		msg = NULL;
	}
	*err = msg;
	return code;
}

static int
conf_util_key_err(const config_setting_t *s, char **err, int code, const char *key,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_util_verr(s, err, code, key, fmt, ap);
	va_end(ap);
	return code;
}

int
plb_conf_err(const config_setting_t *s, char **err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_util_verr(s, err, code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int
plb_conf_check_keys(const config_setting_t *s, const char *const *allowed, char **err)
{
	char *list = NULL;
	size_t len = 0;
	FILE *f;
	int n, i;

	if (s == NULL)
		return 0;	/* an absent group has no unknown key */
	if (!config_setting_is_group(s))
		return plb_conf_err(s, err, -EINVAL, "expected a group { ... }");
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const char *name = config_setting_name(config_setting_get_elem(s, i));
		const char *const *a;

		for (a = allowed; a != NULL && *a != NULL; a++)
			if (strcmp(*a, name) == 0)
				break;
		if (a != NULL && *a != NULL)
			continue;
		if (allowed == NULL || allowed[0] == NULL)
			return conf_util_key_err(s, err, -EINVAL, name,
						 "unknown key (this group takes no keys)");
		f = open_memstream(&list, &len);
		if (f == NULL)
			return plb_err(err, -ENOMEM, "out of memory");
		for (a = allowed; *a != NULL; a++)
			fprintf(f, "%s%s", a == allowed ? "" : ", ", *a);
		if (fclose(f) != 0) {
			free(list);
			return plb_err(err, -ENOMEM, "out of memory");
		}
		conf_util_key_err(s, err, -EINVAL, name,
				  "unknown key (expected one of: %s)", list);
		free(list);
		return -EINVAL;
	}
	return 0;
}
