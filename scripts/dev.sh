#!/usr/bin/env bash
# Set up objector on a fresh Debian/Ubuntu machine (Python >= 3.11) and run it.
#
#   bash scripts/dev.sh demo    set up, then write a sample person's letter
#                               (PDF, .eml, text, HTML, calendar, how-to) to sample-letter/
#   bash scripts/dev.sh test    set up, then run the whole test suite, ruff and mypy (CI runs this)
#   bash scripts/dev.sh setup   set up only
#
# Set-up installs the system libraries WeasyPrint needs (Pango, HarfBuzz subset,
# fonts) when run as root, or prints the exact apt-get command otherwise; then it
# creates .venv and installs objector into it with its development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
# libharfbuzz-subset0 makes PDF font subsetting about 4x faster (pure-Python
# fallback otherwise); fonts-droid-fallback covers CJK glyphs (1.8 MB). The other
# fonts cover the names of LinkedIn's largest member countries, which would
# otherwise print as empty boxes: the Lohit fonts nine Indic scripts (1.4 MB),
# Norasi Thai (0.8 MB), Lexi Gulim all of Hangul (1.6 MB) and Symbola monochrome
# emoji (3.1 MB): 6.9 MB installed, 2.4 MB to download.
# Letters in Arabic, Hebrew, Japanese, Korean and Thai (issue 12) get a serif made
# for each script, with proper shaping and line breaking through Pango: Amiri
# (Naskh Arabic, 2.6 MB), Culmus (David CLM and other Hebrew faces, 2.3 MB),
# IPAex Mincho (7.7 MB), Nanum (Myeongjo and Gothic, 33.3 MB) and Laksaman
# (the TH Sarabun design, 0.5 MB): 46.4 MB installed. libthai (Thai word
# breaking) and fribidi come with Pango.
SYSTEM_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-droid-fallback
  fonts-lohit-deva fonts-lohit-taml fonts-lohit-beng-bengali fonts-lohit-telu fonts-lohit-knda
  fonts-lohit-mlym fonts-lohit-gujr fonts-lohit-guru fonts-lohit-orya
  fonts-tlwg-norasi-ttf fonts-lexi-gulim fonts-symbola
  fonts-hosny-amiri culmus fonts-ipaexfont-mincho fonts-nanum fonts-tlwg-laksaman-ttf"
# The test suite also checks every catalog with GNU gettext's msgfmt, reads
# PDF layout with poppler's pdftotext -bbox, and has Info-ZIP's unzip test the
# archives a batch writes.
TEST_PACKAGES="gettext poppler-utils unzip"
# The web page's browser tests drive Debian's Chromium with Playwright (the Python
# package, whose driver ships in its wheel; Playwright's own browser download is
# never used, so no 'playwright install').
BROWSER_PACKAGES="chromium"

say() { printf 'dev.sh: %s\n' "$*" >&2; }

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
  done
}

install_system_packages() {
  local wanted="$SYSTEM_PACKAGES ${1:-}"
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "not a Debian/Ubuntu system: install Pango (>= 1.44), HarfBuzz with hb-subset and DejaVu fonts yourself"
    return 0
  fi
  # A system Python needs python3-venv for 'python3 -m venv' (ensurepip).
  "$PYTHON" -c "import ensurepip, venv" 2>/dev/null || wanted="$wanted python3-venv"
  local need
  need="$(missing_packages $wanted)"
  [ -z "$need" ] && return 0
  if [ "$(id -u)" = "0" ]; then
    say "installing system packages: $need"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
  else
    say "objector needs these system packages; run:"
    echo "  sudo apt-get install -y $need" >&2
    exit 1
  fi
}

check_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "objector needs Python 3.11 or newer; set PYTHON=/path/to/python3.11"
    exit 1
  fi
}

setup() {
  check_python
  install_system_packages "${1:-}"
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[dev]"
}

demo() {
  setup
  rm -rf sample-letter
  "$VENV/bin/objector" letter \
    --name "Alex Beispiel" --email alex.beispiel@example.org \
    --country DE --state BE --address "Musterstraße 12" --address "10115 Berlin" \
    --profile-url https://www.linkedin.com/in/alex-beispiel \
    --reason-preset creative-work --format all -o sample-letter
  say "done: open sample-letter/letter.pdf, send as sample-letter/how-to-send.txt says"
}

run_tests() {
  setup "$TEST_PACKAGES $BROWSER_PACKAGES"
  "$VENV/bin/ruff" check objector tests benchmarks scripts
  "$VENV/bin/mypy"
  PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/python" -m pytest "$@"
}

case "${1:-}" in
  demo) demo ;;
  test) shift; run_tests "$@" ;;
  setup) setup ;;
  *) echo "usage: bash scripts/dev.sh demo|test|setup" >&2; exit 2 ;;
esac
