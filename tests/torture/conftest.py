"""Fixtures of the torture suite; see harness.py for the helpers and the environment."""

import os
import shutil
import subprocess

import pytest

from harness import HERE, SOURCE_ROOT, Corpus


def pytest_configure(config):
    """A private base directory: pytest's default, /tmp/pytest-of-USER/pytest-N, is pruned
    by any other pytest session of the same user, even while this one runs."""
    if config.option.basetemp is None:
        import atexit
        import tempfile
        config.option.basetemp = tempfile.mkdtemp(prefix='nm-torture-')
        atexit.register(shutil.rmtree, config.option.basetemp, True)


@pytest.fixture(scope='session')
def corpora(tmp_path_factory):
    """Builds the session's corpora on first use."""
    made = {}
    base = tmp_path_factory.mktemp('corpora')

    def get(name):
        if name not in made:
            messages, seed, index = {
                'small': (300, 3, True),        # most scenarios (copied when written to)
                'medium': (6000, 11, True),     # T11, T12: readers racing a writer
                'extra': (500, 12, False),      # T11, T12: mail the writer adds
                'large': (20000, 25, True),     # T25
            }[name]
            made[name] = Corpus.generate(str(base / name), messages, seed, index)
        return made[name]
    return get


@pytest.fixture(scope='session')
def small(corpora):
    return corpora('small')


@pytest.fixture
def small_copy(small, tmp_path):
    """A private, writable copy of the small corpus."""
    return small.copy(str(tmp_path / 'small'))


# ---------------------------------------------------------------------------
# the C helper (tests/torture/cases.c)
# ---------------------------------------------------------------------------

def _build(tmp_path_factory, variable, source, output, extra):
    """The helper built by meson (path in *variable*), or compiled here with cc against
    the library found on LD_LIBRARY_PATH; skips when neither works."""
    built = os.environ.get(variable)
    if built:
        assert os.path.exists(built), '%s=%s does not exist' % (variable, built)
        return built
    build = None
    for directory in os.environ.get('LD_LIBRARY_PATH', '').split(':'):
        if directory and os.path.exists(os.path.join(directory, 'libnotmuch-glib-1.so')):
            build = directory
            break
    compiler = shutil.which('cc')
    if build is None or compiler is None or shutil.which('pkg-config') is None:
        pytest.skip('%s unset, and no compiler or built library to build %s'
                    % (variable, source))
    flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'gio-2.0'],
                           capture_output=True, text=True, check=True).stdout.split()
    out = str(tmp_path_factory.mktemp('helpers') / output)
    proc = subprocess.run([compiler, '-g', '-o', out, os.path.join(HERE, source),
                           '-I', os.path.join(SOURCE_ROOT, 'nm-glib'), '-I', build]
                          + flags + ['-L', build] + extra,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip('cannot compile %s: %s' % (source, proc.stderr[-2000:]))
    return out


@pytest.fixture(scope='session')
def cases_exe(tmp_path_factory):
    """The torture-cases program (tests/torture/cases.c)."""
    return _build(tmp_path_factory, 'NM_TORTURE_CASES', 'cases.c', 'torture-cases',
                  ['-lnotmuch-glib-1'])


@pytest.fixture(scope='session')
def faults_lib(tmp_path_factory):
    """The fault-injection shim for LD_PRELOAD (tests/torture/faults.c)."""
    return _build(tmp_path_factory, 'NM_TORTURE_FAULTS', 'faults.c', 'torture-faults.so',
                  ['-shared', '-fPIC', '-ldl', '-lnotmuch'])
