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

vars_file=$here/../../integration_config.yml
if [[ ! -f $vars_file ]]; then
    echo "ERROR: $vars_file is missing; run the target through make integration (scripts/with-simulator.sh)" >&2
    exit 1
fi

# The example playbook of the collection under test: in a collection root on ANSIBLE_COLLECTIONS_PATH (which
# ansible-test sets to the tree it tests), else in the repository this target lies in (../../../../ from here).
playbook=
IFS=: read -r -a collection_roots <<<"${ANSIBLE_COLLECTIONS_PATH:-}"
for root in "${collection_roots[@]}" "$here/../../../.."; do
    for candidate in "$root/ansible_collections/seedops/veeam_em/examples/rpo_gate.yml" "$root/examples/rpo_gate.yml"; do
        if [[ -f $candidate ]]; then
            playbook=$candidate
            break 2
        fi
    done
done
if [[ -z $playbook ]]; then
    echo "ERROR: examples/rpo_gate.yml of seedops.veeam_em not found" \
        "(ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-}, target at $here)" >&2
    exit 1
fi

work_dir=${OUTPUT_DIR:-}
if [[ -z $work_dir ]]; then
    work_dir=$(mktemp -d)
    trap 'rm -rf "$work_dir"' EXIT
fi
output_file=$work_dir/rpo-gate-stats.json
rm -f "$output_file"

export ANSIBLE_ROLES_PATH=$here/..
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false

# The example takes em_url, em_username, em_password and em_ca_path: the simulator's Portal User, by reference.
connection='{"em_url": "{{ veeam_em_url }}", "em_username": "{{ veeam_em_portal_user }}",
  "em_password": "{{ veeam_em_portal_password }}", "em_ca_path": "{{ veeam_em_ca_path }}"}'
max_age=$(sed -n 's/^rpo_gate_max_age: *//p' "$here/vars.yml")

inventory=(-i "${INVENTORY_PATH:-localhost,}")

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
