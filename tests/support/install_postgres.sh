#!/usr/bin/env bash
set -euo pipefail

find_initdb() {
    local candidate
    if candidate="$(command -v initdb 2>/dev/null)"; then
        printf '%s\n' "$candidate"
        return 0
    fi
    for candidate in $(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V -r); do
        if [ -x "$candidate" ]; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}

if initdb_path="$(find_initdb)"; then
    echo "PostgreSQL already available: $initdb_path"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL not installed and not running as root: the PostgreSQL tests will be skipped."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL not installed and apt-get is unavailable: the PostgreSQL tests will be skipped."
    exit 0
fi

if ! apt-get update -qq >/dev/null 2>&1; then
    echo "apt-get update failed: the PostgreSQL tests will be skipped."
    exit 0
fi

if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1; then
    echo "apt-get install postgresql failed: the PostgreSQL tests will be skipped."
    exit 0
fi

if initdb_path="$(find_initdb)"; then
    echo "PostgreSQL installed: $initdb_path"
else
    echo "postgresql package installed but no initdb found: the PostgreSQL tests will be skipped."
fi
exit 0
