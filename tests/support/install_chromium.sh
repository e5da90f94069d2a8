#!/usr/bin/env bash
# Debian's chromium and chromium-driver for the dashboard's browser tests; like install_postgres.sh,
# a machine where they cannot be installed only skips those tests (they say why).
set -euo pipefail

find_pair() {
    local browser driver
    browser="$(command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true)"
    driver="$(command -v chromedriver 2>/dev/null || true)"
    if [ -z "$driver" ] && [ -x /usr/lib/chromium/chromedriver ]; then
        driver=/usr/lib/chromium/chromedriver
    fi
    if [ -n "$browser" ] && [ -n "$driver" ]; then
        printf '%s %s\n' "$browser" "$driver"
        return 0
    fi
    return 1
}

if found="$(find_pair)"; then
    echo "Chromium already available: $found"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium not installed and not running as root: the browser tests will be skipped."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium not installed and apt-get is unavailable: the browser tests will be skipped."
    exit 0
fi

if ! apt-get update -qq >/dev/null 2>&1; then
    echo "apt-get update failed: the browser tests will be skipped."
    exit 0
fi

if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver fonts-noto-cjk >/dev/null 2>&1; then
    echo "apt-get install chromium chromium-driver failed: the browser tests will be skipped."
    exit 0
fi

if found="$(find_pair)"; then
    echo "Chromium installed: $found"
else
    echo "chromium packages installed but no browser/driver pair found: the browser tests will be skipped."
fi
exit 0
