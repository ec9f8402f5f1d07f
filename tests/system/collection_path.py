"""Make the working tree importable as ansible_collections.seedops.veeam_em (without installing it)."""

from __future__ import annotations

import importlib
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS_DIR = os.path.join(REPO_ROOT, "build", "collections")


def ensure_collection_link():
    """build/collections/ansible_collections/seedops/veeam_em -> the repository root; returns the collections dir."""
    namespace_dir = os.path.join(COLLECTIONS_DIR, "ansible_collections", "seedops")
    link = os.path.join(namespace_dir, "veeam_em")
    os.makedirs(namespace_dir, exist_ok=True)
    if not os.path.exists(link):
        try:
            os.symlink(REPO_ROOT, link)
        except FileExistsError:  # another test process made it meanwhile
            pass
    if COLLECTIONS_DIR not in sys.path:
        sys.path.insert(0, COLLECTIONS_DIR)
    return COLLECTIONS_DIR


def import_module_utils(name):
    ensure_collection_link()
    return importlib.import_module("ansible_collections.seedops.veeam_em.plugins.module_utils.%s" % name)
