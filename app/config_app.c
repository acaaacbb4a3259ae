/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [app.NAME] sections: applications loaded from shared objects, and the
 * 'app = NAME' key of listeners and clients that binds them.  An
 * application's own sections, [app.NAME.SUB], hand it their keys as
 * 'SUB.key' after [app.NAME]'s.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "apps.h"
#include "config.h"
#include "config_internal.h"

#define BUILTIN(i) (ns_builtin_apps[i]->name)

#define MAX_CONN_SIZE (64u << 10)

/* One key for the application: 'key', or 'SUB.key' from [app.NAME.SUB]. */
static int
add_key(struct cfg_ctx *c, const char *sec, struct ns_app_cfg *a, const char *sub,
		const struct rte_cfgfile_entry *e)
{
	size_t klen = strlen(e->name) + (sub != NULL ? strlen(sub) + 1 : 0);

	if (a->n_kv == NS_APP_CFG_KEYS || klen >= NS_APP_CFG_KEY_LEN ||
			strlen(e->value) >= NS_APP_CFG_VAL_LEN)
		return ns_cfg_error(c, sec, e->name,
				"at most %d keys of %d characters (with their section's "
				"SUB.) with values of %d",
				NS_APP_CFG_KEYS, NS_APP_CFG_KEY_LEN - 1, NS_APP_CFG_VAL_LEN - 1);
	a->kv[a->n_kv].sub_len = (uint8_t)(sub != NULL ? strlen(sub) : 0);
	if (sub != NULL)
		snprintf(a->kv[a->n_kv].key, NS_APP_CFG_KEY_LEN, "%s.%s", sub, e->name);
	else
		snprintf(a->kv[a->n_kv].key, NS_APP_CFG_KEY_LEN, "%s", e->name);
	snprintf(a->kv[a->n_kv].value, NS_APP_CFG_VAL_LEN, "%s", e->value);
	a->n_kv++;
	return 0;
}

/* A section's entries (to be freed), or NULL when the error is reported. */
static struct rte_cfgfile_entry *
entries(struct cfg_ctx *c, const char *sec, int *n)
{
	struct rte_cfgfile_entry *e;

	*n = rte_cfgfile_section_num_entries(c->f, sec);
	if (*n < 0) {
		ns_cfg_error(c, sec, NULL, "cannot read the section");
		return NULL;
	}
	e = calloc(*n > 0 ? (size_t)*n : 1, sizeof(*e));
	if (e == NULL) {
		ns_cfg_error(c, sec, NULL, "out of memory");
		return NULL;
	}
	rte_cfgfile_section_entries(c->f, sec, e, *n);
	return e;
}

/* [app.NAME.SUB]: its keys go to application NAME, loaded before. */
static int
load_sub(struct cfg_ctx *c, struct ns_config *cfg, const char *sec)
{
	const char *name = sec + 4, *dot = strchr(name, '.');
	struct rte_cfgfile_entry *e;
	struct ns_app_cfg *a = NULL;
	int n, rc = 0;

	for (uint32_t i = 0; i < cfg->n_apps; i++)
		if (strlen(cfg->apps[i].name) == (size_t)(dot - name) &&
				!strncmp(cfg->apps[i].name, name, (size_t)(dot - name)))
			a = &cfg->apps[i];
	if (a == NULL)
		return ns_cfg_error(c, sec, NULL,
				"no [app.%.*s] section: [app.NAME.SUB] holds keys of "
				"application NAME",
				(int)(dot - name), name);
	if (dot[1] == '\0' || dot[strlen(dot) - 1] == '.')
		return ns_cfg_error(c, sec, NULL, "an empty SUB in [app.NAME.SUB]");
	e = entries(c, sec, &n);
	if (e == NULL)
		return -1;
	for (int i = 0; i < n && rc == 0; i++)
		rc = add_key(c, sec, a, dot + 1, &e[i]);
	free(e);
	return rc;
}

