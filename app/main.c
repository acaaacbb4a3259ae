/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nonstop: EAL options first, then "--", then application options
 * (as dpdk-testpmd).  The main lcore runs the control path; worker lcores
 * run the dataplane loop; a worker may share the main lcore (-l 0).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "app.h"
#include "control.h"
#include "feature.h"

struct ns_app app = {.ts_dynfield = -1, .ts_to_ns = 1};
int ns_logtype_app, ns_logtype_port, ns_logtype_ctl;

static const char *opt_config, *opt_cmdfile, *opt_ctl, *opt_dump;
static int opt_interactive, opt_no_ctl;

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- --config FILE [options]\n"
	       "  --config FILE        INI configuration (see README: Configuration)\n"
	       "  -i, --interactive    interactive console (rte_cmdline, TAB completion)\n"
	       "  --cmdline-file FILE  run the commands in FILE once the ports are up\n"
	       "  --ctl-socket PATH    control socket for nonstopctl\n"
	       "                       (default /run/nonstop/<file-prefix>/ctl.sock)\n"
	       "  --no-ctl             no control socket\n"
	       "  --replay             pcap replay: take time from packet timestamps and exit\n"
	       "                       once every rx queue is drained\n"
	       "  --dump-counters FILE at exit, write every counter as 'name value'\n"
	       "  -h, --help           this text\n",
			prog);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
			{"config", required_argument, NULL, 'c'},
			{"interactive", no_argument, NULL, 'i'},
			{"cmdline-file", required_argument, NULL, 'f'},
			{"ctl-socket", required_argument, NULL, 's'},
			{"no-ctl", no_argument, NULL, 'n'},
			{"replay", no_argument, NULL, 'r'},
			{"dump-counters", required_argument, NULL, 'd'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ih", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opt_config = optarg;
			break;
		case 'i':
			opt_interactive = 1;
			break;
		case 'f':
			opt_cmdfile = optarg;
			break;
		case 's':
			opt_ctl = optarg;
			break;
		case 'n':
			opt_no_ctl = 1;
			break;
		case 'r':
			app.replay = true;
			break;
		case 'd':
			opt_dump = optarg;
			break;
		case 'h':
			usage(argv[0]);
			exit(0);
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "nonstop: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (opt_config == NULL) {
		fprintf(stderr, "nonstop: --config FILE is required (examples in "
				"drivers-config/)\n");
		return -1;
	}
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	app.quit = true;
}

void
ns_control_poll(void)
{
	struct ns_feature *f;

	ns_console_poll();
	ns_ctl_poll();
	NS_FEATURE_FOREACH(i, f)
	if (f->control_poll != NULL && ns_feature_on(f))
		f->control_poll();
}

static void
default_workers(struct ns_config *cfg)
{
	unsigned int lc;

	if (cfg->n_workers != 0)
		return;
	RTE_LCORE_FOREACH_WORKER(lc)
	{
		if (cfg->n_workers < NS_MAX_WORKERS)
			cfg->workers[cfg->n_workers++] = lc;
	}
	if (cfg->n_workers == 0)
		cfg->workers[cfg->n_workers++] = rte_get_main_lcore();
}

static void
dump_table(struct ns_out *o, const char *prefix, const struct ns_ctr_desc *desc, const uint64_t *v,
		unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		ns_out_printf(o, "%s.%s %" PRIu64 "\n", prefix, desc[i].name, v[i]);
}

/* Every counter as 'name value' (raw totals): the dataplane's and the host
 * stack's, the control socket's, then each feature's (when it is on, or
 * its table says so). */
static int
dump_counters(const char *path)
{
	struct ns_out o = {0};
	FILE *f = fopen(path, "w");
	uint64_t net[NS_NET__MAX], dp[NS_DP__MAX], ctl[NS_CTL__MAX];
	struct ns_feature *ft;

	if (f == NULL) {
		NS_LOG(ERR, "--dump-counters %s: %s", path, strerror(errno));
		return -1;
	}
	ns_counters_sum(net, dp);
	dump_table(&o, "dp", ns_dp_ctr_desc, dp, NS_DP__MAX);
	dump_table(&o, "net", ns_net_ctr_desc, net, NS_NET__MAX);
	ns_ctl_stats_sum(ctl);
	dump_table(&o, "ctl", ns_ctl_ctr_desc, ctl, NS_CTL__MAX);
	NS_FEATURE_FOREACH(i, ft)
	{
		const struct ns_feature_ctrs *k = ft->ctrs;
		uint64_t *v;

		if (k != NULL && (ns_feature_on(ft) || k->dump_when_off) &&
				(v = calloc(k->n, sizeof(*v))) != NULL) {
			k->sum(v);
			dump_table(&o, k->prefix, k->desc, v, k->n);
			free(v);
		}
		if (ft->dump_counters != NULL && ns_feature_on(ft))
			ft->dump_counters(&o);
	}
	if (o.len)
		fwrite(o.buf, 1, o.len, f);
	ns_out_free(&o);
	return fclose(f);
}

