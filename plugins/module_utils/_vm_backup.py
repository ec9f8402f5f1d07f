# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Quick backup of one VM: the logic behind veeam_em_vm_backup, on the action pipeline (``_action``).

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

post_backupservers_id_quickbackup.md: ``POST /backupServers/{id}?action=quickbackup`` with a
QuickBackupStartupSpec naming the VM's hierarchy reference; EM runs an incremental backup of that VM alone by the
job that processes it, and the task's Related link leads to that job's session. Every step works under a Portal
User account (security_roles_concept.md): the VM is found through /query?type=HierarchyRoot and the lookup
service (both open to that role), not through /jobs or ObjectInJob (closed to it).
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.seedops.veeam_em.plugins.module_utils._action import ActionRun
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmAmbiguousError,
    VeeamEmError,
    VeeamEmInputError,
    VeeamEmNotFoundError,
    VeeamEmPermissionError,
    VeeamEmTaskFailedError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._input_checks import refuse_empty
from ansible_collections.seedops.veeam_em.plugins.module_utils._query import filter_all, filter_any, iter_query, query
from ansible_collections.seedops.veeam_em.plugins.module_utils._urls import shorten
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WAIT_FOR_START, WaitOptions
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

CHECK_HINT = ("check with seedops.veeam_em.veeam_em_session_info (job_name of the VM's job) or "
              "seedops.veeam_em.veeam_em_restore_point_info before backing the VM up again.")
QUICK_BACKUP_SPEC = ('<?xml version="1.0" encoding="utf-8"?>\n<QuickBackupStartupSpec xmlns="http://www.veeam.com/ent/v1.0">'
                     "<VmRef>%s</VmRef></QuickBackupStartupSpec>")


class VmRef(object):
    """One VM as the lookup service names it, and the backup server whose hierarchy holds it."""

    def __init__(self, name, hierarchy_ref, backup_server, backup_server_href):
        self.name = name
        self.hierarchy_ref = hierarchy_ref
        self.backup_server = backup_server
        self.backup_server_href = backup_server_href

    @property
    def data(self):
        return dict(name=self.name, hierarchy_ref=self.hierarchy_ref, backup_server=self.backup_server)


def lookup_href(api_root, root_uid, vm_name):
    # Guess, stated: get_lookup.md documents /lookup?host={HierarchyRoot UID}&name={name}&type=Vm as a query URL
    # with parameters; the lookup service offers no link that carries a name, so it is composed like the query
    # service's URL.
    return "%slookup?host=%s&name=%s&type=Vm" % (api_root, quote(root_uid, safe=""), quote(vm_name, safe=""))


def find_vm(em, vm_name, backup_server=None):
    """Exactly one VM of that exact name, or a typed error that lists the candidates."""
    found = []
    roots = iter_query(em, "HierarchyRoot", "HierarchyRoot",
                       filter_any("BackupServerName", [backup_server]) if backup_server else None)
    for root in roots:
        server = _xml.find_link(root, "Up", "BackupServerReference") or {}
        items = em.get(lookup_href(em.api_root, root.get("UID"), vm_name))
        for item in _xml.descendants(items, "HierarchyItem"):
            if _xml.child_text(item, "ObjectName") == vm_name and (_xml.child_text(item, "ObjectType") or "").lower() == "vm":
                found.append(VmRef(vm_name, _xml.child_text(item, "ObjectRef"), server.get("name"), server.get("href")))
    where = " on backup server %r" % shorten(backup_server) if backup_server else ""
    if not found:
        raise VeeamEmNotFoundError("No VM named %r%s in the hierarchies Enterprise Manager knows (names are matched "
                                   "exactly, case included)." % (shorten(vm_name), where))
    if len(found) > 1:
        raise VeeamEmAmbiguousError("%d VMs are named %r%s: %s. Set backup_server to choose one." % (
            len(found), shorten(vm_name), where,
            ", ".join("%s on %s" % (vm.hierarchy_ref, vm.backup_server) for vm in found)))
    return found[0]


