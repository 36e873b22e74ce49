#!/bin/sh
# Install the Debian packages the workbench needs when they are absent: chromium (browser
# tests, PDF printing), poppler-utils (pdftoppm, to look at PDF pages in tests) and R with
# the survey, MASS and survival packages (the live-R oracle of tests/survey/test_live_r.py).
# Safe to re-run: does nothing when all are present.
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
if ! command -v Rscript >/dev/null 2>&1; then
  missing="$missing r-base-core r-cran-survey r-cran-mass r-cran-survival"
elif ! Rscript -e 'suppressMessages({library(survey); library(MASS); library(survival)})' \
    >/dev/null 2>&1; then
  missing="$missing r-cran-survey r-cran-mass r-cran-survival"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "need the Debian packages:$missing (run: apt-get install$missing as root)" >&2; exit 1; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "need the packages:$missing, and this machine has no apt-get; install them by hand" >&2; exit 1; fi
echo "installing Debian packages:$missing" >&2
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
