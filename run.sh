#!/bin/sh
# ./run.sh          install everything and start the portal at http://127.0.0.1:5000 (SQLite)
# ./run.sh test     install what the tests need and run the whole suite (extra args go to pytest)
set -eu
cd "$(dirname "$0")"
VENV=.venv
PY="$VENV/bin/python"
# The portal runs as production unless told otherwise; here it is a developer's machine.
export PORTAL_ENV="${PORTAL_ENV:-development}"

make_venv() {
    [ -x "$PY" ] && return
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        # Debian ships venv separately; install it when we may.
        rm -rf "$VENV"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            python3 -m venv "$VENV"
        else
            echo "python3 cannot create a virtual environment: install python3-venv first" >&2
            exit 1
        fi
    fi
}

install() {
    make_venv
    "$PY" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".$1"
    "$VENV/bin/flask" --app portal translate compile
}

browser_tools() {
    # The Nu Html Checker runs on Java; without it, vnu-jar's install would try to download one.
    if ! command -v java >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            openjdk-17-jre-headless >/dev/null
    fi
    # axe-core and the Nu Html Checker (vnu-jar), pinned in package-lock.json.
    if command -v npm >/dev/null 2>&1; then
        npm ci --no-audit --no-fund --loglevel=error
    else
        echo "npm not found: the accessibility checks will be skipped" >&2
    fi
    # Debian's Chromium drives the browser tests; installing it needs root and apt.
    if ! command -v chromium >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                chromium fonts-noto-cjk >/dev/null
        else
            echo "chromium not found: the browser tests will be skipped" >&2
        fi
    fi
}

pdf_tools() {
    # The PDF print (WeasyPrint) embeds Noto fonts for Arabic (fonts-noto-core) and Japanese;
    # "$@": more Debian packages (poppler-utils reads the PDFs in the tests). Needs root and apt.
    command -v dpkg-query >/dev/null 2>&1 || return 0
    missing=""
    for package in fonts-noto-core fonts-noto-cjk "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
            missing="$missing $package"
    done
    [ -n "$missing" ] || return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        # shellcheck disable=SC2086 # one word per package
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "not installed:$missing (fonts of the PDF print, tools of its tests)" >&2
    fi
}

case "${1:-serve}" in
    serve)
        install ""
        pdf_tools
        "$VENV/bin/flask" --app portal db upgrade
        "$VENV/bin/flask" --app portal demo
        # The demo merchant's simulated connector reports a run every minute (with the sandbox
        # only: it says so and stops otherwise). Ctrl-C stops it with the portal.
        "$VENV/bin/flask" --app portal sandbox connector &
        exec "$VENV/bin/flask" --app portal run --host 127.0.0.1 --port 5000
        ;;
    test)
        shift
        install "[test]"
        browser_tools
        pdf_tools poppler-utils
        exec "$VENV/bin/pytest" "$@"
        ;;
    *)
        echo "usage: ./run.sh [serve | test [pytest args]]" >&2
        exit 2
        ;;
esac