def is_processed(em, vm):
    """Whether a job processes the VM: its ObjectInJob entry (get_query_objectinjob.md), or, where the role may not
    read that (a Portal User), a restore point of it (get_query_vmrestorepoint.md), which only a job makes.

    A VM that a job processes through a container (its folder, host or cluster) has no ObjectInJob entry of its own,
    so a restore point also counts as proof.
    """
    try:
        in_job = filter_all(filter_any("Name", [vm.name]), filter_any("BackupServerName", [vm.backup_server]))
        if query(em, "ObjectInJob", "ObjectInJob", in_job, limit=1):
            return True
    except VeeamEmPermissionError:
        pass
    return bool(query(em, "VmRestorePoint", "VmRestorePoint",
                      filter_all(filter_any("VmDisplayName", [vm.name]), filter_any("BackupServerName", [vm.backup_server])),
                      limit=1))


def quick_backup_href(em, vm):
    """The QuickBackup link of the VM's backup server (backupservers_id.md: the BackupServer entity offers
    Rel="QuickBackup"), read with one query; the hierarchy root's Up link names the server."""
    for element in query(em, "BackupServer", "BackupServer", filter_any("Name", [vm.backup_server])):
        same = _xml.id_from_href(element.get("Href")) == _xml.id_from_href(vm.backup_server_href)
        link = _xml.find_link(element, "QuickBackup")
        if same and link:
            return link["href"]
    raise VeeamEmError("Enterprise Manager offers no quick backup on backup server %r (its BackupServer entity has no "
                       "QuickBackup link); nothing was sent." % shorten(vm.backup_server), result=dict(changed=False))


class VmBackup(object):
    def __init__(self, em, vm_name, backup_server, wait, started, check_mode=False, warn=None):
        self.em = em
        self.vm_name = vm_name
        self.backup_server = backup_server
        self.wait = wait
        self.check_mode = check_mode
        self.vm = None
        self.action = ActionRun(em, wait, started, noun="quick backup", sent="The quick backup was started",
                                not_sent="Nothing was sent", check_hint=CHECK_HINT, warn=warn)

    def run(self):
        try:
            result = self.action.run(self._steps)
        except VeeamEmError as error:
            error.result["vm"] = self.vm.data if self.vm else None
            error.result.pop("job", None)
            raise
        result["vm"] = self.vm.data
        result.pop("job", None)
        return result

    def _steps(self, run):
        self.vm = vm = find_vm(self.em, self.vm_name, self.backup_server)
        if not is_processed(self.em, vm):
            raise VeeamEmInputError("Quick backup needs a job that processes the VM: no job on %s names %r, and it has no "
                                    "restore point. Add the VM to a backup job first; nothing was sent."
                                    % (vm.backup_server, vm.name))
        if self.check_mode:
            run.update(changed=True)
            return run.done("VM %r would be backed up by a quick backup on %s (check mode: nothing was sent)."
                            % (vm.name, vm.backup_server))
        href = quick_backup_href(self.em, vm)
        posted = run.post_once(href, reconcile=None, not_applied=str, body=(QUICK_BACKUP_SPEC % _xml_text(vm.hierarchy_ref)).encode("utf-8"))
        task = posted.task
        run.update(task=task, changed=True)
        if not self.wait.wait:
            return run.done("Quick backup of VM %r accepted (task %s); not waiting (wait: false)." % (vm.name, task.data["id"]))
        task = run.follow_task(task)
        if task.failed:
            run.update(changed=False)
            raise VeeamEmTaskFailedError("Enterprise Manager could not back up VM %r: task %s ended with: %s"
                                         % (vm.name, task.data["id"], task.data["message"] or "no message"))
        if self.wait.wait_for == WAIT_FOR_START:
            return run.done("Quick backup of VM %r started (task %s: %s)." % (vm.name, task.data["id"], task.data["message"]))
        if not task.session_href:
            raise VeeamEmError("Enterprise Manager started the quick backup of VM %r but its task %s gives no link to the "
                               "job session, so its end cannot be followed: %s" % (vm.name, task.data["id"], CHECK_HINT),
                               result=dict(changed=True))
        return run.finish_run(task.session_href, "Quick backup of VM %r" % vm.name)


def _xml_text(text):
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def run_vm_backup(module):
    """veeam_em_vm_backup's one call: check the options, log on, find the VM, back it up, log off, exit."""
    params = module.params

    def prepare():
        refuse_empty((("vm_name", params["vm_name"], "VM name"), ("backup_server", params["backup_server"], "backup server name")),
                     required=("vm_name",))
        return WaitOptions.from_params(params)

    module.run(lambda em, wait: VmBackup(em, params["vm_name"], params["backup_server"], wait, module.started,
                                         check_mode=module.check_mode, warn=module.warn).run(),
               prepare=prepare, always=dict(vm=None, task=None, session=None, elapsed=None))
