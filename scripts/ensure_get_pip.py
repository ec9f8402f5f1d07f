#!/usr/bin/env python
"""Make sure ansible-test finds its pip bootstrap script without downloading it.

ansible-test (sanity, and units/integration with --venv) creates virtual environments without pip and
bootstraps pip with a ``get-pip.py`` script that it downloads from Ansible's CI file server.  That host is
not reachable from our machines, so ansible-test first looks for a cached copy at
``~/.ansible/test/cache/get_pip_<version>.py`` (dots in the version turned into underscores).

Each ansible-core asks for its own pip version (2.16: 23.1.2, 2.19: 24.2, 2.21: 25.2): this script reads it
from the ansible-test that the running Python imports
(``ansible_test._internal.python_requirements.get_venv_packages``, for the running Python's version, which is
the one ansible-test creates its virtual environments with), unless a version is given as the argument.

It writes a small stand-in there when the file is missing and leaves an existing one alone:

* it downloads the matching pip wheel from the package index (``pip download --no-deps pip==<version>``)
  into the same cache directory;
* the stand-in puts that wheel on ``sys.path``, drops the two get-pip-only flags ansible-test passes
  (``--no-setuptools``, ``--no-wheel``), replaces the ``pip==<version>`` requirement by the wheel file
  and runs ``pip install`` with the remaining arguments, exactly as the real get-pip does.

Run it with the Python of the environment that holds ansible-test (the Makefile uses the leg's
.venv/core/<minor>/bin/python).  Usage: ensure_get_pip.py [PIP_VERSION]
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types

STAND_IN = '''\
"""Stand-in for get-pip.py {version}, written by seedops.veeam_em scripts/ensure_get_pip.py.

ansible-test runs this file as a script, with pip install arguments plus --no-setuptools/--no-wheel.
It installs pip from the wheel next to this file instead of an embedded copy.  Delete this file and
the wheel to have them written again.
"""
import os
import sys

WHEEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), {wheel!r})
REQUIREMENT = 'pip=={version}'


def main():
    if not os.path.isfile(WHEEL):
        sys.exit('get-pip stand-in: wheel %s is missing; delete %s and run scripts/ensure_get_pip.py again'
                 % (WHEEL, os.path.abspath(__file__)))
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    args = [WHEEL if arg == REQUIREMENT else arg for arg in args]
    sys.path.insert(0, WHEEL)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
    return pip_main(['install', '--upgrade', '--force-reinstall'] + args)


if __name__ == '__main__':
    sys.exit(main())
'''


def wanted_pip_version():
    """Return the pip version that the importable ansible-test bootstraps for the running Python."""
    try:
        import ansible_test  # pylint: disable=import-outside-toplevel
    except ImportError:
        sys.exit('get-pip: ERROR: %s cannot import ansible_test: run this script with the Python of the venv '
                 'that holds ansible-core, or give the pip version as the argument' % sys.executable)
    python_version = '%d.%d' % sys.version_info[:2]
    try:
        # pylint: disable-next=import-outside-toplevel
        from ansible_test._internal.python_requirements import get_venv_packages
        # get_venv_packages() reads only the version of its PythonConfig argument
        return get_venv_packages(types.SimpleNamespace(version=python_version))['pip']
    except Exception as error:  # pylint: disable=broad-exception-caught  # fall back to reading its source
        print('get-pip: cannot call get_venv_packages (%s); reading its source' % error, file=sys.stderr)
    source = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    try:
        with open(source, encoding='utf-8') as handle:
            match = re.search(r"""default_packages = dict\(\s*pip=['"]([0-9][0-9.]*)['"]""", handle.read())
    except OSError:
        match = None
    if not match:
        sys.exit('get-pip: ERROR: found no pip version in %s; give it as the argument' % source)
    return match.group(1)


def download_wheel(version, cache_dir):
    """Download the pip VERSION wheel into CACHE_DIR (through a temporary directory: runs may overlap)."""
    temp_dir = tempfile.mkdtemp(dir=cache_dir, prefix='.pip-download-')
    try:
        command = [sys.executable, '-m', 'pip', 'download', '--no-deps', '--only-binary', ':all:',
                   '--dest', temp_dir, 'pip==%s' % version]
        result = subprocess.run(command, check=False)
        for wheel in glob.glob(os.path.join(temp_dir, 'pip-%s-*.whl' % version)):
            os.replace(wheel, os.path.join(cache_dir, os.path.basename(wheel)))
        return result.returncode
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else wanted_pip_version()
    cache_dir = os.path.expanduser('~/.ansible/test/cache')
    target = os.path.join(cache_dir, 'get_pip_%s.py' % version.replace('.', '_'))

    if os.path.exists(target):
        print('get-pip: using existing %s (left alone)' % target)
        return 0

    os.makedirs(cache_dir, exist_ok=True)
    wheels = glob.glob(os.path.join(cache_dir, 'pip-%s-*.whl' % version))
    if not wheels:
        print('get-pip: %s is missing; fetching the pip %s wheel from the package index' % (target, version))
        returncode = download_wheel(version, cache_dir)
        wheels = glob.glob(os.path.join(cache_dir, 'pip-%s-*.whl' % version))
        if not wheels:
            print('get-pip: ERROR: could not download pip==%s (exit %s); ansible-test cannot bootstrap pip.'
                  % (version, returncode), file=sys.stderr)
            return 1

    content = STAND_IN.format(version=version, wheel=os.path.basename(sorted(wheels)[0]))
    handle, temp_path = tempfile.mkstemp(dir=cache_dir, prefix='.get_pip_', suffix='.tmp')
    with os.fdopen(handle, 'w', encoding='utf-8') as temp:
        temp.write(content)
    os.chmod(temp_path, 0o644)
    try:
        # Do not replace a file that appeared meanwhile (another run): link fails if the target exists.
        os.link(temp_path, target)
        print('get-pip: wrote stand-in %s (installs %s)' % (target, os.path.basename(sorted(wheels)[0])))
    except FileExistsError:
        print('get-pip: %s appeared meanwhile; left alone' % target)
    finally:
        os.unlink(temp_path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
