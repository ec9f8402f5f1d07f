# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Twin: plugins/module_utils/_argspec.py (job_selector_argument_spec) holds the argument spec of exactly these
# options; change both together (tests/unit/plugins/module_utils/test_argspec.py compares them).

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  name:
    description:
      - Exact name of the job. Matching is case-sensitive, although Enterprise Manager's own query service is not
        (V(SQL Backup) does not select V(sql backup)).
    type: str
  id:
    description:
      - The job's GUID, or its UID (V(urn:veeam:Job:<GUID>), V(urn:veeam:AgentBackupJob:<GUID>) or V(urn:veeam:NasJob:<GUID>)).
    type: str
  backup_server:
    description:
      - Name of the backup server that owns the job, as Enterprise Manager shows it (compared without regard to case).
      - Chooses between jobs of the same name on several backup servers.
    type: str
  kind:
    description:
      - Only jobs of these kinds; all kinds by default.
      - V(vm) are the backup, replica and backup copy jobs of virtual machines (C(/jobs) in Enterprise Manager),
        V(agent) the Veeam Agent backup jobs of computers (C(/agents/jobs)), V(file_share) the file share backup jobs
        (C(/nas/jobs)).
      - Chooses between jobs of the same name of different kinds.
    type: list
    elements: str
    choices: [vm, agent, file_share]
"""

    # job_type: the modules that select several jobs, or list them.
    JOB_TYPE = r"""
options:
  job_type:
    description:
      - Only jobs of these types, as Enterprise Manager names them (RV(seedops.veeam_em.veeam_em_job_info#module:jobs[].job_type)).
      - V(Backup), V(Replica), V(BackupCopy) and V(ImmediateBackupCopy) are of kind V(vm), V(AgentBackup) of kind
        V(agent), V(NasBackup) of kind V(file_share).
    type: list
    elements: str
    choices: [Backup, Replica, BackupCopy, ImmediateBackupCopy, AgentBackup, NasBackup]
"""
