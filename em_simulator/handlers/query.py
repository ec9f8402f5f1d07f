"""The query service: GET /api/query and GET /api/querySvc (em_api.md §5)."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable
from urllib.parse import quote_plus

from .. import xmlout
from ..httpio import HttpError, Request, Response
from ..model import (AGENT_BACKUP, AGENT_PLATFORMS, JOB_TYPES, KIND_AGENT, KIND_NAS, KIND_VM, KINDS, PLATFORMS,
                     SESSION_JOB_TYPES, SESSION_RESULTS, SESSION_STATES)
from ..query import FieldSpec, Fields, FilterError, Lookup, RangeLookup, field_spec, is_dynamic, run_query
from .common import access_denied, session_entity, session_ref, xml

if TYPE_CHECKING:
    from ..app import App

# Cached query answers kept at once (SimState.query_cache): a client pages through one or two queries at a time.
QUERY_CACHE_SIZE = 16


def _fields(*specs: FieldSpec, aliases: dict[str, str] | None = None) -> Fields:
    out = {s.name.lower(): s for s in specs}
    for alias, target in (aliases or {}).items():
        out[alias.lower()] = out[target.lower()]
    return out


def _uid_guid(value: str) -> str:
    return value.rpartition(":")[2].strip().lower()


# get_query_job.md: the Job query's filter and sort fields.
JOB_FIELDS = _fields(
    FieldSpec("UID", "uid", lambda j: j.query_fields["uid"], indexed=True),
    FieldSpec("Name", "string", lambda j: j.query_fields["name"], indexed=True),
    FieldSpec("Description", "string", lambda j: j.query_fields["description"]),
    FieldSpec("NextRun", "datetime", lambda j: j.query_fields["nextrun"]),
    FieldSpec("JobType", "enum", lambda j: j.query_fields["jobtype"], JOB_TYPES),
    FieldSpec("Platform", "enum", lambda j: j.query_fields["platform"], PLATFORMS),
    FieldSpec("ScheduleConfigured", "bool", lambda j: j.query_fields["scheduleconfigured"]),
    FieldSpec("ScheduleEnabled", "bool", lambda j: j.query_fields["scheduleenabled"]),
    FieldSpec("BackupServerUid", "uid", lambda j: j.query_fields["backupserveruid"], indexed=True),
    FieldSpec("BackupServerName", "string", lambda j: j.query_fields["backupservername"], indexed=True),
)

# get_query_agentbackupjob.md: as Job, but no NextRun; JobType only AgentBackup, Platform
# AgentForLinux or AgentForWindows.
AGENT_JOB_FIELDS = _fields(
    FieldSpec("UID", "uid", lambda j: j.query_fields["uid"], indexed=True),
    FieldSpec("Name", "string", lambda j: j.query_fields["name"], indexed=True),
    FieldSpec("Description", "string", lambda j: j.query_fields["description"]),
    FieldSpec("JobType", "enum", lambda j: j.query_fields["jobtype"], (AGENT_BACKUP,)),
    FieldSpec("Platform", "enum", lambda j: j.query_fields["platform"], AGENT_PLATFORMS),
    FieldSpec("ScheduleConfigured", "bool", lambda j: j.query_fields["scheduleconfigured"]),
    FieldSpec("ScheduleEnabled", "bool", lambda j: j.query_fields["scheduleenabled"]),
    FieldSpec("BackupServerUid", "uid", lambda j: j.query_fields["backupserveruid"], indexed=True),
    FieldSpec("BackupServerName", "string", lambda j: j.query_fields["backupservername"], indexed=True),
)

# get_query_nasjob.md: no JobType and no Platform.
NAS_JOB_FIELDS = _fields(
    FieldSpec("UID", "uid", lambda j: j.query_fields["uid"], indexed=True),
    FieldSpec("Name", "string", lambda j: j.query_fields["name"], indexed=True),
    FieldSpec("Description", "string", lambda j: j.query_fields["description"]),
    FieldSpec("NextRun", "datetime", lambda j: j.query_fields["nextrun"]),
    FieldSpec("ScheduleConfigured", "bool", lambda j: j.query_fields["scheduleconfigured"]),
    FieldSpec("ScheduleEnabled", "bool", lambda j: j.query_fields["scheduleenabled"]),
    FieldSpec("BackupServerUid", "uid", lambda j: j.query_fields["backupserveruid"], indexed=True),
    FieldSpec("BackupServerName", "string", lambda j: j.query_fields["backupservername"], indexed=True),
)

KIND_FIELDS = {KIND_VM: JOB_FIELDS, KIND_AGENT: AGENT_JOB_FIELDS, KIND_NAS: NAS_JOB_FIELDS}

# get_query_backupserver.md. Guess: IpOrDnsName (the name the server was added with) is its Name.
SERVER_FIELDS = _fields(
    FieldSpec("UID", "uid", lambda s: s.uid),
    FieldSpec("Name", "string", lambda s: s.name),
    FieldSpec("Description", "string", lambda s: s.description),
    FieldSpec("IpOrDnsName", "string", lambda s: s.name),
    FieldSpec("Port", "int", lambda s: s.port),
    FieldSpec("Version", "string", lambda s: s.version),
)

# get_query_repository.md (Kind is an element of the entity but not a query parameter).
REPOSITORY_FIELDS = _fields(
    FieldSpec("UID", "uid", lambda r: r.uid),
    FieldSpec("Name", "string", lambda r: r.name),
    FieldSpec("FreeSpace", "int", lambda r: r.free_space),
    FieldSpec("Capacity", "int", lambda r: r.capacity),
    FieldSpec("BackupServerUid", "uid", lambda r: r.server.uid),
    FieldSpec("BackupServerName", "string", lambda r: r.server.name),
)


def _task_fields(now: float) -> Fields:
    # Guess: get_query_task.md gives no field list; these are the Task elements.
    return _fields(
        FieldSpec("TaskId", "string", lambda t: t.task_id),
        FieldSpec("State", "enum", lambda t: t.state(now), ("Running", "OperationFinished", "Finished")),
        FieldSpec("Operation", "string", lambda t: t.operation),
    )


def _session_fields(app: "App", now: float) -> Fields:
    clock = app.state.clock

    def end(s: Any) -> float | None:
        st = s.status(now)
        return clock.wall(st.end_m) if st.end_m is not None else None
    # get_query_backupjobsession.md: the session query's filter and sort fields;
    # the XML element names CreationTimeUTC/EndTimeUTC are accepted as aliases.
    return _fields(
        FieldSpec("UID", "uid", lambda s: s.uid, indexed=True),
        FieldSpec("Name", "string", lambda s: s.name),
        FieldSpec("JobType", "enum", lambda s: s.job.job_type, SESSION_JOB_TYPES),
        FieldSpec("JobUid", "uid", lambda s: s.job.uid, indexed=True),
        FieldSpec("JobName", "string", lambda s: s.job.name, indexed=True),
        FieldSpec("CreationTime", "datetime", lambda s: s.creation_wall, ranged=True),
        FieldSpec("EndTime", "datetime", end, dynamic=True),
        FieldSpec("State", "enum", lambda s: s.status(now).state, SESSION_STATES, dynamic=True),
        FieldSpec("Result", "enum", lambda s: s.status(now).result, SESSION_RESULTS, dynamic=True),
        FieldSpec("IsRetry", "bool", lambda s: s.is_retry),
        FieldSpec("BackupServerUid", "uid", lambda s: s.job.server.uid),
        FieldSpec("BackupServerName", "string", lambda s: s.job.server.name),
        aliases={"CreationTimeUTC": "CreationTime", "EndTimeUTC": "EndTime"},
    )


@dataclass
class Source:
    items: list[Any]
    fields: Fields
    lookup: Lookup | None
    refs: Callable[[list[Any]], str]
    entities: Callable[[list[Any]], str]
    # Answers are cached (SimState.query_cache) when the result depends only on the sessions, the settings and
    # the time: the history types. `cache_tag` is whatever else the answer depends on.
    cached: bool = False
    always_dynamic: bool = False  # every answer reads values that change with time (restore points)
    cache_tag: Any = None
    range_lookup: RangeLookup | None = None


def _job_source(kind: str) -> Callable[["App", Request, float], Source]:
    """Query types Job, AgentBackupJob and NasJob: the jobs of one kind."""
    def make(app: "App", req: Request, now: float) -> Source:
        index = app.state.catalog.kinds[kind]
        catalog = app.state.catalog

        def lookup(spec: FieldSpec, value: str) -> Iterable[Any]:
            if spec.name == "Name":
                return index.by_name_ci.get(value.casefold(), [])
            if spec.name == "UID":
                job = catalog.job(_uid_guid(value), kind)
                return [job] if job is not None and job.uid.lower() == value.strip().lower() else []
            if spec.name == "BackupServerUid":
                server = catalog.server(_uid_guid(value))
                return index.by_server.get(server.id, []) if server else []
            wanted = value.casefold()
            return [j for s in catalog.servers if s.name.casefold() == wanted
                    for j in index.by_server.get(s.id, [])]

        plural = KINDS[kind].list_tag
        return Source(index.jobs, KIND_FIELDS[kind], lookup,
                      lambda page: xmlout.wrap("Refs", "".join(xmlout.job_ref(j) for j in page)),
                      lambda page: xmlout.wrap("Entities", xmlout.wrap(plural, "".join(j.entity_xml for j in page))))
    return make


def _session_source(kind: str) -> Callable[["App", Request, float], Source]:
    def make(app: "App", req: Request, now: float) -> Source:
        state = app.state
        now = state.shown_now(now)  # collection lag: the sessions as EM last collected them

        # Built only when no index answers the filter: deep history holds hundreds of thousands of sessions.
        def items() -> list[Any]:
            return [s for s in state.session_list if s.kind == kind and s.visible(now)]

        def lookup(spec: FieldSpec, value: str) -> Iterable[Any]:
            if spec.name == "UID":
                s = state.session(_uid_guid(value))
                found = [s] if s is not None and s.uid.lower() == value.strip().lower() else []
            elif spec.name == "JobUid":
                job = state.catalog.job(_uid_guid(value), None) or state.hidden_job(_uid_guid(value))
                found = state.sessions_by_job.get(job.id, []) if job else []
            else:  # JobName, over every kind of job
                wanted = value.casefold()
                jobs = [j for index in state.catalog.kinds.values() for j in index.by_name_ci.get(wanted, [])]
                jobs += state.hidden_jobs_by_name_ci.get(wanted, [])  # immediate copy workers (copyjobs.py)
                found = [s for j in jobs for s in state.sessions_by_job.get(j.id, [])]
            return [s for s in found if s.kind == kind and s.visible(now)]

        def range_lookup(spec: FieldSpec, op: str, wanted: Any) -> Iterable[Any] | None:
            if spec.name != "CreationTime":
                return None
            times, ordered = state.sessions_by_creation(kind)
            lo, hi = 0, len(times)
            if op in (">=", "=="):
                lo = bisect.bisect_left(times, wanted)
            elif op == ">":
                lo = bisect.bisect_right(times, wanted)
            if op in ("<=", "=="):
                hi = bisect.bisect_right(times, wanted)
            elif op == "<":
                hi = bisect.bisect_left(times, wanted)
            return [s for s in ordered[lo:hi] if s.visible(now)]

        plural = "ReplicaJobSessions" if kind == "replica" else "BackupJobSessions"
        return Source(items, _session_fields(app, now), lookup,  # type: ignore[arg-type]
                      lambda page: xmlout.wrap("Refs", "".join(session_ref(app, s) for s in page)),
                      lambda page: xmlout.wrap("Entities", xmlout.wrap(
                          plural, "".join(session_entity(app, s, now) for s in page))),
                      cached=True, range_lookup=range_lookup)
    return make


def _server_source(app: "App", req: Request, now: float) -> Source:
    servers = app.state.catalog.servers
    return Source(servers, SERVER_FIELDS, None,
                  lambda page: xmlout.wrap("Refs", "".join(xmlout.server_ref(s) for s in page)),
                  lambda page: xmlout.wrap("Entities", xmlout.wrap(
                      "BackupServers", "".join(xmlout.server_entity(s) for s in page))))


def _repository_source(app: "App", req: Request, now: float) -> Source:
    repos = app.state.catalog.repositories
    return Source(repos, REPOSITORY_FIELDS, None,
                  lambda page: xmlout.wrap("Refs", "".join(xmlout.repository_ref(r) for r in page)),
                  lambda page: xmlout.wrap("Entities", xmlout.wrap(
                      "Repositories", "".join(xmlout.repository_entity(r) for r in page))))


def _task_source(app: "App", req: Request, now: float) -> Source:
    assert req.logon is not None
    tasks = sorted(app.state.tasks_of(req.logon), key=lambda t: t.num)
    # get_query_task.md: tasks come back under <Resources><Tasks>, in either format.
    body: Callable[[list[Any]], str] = lambda page: xmlout.wrap(
        "Resources", xmlout.wrap("Tasks", "".join(xmlout.task(t, t.state(now)) for t in page)))
    return Source(tasks, _task_fields(now), None, body, body)


@dataclass(frozen=True)
class QueryType:
    name: str
    source: Callable[["App", Request, float], Source]
    admin: bool = False


# query_type.md lists many more types; these are the ones the simulator serves.
QUERY_TYPES = {q.name.lower(): q for q in (
    # em_api.md §3: "GET /query?type=Job is not in the Portal User list"; security_roles_concept.md
    # lists Job, AgentBackupJob and NasJob among the Portal User's unavailable queries.
    QueryType("Job", _job_source(KIND_VM), admin=True),
    QueryType("AgentBackupJob", _job_source(KIND_AGENT), admin=True),
    QueryType("NasJob", _job_source(KIND_NAS), admin=True),
    QueryType("BackupJobSession", _session_source("backup")),
    QueryType("ReplicaJobSession", _session_source("replica")),
    QueryType("Task", _task_source),
    # security_roles_concept.md: BackupServer and Repository are available to a Portal User.
    QueryType("BackupServer", _server_source),
    QueryType("Repository", _repository_source),
)}


def query_svc(app: "App", req: Request) -> Response:
    return xml(app, req, xmlout.query_svc(q.name for q in QUERY_TYPES.values()))


def _positive_int(req: Request, name: str, default: int) -> int:
    raw = req.query.get(name.lower())
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HttpError(400, f"Invalid {name} value '{raw}': a positive integer is expected.") from None
    if value <= 0:
        # pagesize_and_page.md: pageSize must be > 0 and page is 1-based.
        raise HttpError(400, f"Invalid {name} value '{raw}': a positive integer is expected.")
    return value


def _answer(app: "App", req: Request, qtype: QueryType, source: Source, now: float, filter_src: str | None,
            sort_param: str | None, sort_field: str | None) -> list[Any]:
    """The filtered, sorted objects of a query. Deep history makes one answer cost seconds, and a client reads
    it a page at a time, so a history type's answer is kept until a mutation (SimState.mutated) or until
    time alone could change it (SimState.stable_until)."""
    state = app.state
    unquoted = state.settings["filter_datetime_form"] == "any"
    assert req.logon is not None
    key = (qtype.name, filter_src or "", sort_param, (sort_field or "").lower(), req.logon.role, unquoted,
           source.cache_tag)
    if source.cached:
        hit = state.query_cache.get(key)
        if hit is not None and now < hit[0]:
            state.query_cache.move_to_end(key)
            return hit[1]
    try:
        result = run_query(source.items, filter_src, source.fields, qtype.name, source.lookup,
                           sort_field, descending=(sort_param == "sortDesc"), unquoted_datetimes=unquoted,
                           range_lookup=source.range_lookup)
    except FilterError as exc:
        raise HttpError(400, f"Invalid filter: {exc}") from None
    if source.cached:
        dynamic = source.always_dynamic or is_dynamic(filter_src, source.fields, sort_field)
        until = state.stable_until(now, dynamic)
        if until > now:
            state.query_cache[key] = (until, result)
            while len(state.query_cache) > QUERY_CACHE_SIZE:
                state.query_cache.popitem(last=False)
    return result


def query(app: "App", req: Request) -> Response:
    state = app.state
    q = req.query
    type_raw = q.get("type")
    if not type_raw:
        raise HttpError(400, "The 'type' query parameter is required.")
    qtype = QUERY_TYPES.get(type_raw.lower())
    if qtype is None:
        raise HttpError(400, f"Query type '{type_raw}' is not supported. Supported types: "
                             f"{', '.join(t.name for t in QUERY_TYPES.values())}.")
    assert req.logon is not None
    if qtype.admin and not state.is_admin(req.logon):
        raise access_denied()
    format_raw = q.get("format")
    fmt = (format_raw or "References").lower()
    if fmt not in ("references", "entities"):
        raise HttpError(400, f"Invalid format '{format_raw}'. Supported formats: References, Entities.")
    if q.get("sortasc") and q.get("sortdesc"):
        # Guess: sortAsc and sortDesc together are refused (sortasc_sortdesc.md: one field).
        raise HttpError(400, "Specify either sortAsc or sortDesc, not both.")
    sort_param = "sortAsc" if q.get("sortasc") else "sortDesc" if q.get("sortdesc") else None
    sort_field = q.get(sort_param.lower()) if sort_param else None
    # Guess (unknown #14): pageSize defaults to 100 and is capped at 100.
    page_size = min(_positive_int(req, "pageSize", state.settings["query_default_page_size"]),
                    state.settings["query_max_page_size"])
    page = _positive_int(req, "page", 1)
    filter_src = q.get("filter")
    with state.lock:
        now = state.clock.now()
        source = qtype.source(app, req, now)
        if sort_field:
            try:
                field_spec(source.fields, sort_field, qtype.name)
            except FilterError as exc:
                raise HttpError(400, f"Invalid sort field: {exc}") from None
        result = _answer(app, req, qtype, source, now, filter_src, sort_param, sort_field)
        total = len(result)
        # Guess (unknown #13): an empty result reports PagesCount 0 (setting).
        pages = math.ceil(total / page_size) if total else state.settings["empty_query_pages_count"]
        chunk = result[(page - 1) * page_size: page * page_size]
        body = source.entities(chunk) if fmt == "entities" else source.refs(chunk)
    params = [("type", type_raw)]
    if format_raw:
        params.append(("format", format_raw))
    if filter_src:
        params.append(("filter", filter_src))
    if sort_param:
        params.append((sort_param, sort_field or ""))

    def href(n: int) -> str:
        # query_comparison.md / get_query_backupjobsession.md: paging links keep the
        # query, with the filter URL-encoded (';' and ',' left readable).
        parts = [f"{k}={quote_plus(v, safe=';,')}" for k, v in params]
        parts += [f"pageSize={page_size}", f"page={n}"]
        return f"{xmlout.API}/query?" + "&".join(parts)

    last = max(pages, 1)
    hrefs = [("First", href(1))]
    if page > 1:
        hrefs.append(("Previous", href(min(page - 1, last))))
    if page < pages:
        hrefs.append(("Next", href(page + 1)))
    hrefs.append(("Last", href(last)))
    paging = xmlout.paging_info(page, page_size, pages, hrefs)
    return xml(app, req, f"<QueryResult>{body}{paging}</QueryResult>")
