/* SPDX-License-Identifier: BSD-3-Clause */
/* An application built for another major version of the API: nonstop must
 * refuse to load it (tests/app/config_errors.sh). */
#include <nonstop/app.h>

static const struct ns_app_ops ops = {
		.api_version = ((NS_APP_API_MAJOR + 1) << 16),
		.name = "badver",
};

const struct ns_app_ops *
ns_app_entry(void)
{
	return &ops;
}