int
main(int argc, char **argv)
{
	char err[512];
	int ret, rc = 1;
	struct ns_worker *main_worker = NULL;
	bool pdump_ok = false;
	const char *what;

	/* No fast bins: glibc keeps small freed chunks there uncoalesced and
	 * merges them all at the next large free or allocation, in one call that
	 * walks every one.  A worker frees in bounded batches (a cleared
	 * keyspace, an application's table): with fast bins the last batch paid
	 * for all of them, 27-49 ms of a worker's loop after a FLUSHALL of 190k
	 * keys, longer than a failover time.  Without them each free merges its
	 * own neighbours (the per-thread cache still serves the hot sizes). */
	mallopt(M_MXFAST, 0);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "nonstop: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	argv[0] = (char *)"nonstop";
	ns_logtype_app = rte_log_register_type_and_pick_level("nonstop.app", RTE_LOG_INFO);
	ns_logtype_port = rte_log_register_type_and_pick_level("nonstop.port", RTE_LOG_INFO);
	ns_logtype_ctl = rte_log_register_type_and_pick_level("nonstop.ctl", RTE_LOG_INFO);

	if (parse_args(argc, argv) < 0)
		goto out_eal;
	if (ns_config_load(&app.cfg, opt_config, err, sizeof(err)) < 0) {
		fprintf(stderr, "nonstop: config error: %s\n", err);
		goto out_eal;
	}
	default_workers(&app.cfg);
	if (ns_config_check_lcores(&app.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "nonstop: config error: %s\n", err);
		goto out_eal;
	}
	if (app.replay && app.cfg.n_workers != 1) {
		fprintf(stderr, "nonstop: --replay needs exactly one worker (use -l 0)\n");
		goto out_eal;
	}
	ns_dataplane_plan();
	if (app.replay && app.n_loops != 1) {
		fprintf(stderr, "nonstop: --replay runs on one lcore: [lcores] fastpath must be "
				"the worker's\n");
		goto out_eal;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* A reader that went away (a ctl client, a closed stdout) is an error
	 * on that write, never the end of the process. */
	signal(SIGPIPE, SIG_IGN);
	app.tsc_hz = rte_get_tsc_hz();

	app.pool = rte_pktmbuf_pool_create("ns_mbufs", app.cfg.mbufs, app.cfg.mbuf_cache, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (app.pool == NULL) {
		fprintf(stderr, "nonstop: mbuf pool of %u: %s (lower [global] mbufs or raise -m)\n",
				app.cfg.mbufs, rte_strerror(rte_errno));
		goto out_eal;
	}
	if (ns_ports_init(err, sizeof(err)) < 0) {
		fprintf(stderr, "nonstop: %s: %s\n", opt_config, err);
		goto out_ports;
	}
	if (ns_dataplane_init(&what) < 0) {
		fprintf(stderr, "nonstop: %s: start-up failed (memory? the log says more)\n", what);
		goto out_dp;
	}
	if (ns_cmds_build() < 0) {
		fprintf(stderr, "nonstop: no memory for the command table\n");
		goto out_dp;
	}
	pdump_ok = rte_pdump_init() == 0;
	if (!pdump_ok)
		NS_LOG(INFO,
				"pdump not available (%s): dpdk-dumpcap needs multi-process, i.e. "
				"no --no-shconf",
				rte_strerror(rte_errno));
	ns_telemetry_init();
	if (ns_console_init(opt_interactive) < 0) {
		fprintf(stderr, "nonstop: console init failed\n");
		goto out_dp;
	}
	if (!opt_no_ctl) {
		char def[108];

		if (opt_ctl == NULL) {
			char rd[PATH_MAX];

			snprintf(rd, sizeof(rd), "%s", rte_eal_get_runtime_dir());
			snprintf(def, sizeof(def), "/run/nonstop/%s/ctl.sock", basename(rd));
			opt_ctl = def;
		}
		snprintf(app.ctl_path, sizeof(app.ctl_path), "%s", opt_ctl);
		if (ns_ctl_init(app.ctl_path) < 0) {
			fprintf(stderr, "nonstop: cannot open control socket %s\n", app.ctl_path);
			goto out_console;
		}
		NS_LOGT(ctl, INFO, "control socket %s", app.ctl_path);
	}

	for (uint32_t i = 0; i < app.n_loops; i++) {
		struct ns_worker *w = &app.worker[i];

		if (w->lcore == rte_get_main_lcore())
			main_worker = w;
		else
			rte_eal_remote_launch(ns_worker_main, w, w->lcore);
	}
	NS_LOG(INFO, "running: %u port(s), %u worker(s)%s, idle %s", app.cfg.n_ports,
			app.cfg.n_workers,
			app.n_loops > app.cfg.n_workers ? " and a fast-path lcore" : "",
			ns_idle_name(app.cfg.idle));
	if (opt_cmdfile != NULL && ns_console_run_file(opt_cmdfile) < 0)
		NS_LOG(ERR, "--cmdline-file %s: cannot open", opt_cmdfile);

	if (main_worker != NULL) {
		ns_worker_main(main_worker);
	} else {
		while (!app.quit) {
			ns_control_poll();
			usleep(1000);
		}
	}
	rte_eal_mp_wait_lcore();
	rc = 0;
	if (opt_dump != NULL && dump_counters(opt_dump) != 0)
		rc = 1;
	ns_ctl_fini();
out_console:
	ns_console_fini();
out_dp:
	if (pdump_ok)
		rte_pdump_uninit();
	ns_cmds_free();
	ns_dataplane_fini();
out_ports:
	ns_ports_fini();
	rte_mempool_free(app.pool);
out_eal:
	rte_eal_cleanup();
	return rc;
}
