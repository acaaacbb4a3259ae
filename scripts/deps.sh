#!/usr/bin/env bash
# Install the Debian packages nonstop needs to build, test and demo.
# Idempotent: installs only what is missing. Debian 12 (DPDK 22.11).
set -euo pipefail

pkgs=(
	build-essential pkg-config meson ninja-build
	libdpdk-dev dpdk-dev dpdk libnuma-dev libpcap-dev libssl-dev
	clang libclang-rt-14-dev
	python3 python3-scapy tshark tcpdump
	iproute2 iputils-ping iputils-arping ethtool nftables socat
	frr bird2 gobgpd exabgp redis-server redis-tools
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root (or: sudo apt-get install -y ${missing[*]})" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
