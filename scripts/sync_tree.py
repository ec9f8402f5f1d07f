#!/usr/bin/env python
"""Mirror the files of a git work tree into a separate tree for ansible-test (no rsync needed).

Usage: sync_tree.py SRC DEST

The mirror holds exactly the files a clone of SRC would have plus the files a reviewer would see in the work
tree: ``git ls-files --cached --others --exclude-standard`` (tracked files and untracked files that are not
ignored); nothing is left out.  Tracked files deleted from the work tree are skipped.  Only files whose
size, modification time or mode changed are copied; every other file and directory in DEST is deleted, so
that DEST is an exact mirror after each run.  ansible-test's own output directory DEST/tests/output is kept.
Symbolic links are mirrored as symbolic links, as a clone has them.

DEST may lie inside SRC only in a directory that git ignores (the Makefile uses build/).
"""

import os
import shutil
import subprocess
import sys

KEEP_IN_DEST = (os.path.join('tests', 'output'),)


def listed_files(src):
    """Return the relative paths of ``git ls-files -co --exclude-standard`` in SRC."""
    command = ['git', '-C', src, 'ls-files', '-z', '--cached', '--others', '--exclude-standard']
    try:
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise SystemExit('sync_tree: ERROR: %s is not a git work tree (%s)' % (src, error)) from None
    return sorted({os.path.normpath(os.fsdecode(name)) for name in output.split(b'\0') if name})


def wanted_files(src, dest):
    """Return {relative path: source path} of the files to mirror (regular files and symbolic links)."""
    wanted = {}
    dest_rel = os.path.relpath(dest, src)
    for rel in listed_files(src):
        if dest_rel == rel or rel.startswith(dest_rel + os.sep):
            raise SystemExit('sync_tree: ERROR: %s is listed by git: DEST must be in an ignored directory' % rel)
        full = os.path.join(src, rel)
        if os.path.islink(full) or os.path.isfile(full):
            wanted[rel] = full
    return wanted


def same(src_path, dest_path):
    """Tell whether DEST_PATH already mirrors SRC_PATH."""
    if os.path.islink(src_path):
        return os.path.islink(dest_path) and os.readlink(dest_path) == os.readlink(src_path)
    if os.path.islink(dest_path) or not os.path.isfile(dest_path):
        return False
    src_stat, dest_stat = os.stat(src_path), os.stat(dest_path)
    return (src_stat.st_size == dest_stat.st_size and int(src_stat.st_mtime) == int(dest_stat.st_mtime)
            and (src_stat.st_mode & 0o7777) == (dest_stat.st_mode & 0o7777))


def copy(dest, src_path, dest_path):
    """Replace DEST_PATH (whatever it is) by a copy of SRC_PATH."""
    parent = os.path.dirname(dest_path)
    while parent != dest and not os.path.isdir(parent):
        if os.path.lexists(parent):  # a file (or link) where the mirror now needs a directory
            os.unlink(parent)
            break
        parent = os.path.dirname(parent)
    os.makedirs(os.path.dirname(dest_path), exist_ok=True)
    if os.path.isdir(dest_path) and not os.path.islink(dest_path):
        shutil.rmtree(dest_path)
    elif os.path.lexists(dest_path):
        os.unlink(dest_path)
    if os.path.islink(src_path):
        os.symlink(os.readlink(src_path), dest_path)
    else:
        shutil.copy2(src_path, dest_path)


def kept(rel):
    """Tell whether REL (relative to DEST) is ansible-test output that the mirror keeps."""
    return any(rel == keep or rel.startswith(keep + os.sep) for keep in KEEP_IN_DEST)


def remove_stale(dest, wanted):
    """Delete every file and directory of DEST that is not wanted; return the number of files deleted."""
    wanted_dirs = {''}
    for rel in wanted:
        rel = os.path.dirname(rel)
        while rel not in wanted_dirs:
            wanted_dirs.add(rel)
            rel = os.path.dirname(rel)
    keep_parents = set()
    for keep in KEEP_IN_DEST:
        while keep:
            keep = os.path.dirname(keep)
            keep_parents.add(keep)

    removed = 0
    for root, dirs, files in os.walk(dest, topdown=False):
        rel_root = os.path.relpath(root, dest)
        rel_root = '' if rel_root == '.' else rel_root
        if kept(rel_root):
            continue
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            rel = os.path.join(rel_root, name)
            if rel not in wanted and not kept(rel):
                os.unlink(os.path.join(root, name))
                removed += 1
        if rel_root not in wanted_dirs and rel_root not in keep_parents:
            try:
                os.rmdir(root)
            except OSError:
                pass
    return removed


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src, dest = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    if dest == src or src.startswith(dest + os.sep):
        # The mirror deletes whatever it does not copy: never point it at (a parent of) the sources.
        print('sync_tree: ERROR: DEST must not be SRC or contain it', file=sys.stderr)
        return 2
    wanted = wanted_files(src, dest)
    copied = 0
    for rel, src_path in sorted(wanted.items()):
        dest_path = os.path.join(dest, rel)
        if not same(src_path, dest_path):
            copy(dest, src_path, dest_path)
            copied += 1
    removed = remove_stale(dest, wanted)
    print('sync_tree: %s -> %s: %d files, %d copied, %d removed' % (src, dest, len(wanted), copied, removed))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
