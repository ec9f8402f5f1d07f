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
    for candidate in "$root/ansible_collections/seedops/veeam_em/examples/night_report.yml" "$root/examples/night_report.yml"; do
        if [[ -f $candidate ]]; then
            playbook=$candidate
            break 2
        fi
    done
done
if [[ -z $playbook ]]; then
    echo "ERROR: examples/night_report.yml of seedops.veeam_em not found" \
        "(ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-}, target at $here)" >&2
    exit 1
fi

work_dir=${OUTPUT_DIR:-}
if [[ -z $work_dir ]]; then
    work_dir=$(mktemp -d)
    trap 'rm -rf "$work_dir"' EXIT
fi
stats_file=$work_dir/night-report-stats.json
junit_file=$work_dir/night-report-junit.xml
rm -f "$stats_file" "$junit_file"

export ANSIBLE_ROLES_PATH=$here/..
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false

inventory=(-i "${INVENTORY_PATH:-localhost,}")
# The example takes em_url, em_username, em_password and em_ca_path: the simulator's Portal User, by reference.
connection='{"em_url": "{{ veeam_em_url }}", "em_username": "{{ veeam_em_portal_user }}",
  "em_password": "{{ veeam_em_portal_password }}", "em_ca_path": "{{ veeam_em_ca_path }}"}'

cd "$here"

ansible-playbook "${inventory[@]}" prepare.yml -e "@$vars_file" "$@"

ANSIBLE_CALLBACK_PLUGINS=$here/../setup_em_simulator/callback_plugins ANSIBLE_CALLBACKS_ENABLED=play_stats_file \
    PLAY_STATS_FILE=$stats_file \
    ansible-playbook "${inventory[@]}" "$playbook" -e "@$vars_file" -e "$connection" -e "report_junit_file=$junit_file" "$@"
test -s "$stats_file"
test -s "$junit_file"

ansible-playbook "${inventory[@]}" verify.yml -e "@$vars_file" -e "night_report_stats_file=$stats_file" \
    -e "night_report_junit_file=$junit_file" "$@"
