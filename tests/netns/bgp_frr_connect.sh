#!/usr/bin/env bash
# bgp_nsr.sh against FRR, which only listens: nonstop opens the session.
BGP_PEER=frr BGP_CONNECT=1 exec "$(dirname "$0")/bgp_nsr.sh" "$@"
