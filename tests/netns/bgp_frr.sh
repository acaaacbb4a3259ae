#!/usr/bin/env bash
# bgp_nsr.sh against FRR 8.4's bgpd.
BGP_PEER=frr exec "$(dirname "$0")/bgp_nsr.sh" "$@"
