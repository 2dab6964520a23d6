#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages citybench needs to build and test (the -dev headers of
# libcurl, SQLite and OpenSSL, pkg-config, and the sqlite3/openssl/curl tools the tests call).
# Idempotent: checks each package with dpkg-query first and touches apt only if one is missing.
# The Swift toolchain itself is not an apt package; this script only checks that it is there.
set -euo pipefail

packages=(libcurl4-openssl-dev libsqlite3-dev libssl-dev pkg-config sqlite3 openssl curl)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} system packages present"
else
    echo "install-deps: installing missing packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-deps: cannot install ${missing[*]}: not root and sudo is not available; ask an administrator to run: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update \
        || ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"; then
        echo "install-deps: apt-get could not install ${missing[*]}; check the network and apt sources, then run this script again" >&2
        exit 1
    fi
    for p in "${missing[@]}"; do
        if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
            echo "install-deps: apt-get finished but $p is still not installed; install it by hand and run this script again" >&2
            exit 1
        fi
    done
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: the Swift toolchain (6.0 or newer) is not on PATH; install it from https://www.swift.org/install/linux/ (or put /opt/swift/usr/bin on PATH)" >&2
    exit 1
fi
