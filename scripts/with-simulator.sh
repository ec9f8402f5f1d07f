#!/usr/bin/env bash
# Run a command while the EM simulator runs, and always stop the simulator afterwards.
#
# Usage: scripts/with-simulator.sh [--vars-prefix PREFIX] [--vars-file FILE ...] -- COMMAND [ARG ...]
#
# Starts `python -m em_simulator --port 0 --tls-dir ... --state-file ...` in the background, waits until it
# has written its state file ({"url": ..., "ca_path": ..., "pid": ...}), exports EM_SIM_URL and
# EM_SIM_CA_PATH, writes each FILE with the connection variables for playbooks (PREFIXurl, PREFIXca_path,
# PREFIXusername, PREFIXpassword, PREFIXportal_user, PREFIXportal_password; PREFIX defaults to veeam_em_,
# and --vars-prefix applies to the --vars-file options after it), runs COMMAND and returns its exit status.
# A trap stops the simulator on every exit path (success, failure, Ctrl-C, TERM).
#
# Environment: PYTHON (default .venv/bin/python), SIM_TLS_DIR (build/sim-tls),
# SIM_STATE_FILE (build/sim-state.json), SIM_LOG (build/sim.log), SIM_START_TIMEOUT (seconds, 60),
# SIM_PROFILE (the simulator profile, em_simulator/profiles.py: vbr13 by default, lag, classic),
# SIM_ARGS (extra simulator arguments).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

python=${PYTHON:-$root/.venv/bin/python}
tls_dir=${SIM_TLS_DIR:-$root/build/sim-tls}
state_file=${SIM_STATE_FILE:-$root/build/sim-state.json}
log_file=${SIM_LOG:-$root/build/sim.log}
timeout=${SIM_START_TIMEOUT:-60}
vars_files=()
vars_prefix=veeam_em_

while (($#)); do
    case $1 in
        --vars-prefix) vars_prefix=$2; shift 2 ;;
        --vars-file) vars_files+=("$vars_prefix" "$2"); shift 2 ;;
        --) shift; break ;;
        *) break ;;
    esac
done
if ((!$#)); then
    echo "usage: $0 [--vars-prefix PREFIX] [--vars-file FILE ...] -- COMMAND [ARG ...]" >&2
    exit 2
fi

mkdir -p "$tls_dir" "$(dirname "$state_file")" "$(dirname "$log_file")"
rm -f "$state_file"

sim_pid=
cmd_pid=
# shellcheck disable=SC2317,SC2329  # run by the traps below, which shellcheck does not follow
stop_simulator() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [[ -n $sim_pid ]] && kill -0 "$sim_pid" 2>/dev/null; then
        echo "with-simulator: stopping the simulator (pid $sim_pid)"
        kill -TERM "$sim_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$sim_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$sim_pid" 2>/dev/null; then
            echo "with-simulator: simulator did not stop on TERM, killing it"
            kill -KILL "$sim_pid" 2>/dev/null || true
        fi
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -f "$state_file"
    exit "$status"
}
# On INT/TERM/HUP: pass TERM on to the command (it runs in the background so that the signal is handled
# at once rather than when the command ends), then exit, which stops the simulator.
# shellcheck disable=SC2317,SC2329  # run by the traps below, which shellcheck does not follow
on_signal() {
    if [[ -n $cmd_pid ]] && kill -0 "$cmd_pid" 2>/dev/null; then
        kill -TERM "$cmd_pid" 2>/dev/null || true
        wait "$cmd_pid" 2>/dev/null || true
    fi
    exit "$1"
}
trap stop_simulator EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

# shellcheck disable=SC2086  # SIM_ARGS is a list of words on purpose
"$python" -m em_simulator --host 127.0.0.1 --port 0 --tls-dir "$tls_dir" --state-file "$state_file" \
    --profile "${SIM_PROFILE:-vbr13}" ${SIM_ARGS:-} </dev/null >"$log_file" 2>&1 &
sim_pid=$!
echo "with-simulator: started the simulator (pid $sim_pid, log $log_file), waiting for $state_file"

deadline=$((SECONDS + timeout))
until "$python" "$here/sim_vars.py" --check "$state_file" 2>/dev/null; do
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "with-simulator: ERROR: the simulator exited before it was ready; its log:" >&2
        cat "$log_file" >&2 || true
        sim_pid=
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "with-simulator: ERROR: no state file after ${timeout}s; simulator log:" >&2
        cat "$log_file" >&2 || true
        exit 1
    fi
    sleep 0.2
done

eval "$("$python" "$here/sim_vars.py" --shell "$state_file")"
export EM_SIM_URL EM_SIM_CA_PATH
echo "with-simulator: simulator ready at $EM_SIM_URL (CA $EM_SIM_CA_PATH)"
for ((i = 0; i < ${#vars_files[@]}; i += 2)); do
    "$python" "$here/sim_vars.py" --prefix "${vars_files[i]}" --write "${vars_files[i + 1]}" "$state_file"
    echo "with-simulator: wrote ${vars_files[i + 1]} (${vars_files[i]}* variables)"
done

set +e
"$@" &
cmd_pid=$!
wait "$cmd_pid"
status=$?
cmd_pid=
set -e
exit "$status"