static int
load_one(struct cfg_ctx *c, const char *sec, struct ns_app_cfg *a)
{
	const char *name = sec + 4;
	struct rte_cfgfile_entry *e;
	const struct ns_app_ops *(*entry)(void);
	const struct ns_app_ops *ops;
	int n;

	memset(a, 0, sizeof(*a));
	if (name[0] == '\0' || strlen(name) >= sizeof(a->name))
		return ns_cfg_error(c, sec, NULL, "application name must be 1-%zu characters",
				sizeof(a->name) - 1);
	for (unsigned int i = 0; i < NS_APP_N_BUILTIN; i++)
		if (!strcmp(name, BUILTIN(i)))
			return ns_cfg_error(c, sec, NULL, "'%s' is a built-in application", name);
	snprintf(a->name, sizeof(a->name), "%s", name);
	e = entries(c, sec, &n);
	if (e == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!strcmp(e[i].name, "lib")) {
			if (strlen(e[i].value) >= sizeof(a->lib)) {
				free(e);
				return ns_cfg_error(c, sec, "lib",
						"path longer than %zu characters",
						sizeof(a->lib) - 1);
			}
			snprintf(a->lib, sizeof(a->lib), "%s", e[i].value);
			continue;
		}
		if (add_key(c, sec, a, NULL, &e[i]) < 0) {
			free(e);
			return -1;
		}
	}
	free(e);
	if (a->lib[0] == '\0')
		return ns_cfg_error(c, sec, "lib", "missing: the application's shared object");
	a->dl = dlopen(a->lib, RTLD_NOW | RTLD_LOCAL);
	if (a->dl == NULL)
		return ns_cfg_error(c, sec, "lib", "cannot load: %s", dlerror());
	*(void **)&entry = dlsym(a->dl, NS_APP_ENTRY_SYMBOL);
	if (entry == NULL)
		return ns_cfg_error(c, sec, "lib", "%s has no %s(): not a nonstop application",
				a->lib, NS_APP_ENTRY_SYMBOL);
	ops = entry();
	if (ops == NULL)
		return ns_cfg_error(c, sec, "lib", "%s: %s() returned no table", a->lib,
				NS_APP_ENTRY_SYMBOL);
	if (ops->api_version >> 16 != NS_APP_API_MAJOR ||
			(ops->api_version & 0xffff) > NS_APP_API_MINOR)
		return ns_cfg_error(c, sec, "lib",
				"%s was built for the application API %u.%u; this nonstop has "
				"%u.%u",
				a->lib, ops->api_version >> 16, ops->api_version & 0xffff,
				NS_APP_API_MAJOR, NS_APP_API_MINOR);
	if (ops->conn_size > MAX_CONN_SIZE)
		return ns_cfg_error(c, sec, "lib", "%s: conn_size %u is over %u bytes", a->lib,
				ops->conn_size, MAX_CONN_SIZE);
	a->ops = ops;
	return 0;
}

int
ns_cfg_load_apps(struct cfg_ctx *c, struct ns_config *cfg, char **names, int nsec)
{
	for (int i = 0; i < nsec; i++) {
		if (strncmp(names[i], "app.", 4) != 0 || strchr(names[i] + 4, '.') != NULL)
			continue;
		if (cfg->n_apps == NS_MAX_CFG_APPS)
			return ns_cfg_error(c, names[i], NULL, "more than %d applications",
					NS_MAX_CFG_APPS);
		if (load_one(c, names[i], &cfg->apps[cfg->n_apps]) < 0)
			return -1;
		cfg->n_apps++;
	}
	for (int i = 0; i < nsec; i++)
		if (strncmp(names[i], "app.", 4) == 0 && strchr(names[i] + 4, '.') != NULL &&
				load_sub(c, cfg, names[i]) < 0)
			return -1;
	return 0;
}

int
ns_cfg_get_app(struct cfg_ctx *c, const struct ns_config *cfg, const char *sec, bool client,
		uint32_t *out)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, "app");
	char list[256];
	int len;

	if (v == NULL)
		return 0;
	for (uint32_t i = 0; i < NS_APP_N_BUILTIN; i++)
		if (!strcmp(v, BUILTIN(i)) && (client || i != NS_APP_ECHO_CHECK)) {
			*out = i;
			return 0;
		}
	for (uint32_t i = 0; i < cfg->n_apps; i++)
		if (!strcmp(v, cfg->apps[i].name)) {
			*out = NS_APP_N_BUILTIN + i;
			return 0;
		}
	len = snprintf(list, sizeof(list), "%s",
			client ? "echo, sink, source, echo-check" : "echo, sink, source");
	for (uint32_t i = 0; i < cfg->n_apps && len > 0 && (size_t)len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - (size_t)len, ", %s", cfg->apps[i].name);
	return ns_cfg_error(c, sec, "app", "'%s' is not an application (%s)", v, list);
}

const char *
ns_cfg_app_name(const struct ns_config *cfg, uint32_t idx)
{
	if (idx < NS_APP_N_BUILTIN)
		return BUILTIN(idx);
	idx -= NS_APP_N_BUILTIN;
	return idx < cfg->n_apps ? cfg->apps[idx].name : "?";
}
