/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The applications' console commands and telemetry: the table, each one's
 * counters (summed over the workers) and its own 'app NAME ...' command.
 * Their per-worker state is the TCP feature's (tcp_glue.c runs them).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "apps.h"
#include "config.h"
#include "feature.h"
#include "tcp_glue.h"

static const char *
lib_of(uint32_t i)
{
	return i < NS_APP_N_BUILTIN ? "(built-in)" : app.cfg.apps[i - NS_APP_N_BUILTIN].lib;
}

static int
cmd_show_apps(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	ns_out_printf(o, "%-16s %-6s %14s  %s\n", "application", "api", "slow-callbacks", "lib");
	for (uint32_t i = 0; i < ns_n_apps; i++) {
		const struct ns_app_entry *e = &ns_app_table[i];

		ns_out_printf(o, "%-16s %u.%-4u %14" PRIu64 "  %s\n", e->name,
				e->ops->api_version >> 16, e->ops->api_version & 0xffff,
				__atomic_load_n(&e->slow, __ATOMIC_RELAXED), lib_of(i));
		for (uint32_t k = 0; k < e->n_ctrs; k++)
			ns_out_printf(o, "    app.%s.%-24s %" PRIu64 "\n", e->name,
					e->ops->counters[k], ns_apps_ctr_sum(i, k));
	}
	ns_out_printf(o, "callback budget: %u us ([global] app_budget_us)\n",
			app.cfg.app_budget_us);
	return 0;
}

int
ns_apps_show(struct ns_out *o, int argc, char **argv)
{
	for (uint32_t i = 0; i < ns_n_apps; i++) {
		const struct ns_app_entry *e = &ns_app_table[i];

		if (strcmp(e->name, argv[0]) != 0)
			continue;
		if (e->ops->show == NULL) {
			ns_out_printf(o, "error: application %s has no commands\n", e->name);
			return -1;
		}
		return e->ops->show((struct ns_app_out *)o, argc - 1, argv + 1);
	}
	return -2;
}

/* 'app NAME [ARGS...]' (or 'show NAME ARGS...' when no other command has
 * those words): the application's own command (its show callback). */
static int
cmd_app(struct ns_out *o, int argc, char **argv)
{
	int rc = ns_apps_show(o, argc - 1, argv + 1);

	if (rc == -2) {
		ns_out_printf(o, "error: no application '%s' (show apps)\n", argv[1]);
		return -1;
	}
	return rc;
}

static const struct ns_cmd cmds[] = {
		{"show apps", "Display",
				"applications: built-in and loaded, API version, slow callbacks, "
				"their counters",
				cmd_show_apps},
		{"app <name>", "Control", "an application's own command (no arguments)", cmd_app},
		{"app <name> <args...>", "Control",
				"an application's own command (also 'show NAME ARGS...')", cmd_app},
		{NULL, NULL, NULL, NULL},
};

static int
tel_apps(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	for (uint32_t i = 0; i < ns_n_apps; i++) {
		const struct ns_app_entry *e = &ns_app_table[i];
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "lib", lib_of(i));
		rte_tel_data_add_dict_u64(c, "api_version", e->ops->api_version);
		rte_tel_data_add_dict_u64(
				c, "slow_callbacks", __atomic_load_n(&e->slow, __ATOMIC_RELAXED));
		for (uint32_t k = 0; k < e->n_ctrs; k++)
			rte_tel_data_add_dict_u64(c, e->ops->counters[k], ns_apps_ctr_sum(i, k));
		rte_tel_data_add_dict_container(d, e->name, c, 0);
	}
	return 0;
}

/* --- an application's own endpoint, /nonstop/app/NAME (API 1.1) --------------- */

#define APP_TEL_PATH "/nonstop/app/"

/* A struct ns_app_tel is an rte_tel_data dict (the API keeps DPDK's types
 * out of applications).  rte_telemetry serialises one level of nesting, so
 * ns_app_tel_dict refuses a nested dict: the nested ones of the answer
 * being made are listed per thread (telemetry runs a thread per client). */
static __thread struct rte_tel_data *nested[RTE_TEL_MAX_DICT_ENTRIES];
static __thread uint32_t n_nested;

static bool
is_nested(const struct rte_tel_data *d)
{
	for (uint32_t i = 0; i < n_nested; i++)
		if (nested[i] == d)
			return true;
	return false;
}

static void
tel_key(char *out, size_t size, const char *key)
{
	size_t i = 0;

	for (; key != NULL && key[i] != '\0' && i + 1 < size; i++)
		out[i] = isalnum((unsigned char)key[i]) || key[i] == '_' ? key[i] : '_';
	out[i] = '\0';
	if (i == 0)
		snprintf(out, size, "_");
}

