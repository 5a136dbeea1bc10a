#!/usr/bin/env bash
# Runs inside test.sh's private `dbus-run-session`: starts the suite's unlocked gnome-keyring,
# keeps it running, then runs `scripts/test.sh "$@"` against it.
#
# Why a watchdog: once in a few dozen full runs the daemon has vanished mid-suite, and D-Bus
# then activated a fresh, locked one that can only prompt on a display there is none of, so
# ~200 keychain tests failed for one lost process. Now a daemon that exits is started again
# on the same keyring file and password, the tests in flight at that moment are the only ones
# that can fail, and the summary names the exit status so the cause can be traced.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Kept in this shell only (not exported): no test process ever sees the password.
keyring_password="${SPECIAL_AGENT_TEST_KEYRING_PASSWORD:?test-session.sh: no keyring password given}"
unset SPECIAL_AGENT_TEST_KEYRING_PASSWORD
restarts_file="$(mktemp "${TMPDIR:-/tmp}/special-agent-keyring-exits.XXXXXX")"
BUS_NAME_WAIT_TENTHS=100

say() { printf 'test-session.sh: %s\n' "$*" >&2; }

secret_service_owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'
}

# Each pass starts a foreground daemon (the first plainly, later ones with --replace, which
# also takes the name back from a locked daemon D-Bus may have activated meanwhile) and waits.
supervise_keyring() {
  local daemon='' status replace=()
  trap '[[ -n "$daemon" ]] && kill "$daemon" 2>/dev/null; exit 0' TERM
  while :; do
    printf %s "$keyring_password" |
      gnome-keyring-daemon --foreground "${replace[@]}" --unlock --components=secrets >/dev/null &
    daemon=$!
    wait "$daemon"
    status=$?
    printf '%s exit status %s\n' "$(date +%T)" "$status" >>"$restarts_file"
    say "the test keyring (gnome-keyring-daemon) exited with status $status; starting it again" \
      "(tests using it at this moment may fail)"
    replace=(--replace)
    # Not at once: a daemon that cannot start at all must not spin.
    sleep 0.05
  done
}

supervise_keyring &
supervisor=$!
for ((tenth = 0; tenth < BUS_NAME_WAIT_TENTHS; tenth++)); do
  secret_service_owned && break
  sleep 0.1
done
if ! secret_service_owned; then
  say "gnome-keyring-daemon did not take org.freedesktop.secrets on the test bus within 10 s"
  kill "$supervisor"
  exit 1
fi

status=0
SPECIAL_AGENT_TEST_KEYRING_EXITS="$restarts_file" bash scripts/test.sh "$@" || status=$?
kill "$supervisor"
wait "$supervisor" 2>/dev/null
if [[ -s "$restarts_file" ]]; then
  say "the test keyring had to be started again during this run:"
  sed 's/^/  /' "$restarts_file" >&2
fi
rm -f "$restarts_file"
exit "$status"
