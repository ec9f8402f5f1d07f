"""Run one module file as Ansible would run its code, with optional instrumentation.

    python benchmarks/modrun.py [--request-log FILE] MODULE_FILE ARGS_JSON

Without options this is the same as ``python MODULE_FILE ARGS_JSON`` (AnsibleModule reads its arguments
from the file named by argv[1]): the module runs as ``__main__`` and its JSON result goes to stdout.

--request-log FILE  write one JSON list with every HTTP request the module sent (method, URL, status,
                    monotonic and wall-clock time of send and answer) to FILE when the module exits.
                    Hooks requests.Session.send; nothing in plugins/ is changed.

The collection must be importable as ansible_collections.seedops.veeam_em (PYTHONPATH).
"""

from __future__ import annotations

import json
import runpy
import sys
import time


def _install_request_log(path):
    import requests

    records = []
    original = requests.Session.send

    def send(self, request, **kwargs):
        record = {"method": request.method, "url": request.url, "sent_mono": time.monotonic(),
                  "sent_wall": time.time()}
        records.append(record)
        try:
            response = original(self, request, **kwargs)
        except BaseException as exc:
            record["error"] = exc.__class__.__name__
            record["answered_mono"] = time.monotonic()
            raise
        record["status"] = response.status_code
        record["answered_mono"] = time.monotonic()
        return response

    requests.Session.send = send

    def write():
        with open(path, "w") as handle:
            json.dump(records, handle)

    return write


def main(argv):
    log_path = None
    while argv and argv[0].startswith("--"):
        option = argv.pop(0)
        if option == "--request-log":
            log_path = argv.pop(0)
        else:
            raise SystemExit("modrun: unknown option %s" % option)
    if len(argv) != 2:
        raise SystemExit(__doc__)
    module_file, args_file = argv
    write_log = _install_request_log(log_path) if log_path else None
    sys.argv = [module_file, args_file]
    try:
        runpy.run_path(module_file, run_name="__main__")
    finally:
        if write_log:
            write_log()


if __name__ == "__main__":
    main(sys.argv[1:])
