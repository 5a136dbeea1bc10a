#!/usr/bin/env bash
# The one test command: `npm test` (everything) or `npm test -- <vitest args>` (only vitest,
# e.g. `npm test -- src/main/secrets`). From a bare clone it installs what is missing, then
# runs the suite inside a private D-Bus session with its own unlocked gnome-keyring, a
# throwaway HOME and SPECIAL_AGENT_HOME, so no test ever touches the user's keyring or
# ~/.special-agent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages that provide the commands below (same list as .ci/run).
DEB_PACKAGES=(chromium gnome-keyring dbus dbus-x11 libsecret-tools)
# Playwright launches this browser; apt puts Debian's at /usr/bin/chromium.
CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium || echo /usr/bin/chromium)}"
export CHROMIUM_PATH
# The throwaway HOME forgets when npm last checked for updates; keep the output quiet.
export npm_config_update_notifier=false

say() { printf 'test.sh: %s\n' "$*"; }
header() { printf '\n==> %s\n' "$*"; }

# --- a. system commands ------------------------------------------------------------------
# Prints "command (package)" for each needed command that is not installed.
missing_commands() {
  [[ -x "$CHROMIUM_PATH" ]] || echo "chromium (chromium; looked for $CHROMIUM_PATH)"
  command -v gnome-keyring-daemon >/dev/null || echo "gnome-keyring-daemon (gnome-keyring)"
  command -v dbus-run-session >/dev/null || echo "dbus-run-session (dbus)"
  command -v dbus-send >/dev/null || echo "dbus-send (dbus)"
  command -v secret-tool >/dev/null || echo "secret-tool (libsecret-tools)"
}

install_system_packages() {
  say "installing ${DEB_PACKAGES[*]} with apt-get"
  apt-get update
  local package
  for package in "${DEB_PACKAGES[@]}"; do
    if apt-cache policy "$package" | grep -q 'Candidate: (none)' ||
      [[ -z "$(apt-cache policy "$package")" ]]; then
      say "apt has no package named '$package' here; install the command it provides by hand"
      exit 1
    fi
  done
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${DEB_PACKAGES[@]}"
}

check_system() {
  local missing
  missing="$(missing_commands)"
  [[ -z "$missing" ]] && return 0
  if [[ -f /etc/debian_version && "$(id -u)" == 0 ]]; then
    install_system_packages
    missing="$(missing_commands)"
    [[ -z "$missing" ]] && return 0
  fi
  say "missing commands (package in brackets):"
  sed 's/^/  /' <<<"$missing"
  say "install them, e.g. on Debian/Ubuntu:"
  say "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${DEB_PACKAGES[*]}"
  say "(or point CHROMIUM_PATH at an existing Chromium)"
  exit 1
}

# --- b. npm dependencies ------------------------------------------------------------------
check_node_modules() {
  # A linked node_modules (e.g. shared by git worktrees) belongs to another checkout: npm ci
  # would empty it under that checkout's feet.
  if [[ -L node_modules ]]; then
    say "node_modules is a link; not running npm ci (run it where it points if packages changed)"
    return 0
  fi
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    header "npm ci (node_modules missing or older than package-lock.json)"
    ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci
  fi
}

# --- c. a private D-Bus session with an unlocked keyring ---------------------------------
rerun_in_test_session() {
  local scratch status=0
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/special-agent-test.XXXXXX")"
  mkdir -p "$scratch/home" "$scratch/data" "$scratch/config" "$scratch/cache" \
    "$scratch/runtime" "$scratch/special-agent"
  chmod 700 "$scratch/runtime"
  # A fresh random password per run: the keyring is thrown away afterwards anyway.
  SPECIAL_AGENT_TEST_KEYRING_PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
    SPECIAL_AGENT_TEST_DBUS=1 \
    HOME="$scratch/home" \
    XDG_DATA_HOME="$scratch/data" \
    XDG_CONFIG_HOME="$scratch/config" \
    XDG_CACHE_HOME="$scratch/cache" \
    XDG_RUNTIME_DIR="$scratch/runtime" \
    SPECIAL_AGENT_HOME="$scratch/special-agent" \
    dbus-run-session -- bash scripts/test-session.sh "$@" || status=$?
  rm -rf "$scratch"
  exit "$status"
}

# --- d. the suite -------------------------------------------------------------------------
# Every stage runs even after an earlier one failed (a lint slip must not hide a broken
# e2e run); the summary at the end names each stage's result and time, then the totals.
STAGES=()
FAILED=0

step() {
  local name="$1" started=$SECONDS result=ok
  shift
  header "$name: $*"
  if ! "$@"; then
    result=FAILED
    FAILED=1
  fi
  STAGES+=("$(printf '%-14s %-7s %4ss' "$name" "$result" "$((SECONDS - started))")")
}

