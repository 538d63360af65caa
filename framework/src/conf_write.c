/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.config: write a libconfig setting back as libconfig text, so that
 * what plb holds (a scheduler's options, the running services) can be
 * saved and read again (`plbctl save`, reload). Strings are escaped the way
 * libconfig reads them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_write.h"

static void
write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if ((unsigned char)*s < 0x20)
				fprintf(f, "\\x%02x", (unsigned char)*s);
			else
				fputc(*s, f);
		}
	}
	fputc('"', f);
}

static void write_value(FILE *f, const config_setting_t *s);

static void
write_members(FILE *f, const config_setting_t *s, const char *open, const char *close,
	      int named)
{
	int n = config_setting_length(s);

	fputs(open, f);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (named)
			fprintf(f, " %s = ", config_setting_name(e));
		else if (i > 0)
			fputs(", ", f);
		write_value(f, e);
		if (named)
			fputc(';', f);
	}
	fputs(n && named ? " " : "", f);
	fputs(close, f);
}

static void
write_value(FILE *f, const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		write_members(f, s, "{", "}", 1);
		break;
	case CONFIG_TYPE_ARRAY:
		write_members(f, s, "[", "]", 0);
		break;
	case CONFIG_TYPE_LIST:
		write_members(f, s, "(", ")", 0);
		break;
	case CONFIG_TYPE_INT:
		fprintf(f, "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		fprintf(f, "%lldL", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		fprintf(f, "%.17g", config_setting_get_float(s));
		break;
	case CONFIG_TYPE_STRING:
		write_string(f, config_setting_get_string(s));
		break;
	case CONFIG_TYPE_BOOL:
		fputs(config_setting_get_bool(s) ? "true" : "false", f);
		break;
	default:
		break;
	}
}

char *
plb_conf_setting_text(const config_setting_t *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	write_value(f, s);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void
plb_conf_write_string(FILE *f, const char *s)
{
	write_string(f, s);
}
