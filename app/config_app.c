/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [app.NAME] sections: applications loaded from shared objects, and the
 * 'app = NAME' key of listeners and clients that binds them.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "apps.h"
#include "config.h"
#include "config_internal.h"

#define BUILTIN(i) (ns_builtin_apps[i]->name)

#define MAX_CONN_SIZE (64u << 10)

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
	n = rte_cfgfile_section_num_entries(c->f, sec);
	if (n < 0)
		return ns_cfg_error(c, sec, NULL, "cannot read the section");
	e = calloc(n > 0 ? (size_t)n : 1, sizeof(*e));
	if (e == NULL)
		return ns_cfg_error(c, sec, NULL, "out of memory");
	rte_cfgfile_section_entries(c->f, sec, e, n);
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
		if (a->n_kv == NS_APP_CFG_KEYS || strlen(e[i].name) >= NS_APP_CFG_KEY_LEN ||
				strlen(e[i].value) >= NS_APP_CFG_VAL_LEN) {
			int rc = ns_cfg_error(c, sec, e[i].name,
					"at most %d keys of %d characters with values of %d",
					NS_APP_CFG_KEYS, NS_APP_CFG_KEY_LEN - 1,
					NS_APP_CFG_VAL_LEN - 1);

			free(e);
			return rc;
		}
		snprintf(a->kv[a->n_kv].key, NS_APP_CFG_KEY_LEN, "%s", e[i].name);
		snprintf(a->kv[a->n_kv].value, NS_APP_CFG_VAL_LEN, "%s", e[i].value);
		a->n_kv++;
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
		if (strncmp(names[i], "app.", 4) != 0)
			continue;
		if (cfg->n_apps == NS_MAX_CFG_APPS)
			return ns_cfg_error(c, names[i], NULL, "more than %d applications",
					NS_MAX_CFG_APPS);
		if (load_one(c, names[i], &cfg->apps[cfg->n_apps]) < 0)
			return -1;
		cfg->n_apps++;
	}
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
