#!/usr/bin/env python3
"""Mirror the parts of the collection that ansible-test needs into a separate tree (no rsync needed).

Usage: sync_tree.py SRC DEST PATH [PATH ...]

Copies each PATH (file or directory, relative to SRC; missing ones are skipped) from SRC to DEST, copying
only files whose size or modification time changed, and deletes from DEST every file and directory that is
not in the selection any more, so that the tree is an exact mirror after each run.  ansible-test's own
output directory DEST/tests/output is kept.  Symbolic links are copied as the files they point to.
"""

import fnmatch
import os
import shutil
import sys

SKIP_DIRS = {'__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.git', 'output'}
SKIP_FILES = ('*.pyc', '*.pyo', '*.retry', '.coverage', '.coverage.*')
# Generated files that must not reach the tree through the sync (the Makefile copies what it needs).
SKIP_PATHS = {
    os.path.join('tests', 'integration', 'integration_config.yml'),
    os.path.join('tests', 'integration', 'cloud-config-*.ini'),
    os.path.join('changelogs', '.plugin-cache.yaml'),
}
KEEP_IN_DEST = {os.path.join('tests', 'output')}


def skipped_file(rel_path):
    name = os.path.basename(rel_path)
    if any(fnmatch.fnmatch(name, pattern) for pattern in SKIP_FILES):
        return True
    return any(fnmatch.fnmatch(rel_path, pattern) for pattern in SKIP_PATHS)


def skipped_dir(rel_path):
    name = os.path.basename(rel_path)
    if name == 'output':
        return rel_path == os.path.join('tests', 'output')
    return name in SKIP_DIRS


def wanted_files(src, paths):
    wanted = {}
    for path in paths:
        path = os.path.normpath(path)
        full = os.path.join(src, path)
        if os.path.isfile(full):
            if not skipped_file(path):
                wanted[path] = full
        elif os.path.isdir(full):
            for root, dirs, files in os.walk(full, followlinks=True):
                rel_root = os.path.relpath(root, src)
                dirs[:] = sorted(d for d in dirs if not skipped_dir(os.path.join(rel_root, d)))
                for name in files:
                    rel = os.path.join(rel_root, name)
                    if not skipped_file(rel) and os.path.isfile(os.path.join(root, name)):
                        wanted[rel] = os.path.join(root, name)
    return wanted


def same(src_path, dest_path):
    if os.path.islink(dest_path) or not os.path.isfile(dest_path):
        return False
    src_stat, dest_stat = os.stat(src_path), os.stat(dest_path)
    return (src_stat.st_size == dest_stat.st_size and int(src_stat.st_mtime) == int(dest_stat.st_mtime)
            and (src_stat.st_mode & 0o777) == (dest_stat.st_mode & 0o777))


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dest, paths = os.path.abspath(argv[0]), os.path.abspath(argv[1]), argv[2:]
    if dest == src or src.startswith(dest + os.sep):
        # The mirror deletes whatever it does not copy: never point it at (a parent of) the sources.
        print('sync_tree: DEST must not be SRC or contain it', file=sys.stderr)
        return 2
    wanted = wanted_files(src, paths)
    copied = removed = 0

    for rel, src_path in sorted(wanted.items()):
        dest_path = os.path.join(dest, rel)
        if same(src_path, dest_path):
            continue
        os.makedirs(os.path.dirname(dest_path), exist_ok=True)
        if os.path.isdir(dest_path) and not os.path.islink(dest_path):
            shutil.rmtree(dest_path)
        elif os.path.lexists(dest_path):
            os.unlink(dest_path)
        shutil.copy2(src_path, dest_path)
        copied += 1

    wanted_dirs = {os.path.dirname(rel) for rel in wanted}
    for rel in list(wanted_dirs):
        while rel:
            rel = os.path.dirname(rel)
            wanted_dirs.add(rel)

    for root, dirs, files in os.walk(dest, topdown=False):
        rel_root = os.path.relpath(root, dest)
        rel_root = '' if rel_root == '.' else rel_root
        if any(rel_root == keep or rel_root.startswith(keep + os.sep) for keep in KEEP_IN_DEST):
            continue
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            rel = os.path.join(rel_root, name)
            if rel not in wanted:
                os.unlink(os.path.join(root, name))
                removed += 1
        if rel_root and rel_root not in wanted_dirs and not any(
                keep.startswith(rel_root + os.sep) for keep in KEEP_IN_DEST):
            try:
                os.rmdir(root)
            except OSError:
                pass

    print('sync_tree: %s -> %s: %d files, %d copied, %d removed' % (src, dest, len(wanted), copied, removed))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