struct ns_app_tel *
ns_app_tel_dict(struct ns_app_tel *t, const char *key)
{
	struct rte_tel_data *d = (struct rte_tel_data *)t, *c;
	char k[64];

	if (d == NULL || is_nested(d) || n_nested == RTE_DIM(nested))
		return NULL;
	c = rte_tel_data_alloc();
	if (c == NULL)
		return NULL;
	rte_tel_data_start_dict(c);
	tel_key(k, sizeof(k), key);
	if (rte_tel_data_add_dict_container(d, k, c, 0) != 0) {
		rte_tel_data_free(c);
		return NULL;
	}
	nested[n_nested++] = c;
	return (struct ns_app_tel *)c;
}

void
ns_app_tel_u64(struct ns_app_tel *t, const char *key, uint64_t v)
{
	char k[64];

	if (t == NULL)
		return;
	tel_key(k, sizeof(k), key);
	rte_tel_data_add_dict_u64((struct rte_tel_data *)t, k, v);
}

void
ns_app_tel_str(struct ns_app_tel *t, const char *key, const char *v)
{
	char k[64];

	if (t == NULL)
		return;
	tel_key(k, sizeof(k), key);
	rte_tel_data_add_dict_string((struct rte_tel_data *)t, k, v != NULL ? v : "");
}

static int
tel_app(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const char *name = cmd + strlen(APP_TEL_PATH);
	int i = ns_app_find(name);

	rte_tel_data_start_dict(d);
	if (i < 0 || !ns_app_has_telemetry(ns_app_table[i].ops))
		return -EINVAL;
	n_nested = 0;
	/* A refusal is an answer too: the application set its "error". */
	ns_app_table[i].ops->telemetry((struct ns_app_tel *)d, params != NULL ? params : "");
	n_nested = 0;
	return 0;
}

void
ns_apps_tel_register(void)
{
	for (uint32_t i = 0; i < ns_n_apps; i++) {
		char path[64], help[128];

		if (!ns_app_has_telemetry(ns_app_table[i].ops))
			continue;
		snprintf(path, sizeof(path), APP_TEL_PATH "%s", ns_app_table[i].name);
		snprintf(help, sizeof(help),
				"Application %s's own telemetry; parameters: its own (try none)",
				ns_app_table[i].name);
		if (rte_telemetry_register_cmd(path, tel_app, help) != 0)
			NS_LOGT(app, WARNING,
					"telemetry: %s not registered (a name of letters, digits "
					"and '_' is needed)",
					path);
	}
}

static const struct ns_tel_cmd tel[] = {
		{"/nonstop/apps", tel_apps,
				"Applications: lib, API version, slow callbacks and their own "
				"counters. No parameters"},
		{NULL, NULL, NULL},
};

/* --dump-counters: app.NAME.COUNTER lines next to the other tables. */
static void
apps_dump(struct ns_out *o)
{
	for (uint32_t i = 0; i < ns_n_apps; i++) {
		const struct ns_app_entry *e = &ns_app_table[i];

		ns_out_printf(o, "app.%s.slow_callbacks %" PRIu64 "\n", e->name,
				__atomic_load_n(&e->slow, __ATOMIC_RELAXED));
		for (uint32_t k = 0; k < e->n_ctrs; k++)
			ns_out_printf(o, "app.%s.%s %" PRIu64 "\n", e->name, e->ops->counters[k],
					ns_apps_ctr_sum(i, k));
	}
}

static void
apps_show_config(struct ns_out *o)
{
	for (uint32_t i = 0; i < app.cfg.n_apps; i++) {
		const struct ns_app_cfg *a = &app.cfg.apps[i];
		const char *sub = NULL;
		int sub_len = 0;

		ns_out_printf(o, "[app.%s]\nlib = %s\n", a->name, a->lib);
		for (uint32_t k = 0; k < a->n_kv; k++) {
			const char *key = a->kv[k].key;
			int len = a->kv[k].sub_len;

			/* 'SUB.key' is key in [app.NAME.SUB]: the section again. */
			if (len != 0 && (sub == NULL || sub_len != len ||
							strncmp(sub, key, (size_t)len))) {
				sub = key;
				sub_len = len;
				ns_out_printf(o, "[app.%s.%.*s]\n", a->name, sub_len, sub);
			}
			ns_out_printf(o, "%s = %s\n", len != 0 ? key + len + 1 : key,
					a->kv[k].value);
		}
	}
}

struct ns_feature ns_feature_apps = {
		.name = "apps",
		.loops = NS_LOOPS_WORKERS,
		.cmds = cmds,
		.show_config = apps_show_config,
		.tel = tel,
		.dump_counters = apps_dump,
};
