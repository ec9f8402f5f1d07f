"""Run one command and write its wall time, CPU time and peak RSS to a JSON file.

    python benchmarks/measure.py USAGE_JSON -- COMMAND [ARG ...]

Why a separate, small process: on Linux a child's ru_maxrss (os.wait4, RUSAGE_CHILDREN) starts at the RSS
high-water mark of the process that spawned it (exec records the old address space's peak, and a vfork or
posix_spawn child shares its parent's). Spawned from the benchmark process, which has read results of tens of
thousands of jobs, every module would report at least the benchmark's own peak. This launcher imports almost
nothing (about 10 MB), so the peak RSS it reports is the command's own whenever that is above 10 MB.

stdin, stdout and stderr are passed on to the command unchanged.
"""

import json
import os
import sys
import time


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write(__doc__)
        return 2
    usage_path, command = argv[0], argv[2:]
    began = time.perf_counter()
    pid = os.posix_spawn(command[0], command, os.environ)
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - began
    record = {
        "wall": wall,
        "ended_wall": time.time(),
        "user": usage.ru_utime,
        "system": usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss,
        "returncode": os.waitstatus_to_exitcode(status),
    }
    with open(usage_path, "w") as handle:
        json.dump(record, handle)
    return record["returncode"] if record["returncode"] >= 0 else 128 - record["returncode"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
