"""Hosted mode: a run cannot read or write files, reach the network, start processes, signal
the server, see its environment or raise its limits; ordinary snippets still work."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Iterator

import pytest

from conftest import EXAMPLES, ROOT
from viz import Executor
from viz.backend.sandbox import MIN_LANDLOCK_ABI, landlock_abi

pytestmark = pytest.mark.skipif(landlock_abi() < MIN_LANDLOCK_ABI,
                                reason="this kernel has no Landlock ABI 6")


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "token.txt"
    path.write_text("s3cret-token\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hosted() -> Iterator[Executor]:
    os.environ["SCOPEVIZ_TEST_SECRET"] = "server-password"
    try:
        with Executor(hosted=True) as executor:
            executor.warm_up()
            yield executor
    finally:
        del os.environ["SCOPEVIZ_TEST_SECRET"]


def refused(executor: Executor, source: str) -> None:
    trace = executor.run(textwrap.dedent(source))
    assert trace.error is not None, trace.stdout
    assert trace.error.type == "Blocked", trace.error
    assert trace.error.line is not None


@pytest.mark.parametrize("source", [
    "open('/etc/passwd').read()",
    f"open({str(ROOT / 'app.py')!r}).read()",
    "import os\nos.listdir('/')",
    "open('/tmp/scopeviz-hosted-write', 'w').write('x')",
    f"import os\nos.remove({str(ROOT / 'README.md')!r})",
    "tf.io.read_file('/etc/hostname').eval(session=tf.Session())",
    "tf.Session().run(tf.io.write_file('/tmp/scopeviz-tf-write', 'x'))",
    "tf.gfile.GFile('/etc/passwd').read()",
    "v = tf.Variable(1)\nwith tf.Session() as s:\n    s.run(tf.global_variables_initializer())\n"
    "    tf.train.Saver().save(s, '/tmp/scopeviz-ckpt')",
])
def test_files_outside_python_are_out_of_reach(hosted: Executor, source: str) -> None:
    refused(hosted, source)


def test_a_secret_file_is_out_of_reach(hosted: Executor, secret: Path) -> None:
    refused(hosted, f"print(open({str(secret)!r}).read())")


@pytest.mark.parametrize("source", [
    "import socket\nsocket.create_connection(('127.0.0.1', 8501), timeout=1)",
    "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('8.8.8.8', 53))",
    "import socket\nsocket.socket().bind(('0.0.0.0', 8765))",
    "import urllib.request\nurllib.request.urlopen('http://93.184.215.14/', timeout=1)",
    "import socket\nsocket.socket(socket.AF_UNIX).connect('/run/docker.sock')",
    "import socket\nsocket.socketpair()",
])
def test_no_network(hosted: Executor, source: str) -> None:
    trace = hosted.run(source)
    assert trace.error is not None and trace.error.type == "Blocked", trace.error
    assert "Operation not permitted" in trace.error.message


@pytest.mark.parametrize("source", [
    "import subprocess\nsubprocess.run(['id'])",
    "import os\nos.fork()",
])
def test_no_new_processes(hosted: Executor, source: str) -> None:
    refused(hosted, source)


def test_os_system_cannot_start_a_shell(hosted: Executor) -> None:
    trace = hosted.run("import os\nprint(os.system('echo pwned'))\n")
    assert trace.ok and "pwned" not in trace.stdout
    assert trace.stdout.strip() != "0"


def test_cannot_signal_the_worker_or_the_server(hosted: Executor) -> None:
    refused(hosted, "import os, signal\nos.kill(os.getppid(), signal.SIGTERM)")
    refused(hosted, f"import os, signal\nos.kill({os.getpid()}, signal.SIGTERM)")


def test_environment_is_scrubbed(hosted: Executor) -> None:
    trace = hosted.run("import os\nprint(sorted(os.environ))\n"
                       "print('server-password' in open('/proc/self/environ').read())\n")
    assert trace.ok, trace.error
    assert trace.stdout == "['HOME', 'LANG', 'PATH']\nFalse\n"


def test_cannot_raise_its_limits(hosted: Executor) -> None:
    trace = hosted.run("import resource\nresource.setrlimit(resource.RLIMIT_AS, "
                       "(resource.RLIM_INFINITY, resource.RLIM_INFINITY))")
    # Python turns the kernel's EPERM for a raised hard limit into this ValueError.
    assert trace.error is not None and trace.error.type == "ValueError"
    assert trace.error.message == "not allowed to raise maximum limit"


@pytest.mark.parametrize("stem", ["seed_notebook", "gan_discriminator", "optimizer_slots"])
def test_ordinary_snippets_still_work(hosted: Executor, stem: str) -> None:
    path = EXAMPLES / f"{stem}.py"
    trace = hosted.run(path.read_text(encoding="utf-8"), filename=path.name)
    assert trace.ok, trace.error
    assert trace.variables


def test_threads_and_sessions_work(hosted: Executor) -> None:
    trace = hosted.run("import threading\nt = threading.Thread(target=print, args=('hi',))\n"
                       "t.start(); t.join()\nwith tf.Session() as s:\n"
                       "    print(s.run(tf.constant(2) * 3))\n")
    assert trace.ok and trace.stdout == "hi\n6\n"