# Machine-readable results of both runners, summed into one closing line.
REPORTS="$(mktemp -d "${TMPDIR:-/tmp}/special-agent-reports.XXXXXX")"
trap 'rm -rf "$REPORTS"' EXIT

# test-session.sh appends a line to this file each time the test keyring daemon exits.
KEYRING_EXITS="${SPECIAL_AGENT_TEST_KEYRING_EXITS:-/dev/null}"
keyring_exits() { grep -c . "$KEYRING_EXITS" 2>/dev/null || true; }

# A stage that failed while the test keyring crashed under it (gnome-keyring aborts now and
# then when a client goes away mid-call; test-session.sh starts it again) runs its failed
# tests once more. Only then: a failure with the keyring up is never retried.
crashed_during() { (($(keyring_exits) > $1)); }

run_vitest() {
  local exits_before
  exits_before="$(keyring_exits)"
  npx vitest run --reporter=default --reporter=json --outputFile.json="$REPORTS/vitest.json" "$@" &&
    return 0
  crashed_during "$exits_before" || return 1
  local failed_files
  mapfile -t failed_files < <(node -e '
    const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const file of report.testResults) if (file.status === "failed") console.log(file.name);
  ' "$REPORTS/vitest.json")
  ((${#failed_files[@]} > 0)) || return 1
  header "the test keyring crashed during vitest: running its ${#failed_files[@]} failed file(s) again"
  npx vitest run --reporter=default --reporter=json \
    --outputFile.json="$REPORTS/vitest-rerun.json" "${failed_files[@]}"
}

run_playwright() {
  local exits_before
  exits_before="$(keyring_exits)"
  PLAYWRIGHT_JSON_OUTPUT_NAME="$REPORTS/playwright.json" npx playwright test --reporter=list,json &&
    return 0
  crashed_during "$exits_before" || return 1
  header "the test keyring crashed during e2e: running its failed specs again"
  PLAYWRIGHT_JSON_OUTPUT_NAME="$REPORTS/playwright-rerun.json" \
    npx playwright test --last-failed --reporter=list,json
}

# Prints `tests: N passed, N failed, N skipped` over every report written; a file or spec
# run again after a keyring crash counts as its second run.
print_totals() {
  node -e '
    const fs = require("fs");
    const read = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : undefined);
    const [vitest, vitestRerun, playwright, playwrightRerun] = process.argv.slice(1).map(read);
    const totals = { passed: 0, failed: 0, skipped: 0 };
    const rerunFiles = new Map((vitestRerun?.testResults ?? []).map((file) => [file.name, file]));
    for (const first of vitest?.testResults ?? []) {
      for (const test of (rerunFiles.get(first.name) ?? first).assertionResults) {
        if (test.status === "passed") totals.passed += 1;
        else if (test.status === "failed") totals.failed += 1;
        else totals.skipped += 1;
      }
    }
    if (playwright) {
      const { expected, flaky, unexpected, skipped } = playwright.stats;
      const again = playwrightRerun?.stats;
      totals.passed += expected + flaky + (again ? again.expected + again.flaky : 0);
      totals.failed += again ? again.unexpected : unexpected;
      totals.skipped += skipped;
    }
    console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  ' "$REPORTS/vitest.json" "$REPORTS/vitest-rerun.json" "$REPORTS/playwright.json" \
    "$REPORTS/playwright-rerun.json"
}

print_summary() {
  header "summary (${SECONDS}s)"
  local line
  for line in "${STAGES[@]}"; do say "$line"; done
  ((${#SKIPPED[@]} > 0)) && say "skipped: $(IFS=,; echo "${SKIPPED[*]}")"
  if ((FAILED)); then say "FAILED: see the stages marked FAILED above"; else say "OK"; fi
  print_totals
}

SKIPPED=()

run_suite() {
  if (($# > 0)); then
    step vitest run_vitest "$@"
  else
    step lint npm run lint
    step typecheck npm run typecheck
    step build npm run build
    step vitest run_vitest
    if [[ -n "$(find e2e -name '*.spec.ts' -print -quit 2>/dev/null)" ]]; then
      step e2e run_playwright
    else
      SKIPPED+=("e2e (no e2e/*.spec.ts)")
    fi
    if [[ -f scripts/package-check.js ]]; then
      step package-check npm run package:check
    else
      SKIPPED+=("package-check (no scripts/package-check.js)")
    fi
  fi
  print_summary
  return "$FAILED"
}

if [[ "${SPECIAL_AGENT_TEST_DBUS:-}" != 1 ]]; then
  check_system
  check_node_modules
  rerun_in_test_session "$@"
fi
run_suite "$@"
