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

# example_setup sets these (declared here for shellcheck, which does not read sourced files).
vars_file='' playbook='' work_dir=''
inventory=()
# shellcheck source=../setup_em_simulator/files/example_runme.sh
source "$here/../setup_em_simulator/files/example_runme.sh"
example_setup "$here" maintenance_window.yml

state_file=$work_dir/maintenance-window-state.json
record_file=$work_dir/maintenance-window-before.json
rm -f "$state_file" "$record_file"

backup_server=vbr01.tech.local

# The example takes em_url, em_username, em_password and em_ca_path: the simulator's, by reference.
connection=$(example_connection admin)
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
