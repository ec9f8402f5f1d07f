# shellcheck shell=bash
# Sourced by the runme.sh of the targets that run one of the collection's example playbooks against the EM simulator
# as a user would (maintenance_window, rpo_gate, night_report). ansible-test runs those scripts from their target's
# directory (in a temporary copy of the tests tree) with -v options as arguments; the connection variables of the
# simulator (veeam_em_url, ...) are in tests/integration/integration_config.yml, written by scripts/with-simulator.sh
# (make integration).
#
#   example_setup HERE EXAMPLE   sets vars_file, playbook (examples/EXAMPLE of the collection under test), work_dir
#                                (ansible-test's output directory, else a temporary one), inventory, and the ansible
#                                settings every such target uses
#   example_connection ACCOUNT   the extra vars em_url, em_username, em_password, em_ca_path of the example, by
#                                reference to the simulator's variables: ACCOUNT admin or portal_user

example_setup() {
    local here=$1 example=$2
    vars_file=$here/../../integration_config.yml
    if [[ ! -f $vars_file ]]; then
        echo "ERROR: $vars_file is missing; run the target through make integration (scripts/with-simulator.sh)" >&2
        exit 1
    fi

    # The example of the collection under test: in a collection root on ANSIBLE_COLLECTIONS_PATH (which ansible-test
    # sets to the tree it tests), else in the repository the target lies in (../../../../ from the target).
    playbook=
    local root candidate
    local -a collection_roots
    IFS=: read -r -a collection_roots <<<"${ANSIBLE_COLLECTIONS_PATH:-}"
    for root in "${collection_roots[@]}" "$here/../../../.."; do
        for candidate in "$root/ansible_collections/seedops/veeam_em/examples/$example" "$root/examples/$example"; do
            if [[ -f $candidate ]]; then
                playbook=$candidate
                break 2
            fi
        done
    done
    if [[ -z $playbook ]]; then
        echo "ERROR: examples/$example of seedops.veeam_em not found" \
            "(ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-}, target at $here)" >&2
        exit 1
    fi

    # Where the target keeps its files between playbooks: ansible-test's output directory, else a temporary one.
    work_dir=${OUTPUT_DIR:-}
    if [[ -z $work_dir ]]; then
        work_dir=$(mktemp -d)
        trap 'rm -rf "$work_dir"' EXIT
    fi

    export ANSIBLE_ROLES_PATH=$here/..
    export ANSIBLE_LOCALHOST_WARNING=false
    export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
    # shellcheck disable=SC2034 # for the script that sources this file
    inventory=(-i "${INVENTORY_PATH:-localhost,}")
}

example_connection() {
    case $1 in
        admin) printf '%s' '{"em_url": "{{ veeam_em_url }}", "em_username": "{{ veeam_em_username }}",
  "em_password": "{{ veeam_em_password }}", "em_ca_path": "{{ veeam_em_ca_path }}"}' ;;
        portal_user) printf '%s' '{"em_url": "{{ veeam_em_url }}", "em_username": "{{ veeam_em_portal_user }}",
  "em_password": "{{ veeam_em_portal_password }}", "em_ca_path": "{{ veeam_em_ca_path }}"}' ;;
        *) echo "ERROR: example_connection takes admin or portal_user, not $1" >&2; exit 1 ;;
    esac
}
