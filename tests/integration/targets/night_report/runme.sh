#!/usr/bin/env bash
# Runs the collection's examples/night_report.yml against the EM simulator, as a user would, under the Portal User
# account, then checks its table, its JUnit report and its set_stats data with small playbooks of this target:
#   prepare.yml  reset the simulator (counters to zero)
#   verify.yml   the table, the JUnit report and the counts against the sessions; no POST but the logon
# The example runs with ../setup_em_simulator/callback_plugins/play_stats_file.py, which writes its set_stats data
# as JSON for verify.yml. ansible-test runs this script from the target's directory with -v options as arguments;
# the connection variables of the simulator are in tests/integration/integration_config.yml (make integration).
set -eux

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# example_setup sets these (declared here for shellcheck, which does not read sourced files).
vars_file='' playbook='' work_dir=''
inventory=()
# shellcheck source=../setup_em_simulator/files/example_runme.sh
source "$here/../setup_em_simulator/files/example_runme.sh"
example_setup "$here" night_report.yml

stats_file=$work_dir/night-report-stats.json
junit_file=$work_dir/night-report-junit.xml
rm -f "$stats_file" "$junit_file"

# The example takes em_url, em_username, em_password and em_ca_path: the simulator's Portal User, by reference.
connection=$(example_connection portal_user)

cd "$here"

ansible-playbook "${inventory[@]}" prepare.yml -e "@$vars_file" "$@"

ANSIBLE_CALLBACK_PLUGINS=$here/../setup_em_simulator/callback_plugins ANSIBLE_CALLBACKS_ENABLED=play_stats_file \
    PLAY_STATS_FILE=$stats_file \
    ansible-playbook "${inventory[@]}" "$playbook" -e "@$vars_file" -e "$connection" -e "report_junit_file=$junit_file" "$@"
test -s "$stats_file"
test -s "$junit_file"

ansible-playbook "${inventory[@]}" verify.yml -e "@$vars_file" -e "night_report_stats_file=$stats_file" \
    -e "night_report_junit_file=$junit_file" "$@"
