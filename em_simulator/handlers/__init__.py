"""Route tables: the EM API under /api and the control API under /_sim."""

from __future__ import annotations

from functools import partial

from ..httpio import Router
from . import control, jobs, logon, protection, query, servers, sessions, tasks


def api_router() -> Router:
    r = Router()
    r.add("GET", "/api", logon.entry_point, auth=False)
    r.add("POST", "/api/sessionMngr", logon.logon, auth=False)
    r.add("GET", "/api/logonSessions", logon.list_sessions)
    r.add("GET", "/api/logonSessions/{session_id}", logon.get_session)
    r.add("DELETE", "/api/logonSessions/{session_id}", logon.logoff)
    r.add("GET", "/api/backupServers", servers.list_servers)
    r.add("GET", "/api/backupServers/{server_id}", servers.get_server)
    r.add("GET", "/api/backupServers/{server_id}/jobs", servers.server_jobs)
    r.add("GET", "/api/backupServers/{server_id}/repositories", servers.server_repositories)
    r.add("GET", "/api/repositories", servers.list_repositories)
    r.add("GET", "/api/repositories/{repo_id}", servers.get_repository)
    # em_api.md §3: "/jobs (all)" is unavailable to a Portal User.
    r.add("GET", "/api/jobs", jobs.list_jobs, admin=True)
    r.add("GET", "/api/jobs/{job_id}", jobs.get_job, admin=True)
    r.add("POST", "/api/jobs/{job_id}", jobs.job_action, admin=True)
    r.add("GET", "/api/jobs/{job_id}/includes", jobs.job_includes, admin=True)
    r.add("GET", "/api/jobs/{job_id}/backupSessions", partial(jobs.job_sessions, kind="backup"), admin=True)
    r.add("GET", "/api/jobs/{job_id}/replicaSessions", partial(jobs.job_sessions, kind="replica"), admin=True)
    # security_roles_concept.md: a Portal User has none of the /agents/jobs and /nas/jobs operations
    # except GET /nas/jobs/{ID}/backupSessions; it may read /agents/backupSessions and
    # /nas/backupSessions (and the /agents and /nas service roots).
    r.add("GET", "/api/agents", jobs.agents_service)
    r.add("GET", "/api/agents/jobs", partial(jobs.list_jobs, kind="agent"), admin=True)
    r.add("GET", "/api/agents/jobs/{job_id}", partial(jobs.get_job, kind="agent"), admin=True)
    r.add("POST", "/api/agents/jobs/{job_id}", partial(jobs.job_action, kind="agent"), admin=True)
    r.add("GET", "/api/agents/jobs/{job_id}/includes", partial(jobs.job_includes, kind="agent"), admin=True)
    # Role checked in the handler (setting portal_user_agent_job_sessions).
    r.add("GET", "/api/agents/jobs/{job_id}/backupSessions",
          partial(jobs.job_sessions, kind="backup", job_kind="agent"))
    r.add("GET", "/api/agents/backupSessions", partial(sessions.list_sessions, kind="backup", job_kind="agent"))
    r.add("GET", "/api/nas", jobs.nas_service)
    r.add("GET", "/api/nas/jobs", partial(jobs.list_jobs, kind="nas"), admin=True)
    r.add("GET", "/api/nas/jobs/{job_id}", partial(jobs.get_job, kind="nas"), admin=True)
    r.add("GET", "/api/nas/jobs/{job_id}/includes", partial(jobs.job_includes, kind="nas"), admin=True)
    r.add("GET", "/api/nas/jobs/{job_id}/backupSessions",
          partial(jobs.job_sessions, kind="backup", job_kind="nas"))
    r.add("POST", "/api/nas/jobs/{job_id}/{action}", jobs.nas_job_action, admin=True)
    r.add("GET", "/api/nas/backupSessions", partial(sessions.list_sessions, kind="backup", job_kind="nas"))
    r.add("GET", "/api/backupSessions", partial(sessions.list_sessions, kind="backup"))
    r.add("GET", "/api/backupSessions/{session_id}", partial(sessions.get_session, kind="backup"))
    r.add("POST", "/api/backupSessions/{session_id}", sessions.stop_session)
    r.add("GET", "/api/replicaSessions", partial(sessions.list_sessions, kind="replica"))
    r.add("GET", "/api/replicaSessions/{session_id}", partial(sessions.get_session, kind="replica"))
    r.add("GET", "/api/tasks", tasks.list_tasks)
    r.add("GET", "/api/tasks/{task_id}", tasks.get_task)
    r.add("DELETE", "/api/tasks/{task_id}", tasks.delete_task)
    r.add("GET", "/api/querySvc", query.query_svc)
    r.add("GET", "/api/query", query.query)
    _protection_routes(r)
    return r


def _protection_routes(r: Router) -> None:
    """Task sessions, restore points, hierarchy roots, the lookup service and quick backup
    (handlers/protection.py); security_roles_concept.md opens all of them to a Portal User."""
    r.add("GET", "/api/backupSessions/{session_id}/taskSessions", partial(protection.session_tasks, kind="backup"))
    r.add("GET", "/api/replicaSessions/{session_id}/replicaTaskSessions",
          partial(protection.session_tasks, kind="replica"))
    r.add("GET", "/api/backupTaskSessions", partial(protection.list_tasks, kind="backup"))
    r.add("GET", "/api/backupTaskSessions/{task_id}", partial(protection.get_task, kind="backup"))
    r.add("GET", "/api/replicaTaskSessions", partial(protection.list_tasks, kind="replica"))
    r.add("GET", "/api/replicaTaskSessions/{task_id}", partial(protection.get_task, kind="replica"))
    r.add("GET", "/api/vmRestorePoints", protection.list_points)
    r.add("GET", "/api/vmRestorePoints/{point_id}", protection.get_point)
    r.add("GET", "/api/hierarchyRoots", protection.list_roots)
    r.add("GET", "/api/hierarchyRoots/{root_id}", protection.get_root)
    r.add("GET", "/api/lookupSvc", protection.lookup_svc)
    r.add("GET", "/api/lookup", protection.lookup)
    r.add("POST", "/api/backupServers/{server_id}", protection.server_action)


def control_router() -> Router:
    r = Router()
    r.add("GET", "/_sim/health", control.health, auth=False)
    r.add("GET", "/_sim/counters", control.counters, auth=False)
    r.add("POST", "/_sim/reset", control.reset, auth=False)
    r.add("GET", "/_sim/faults", control.list_faults, auth=False)
    r.add("POST", "/_sim/faults", control.add_fault, auth=False)
    r.add("DELETE", "/_sim/faults", control.clear_faults, auth=False)
    r.add("GET", "/_sim/config", control.get_config, auth=False)
    r.add("POST", "/_sim/config", control.set_config, auth=False)
    r.add("POST", "/_sim/expire-sessions", control.expire_sessions, auth=False)
    r.add("GET", "/_sim/tokens", control.issued_tokens, auth=False)
    r.add("POST", "/_sim/scheduled-run", control.scheduled_run, auth=False)
    return r
