#!/usr/bin/env bash
# Runs the collection's examples/maintenance_window.yml against the EM simulator, as a user would: the entry
# (-e maintenance_phase=enter) while jobs run on the backup server, then the exit (maintenance_phase=exit), and
# checks the state after each phase with small playbooks of this target:
#   prepare.yml        reset the simulator, start jobs on the server, record every job's schedule state
#   check_entered.yml  after the entry: every schedule of the server off, nothing running there
#   verify.yml         after the exit: the same schedules as before the entry, nothing running, no logon left
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
    for candidate in "$root/ansible_collections/seedops/veeam_em/examples/maintenance_window.yml" \
        "$root/examples/maintenance_window.yml"; do
        if [[ -f $candidate ]]; then
            playbook=$candidate
            break 2
        fi
    done
done
if [[ -z $playbook ]]; then
    echo "ERROR: examples/maintenance_window.yml of seedops.veeam_em not found" \
        "(ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-}, target at $here)" >&2
    exit 1
fi

# Where the phases keep their state: ansible-test's output directory of the target, else a temporary one.
work_dir=${OUTPUT_DIR:-}
if [[ -z $work_dir ]]; then
    work_dir=$(mktemp -d)
    trap 'rm -rf "$work_dir"' EXIT
fi
state_file=$work_dir/maintenance-window-state.json
record_file=$work_dir/maintenance-window-before.json
rm -f "$state_file" "$record_file"

backup_server=vbr01.tech.local

export ANSIBLE_ROLES_PATH=$here/..
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false

inventory=(-i "${INVENTORY_PATH:-localhost,}")
# The example takes em_url, em_username, em_password and em_ca_path: the simulator's, by reference.
connection='{"em_url": "{{ veeam_em_url }}", "em_username": "{{ veeam_em_username }}",
  "em_password": "{{ veeam_em_password }}", "em_ca_path": "{{ veeam_em_ca_path }}"}'
common=(-e "@$vars_file" -e "maintenance_window_server=$backup_server"
    -e "maintenance_window_state_file=$state_file" -e "maintenance_window_record_file=$record_file")
example=(-e "@$vars_file" -e "$connection" -e "vbr_server=$backup_server" -e "maintenance_state_file=$state_file"
    -e maintenance_stop_timeout=120)

cd "$here"

ansible-playbook "${inventory[@]}" prepare.yml "${common[@]}" "$@"

ansible-playbook "${inventory[@]}" "$playbook" "${example[@]}" -e maintenance_phase=enter "$@"
test -s "$state_file"

ansible-playbook "${inventory[@]}" check_entered.yml "${common[@]}" "$@"

ansible-playbook "${inventory[@]}" "$playbook" "${example[@]}" -e maintenance_phase=exit "$@"
test ! -e "$state_file"

ansible-playbook "${inventory[@]}" verify.yml "${common[@]}" "$@"
