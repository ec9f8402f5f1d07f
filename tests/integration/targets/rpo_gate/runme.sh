#!/usr/bin/env bash
# Runs the collection's examples/rpo_gate.yml against the EM simulator, as a user would, under the Portal User
# account, for three hosts (inventory.ini): one whose VM has a fresh restore point, one whose VM's newest point is
# older than max_age, one whose VM is in no job. Then checks the outcome with small playbooks of this target:
#   prepare.yml  reset the simulator with short timings, check the three VMs' starting point, reset the counters
#   verify.yml   the play's outcome per host, the set_stats evidence, the restore points after, the counters
# The example runs with ../setup_em_simulator/callback_plugins/play_stats_file.py, which writes its per-host stats
# and its set_stats data as JSON for verify.yml.
# ansible-test runs this script from the target's directory (in a temporary copy of the tests tree) with -v
# options as arguments; the connection variables of the simulator (veeam_em_url, ...) are in
# tests/integration/integration_config.yml, written by scripts/with-simulator.sh (make integration).
set -eux

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# example_setup sets these (declared here for shellcheck, which does not read sourced files).
vars_file='' playbook='' work_dir=''
inventory=()
# shellcheck source=../setup_em_simulator/files/example_runme.sh
source "$here/../setup_em_simulator/files/example_runme.sh"
example_setup "$here" rpo_gate.yml

output_file=$work_dir/rpo-gate-stats.json
rm -f "$output_file"

# The example takes em_url, em_username, em_password and em_ca_path: the simulator's Portal User, by reference.
connection=$(example_connection portal_user)
max_age=$(sed -n 's/^rpo_gate_max_age: *//p' "$here/vars.yml")

cd "$here"

ansible-playbook "${inventory[@]}" prepare.yml -e "@$vars_file" "$@"

# The VM in no job fails the gate, so the play ends with status 2 (a failed host); anything else is wrong.
status=0
ANSIBLE_CALLBACK_PLUGINS=$here/../setup_em_simulator/callback_plugins ANSIBLE_CALLBACKS_ENABLED=play_stats_file ANSIBLE_SHOW_CUSTOM_STATS=true \
    PLAY_STATS_FILE=$output_file \
    ansible-playbook -i inventory.ini "$playbook" -e "@$vars_file" -e "$connection" -e "max_age=$max_age" "$@" || status=$?
cat "$output_file"
if [[ $status -ne 2 ]]; then
    echo "ERROR: examples/rpo_gate.yml ended with status $status, expected 2 (one host fails the gate)" >&2
    exit 1
fi

ansible-playbook "${inventory[@]}" verify.yml -e "@$vars_file" -e "rpo_gate_output_file=$output_file" "$@"
