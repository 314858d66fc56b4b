"""Hosted mode: a run lives in a world of its own (namespaces) behind filters: it cannot read
or write the host's files, reach the network, start processes, name, signal or re-limit the
server, the zygote or another run, see the server's environment, raise its limits, outlive
its limit or fill the disk; ordinary snippets still work."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import pytest
from support import EXAMPLES, ROOT

from viz import Executor
from viz.backend.sandbox import MIN_LANDLOCK_ABI, landlock_abi

pytestmark = pytest.mark.skipif(landlock_abi() < MIN_LANDLOCK_ABI,
                                reason="this kernel has no Landlock ABI 6")


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "token.txt"
    path.write_text("s3cret-token\n", encoding="utf-8")
    return path


def refused(executor: Executor, source: str, kind: str = "Blocked") -> None:
    """The run fails at a line with ``kind``: ``Blocked`` where a filter refused,
    ``FileNotFoundError`` (TF: ``NotFoundError``) where the run's world has no such path."""
    trace = executor.run(textwrap.dedent(source))
    assert trace.error is not None, trace.stdout
    assert trace.error.type == kind, trace.error
    assert trace.error.line is not None


@pytest.mark.parametrize("source,kind", [
    ("open('/etc/passwd').read()", "FileNotFoundError"),
    (f"open({str(ROOT / 'app.py')!r}).read()", "FileNotFoundError"),
    ("import os\nos.listdir('/')", "Blocked"),
    (f"import os\nos.stat({str(ROOT / 'app.py')!r})", "FileNotFoundError"),
    ("import os, sys\nos.remove(os.path.join(sys.prefix, 'pyvenv.cfg'))", "OSError"),  # EROFS
    ("tf.io.read_file('/etc/hostname').eval(session=tf.Session())", "NotFoundError"),
    ("tf.gfile.GFile('/etc/passwd').read()", "NotFoundError"),
])
def test_files_outside_python_are_out_of_reach(hosted: Executor, source: str,
                                               kind: str) -> None:
    refused(hosted, source, kind)
    assert (Path(sys.prefix) / "pyvenv.cfg").exists()


@pytest.mark.parametrize("source", [
    "open('/tmp/scopeviz-hosted-write', 'w').write('x')",
    "tf.Session().run(tf.io.write_file('/tmp/scopeviz-hosted-write', 'x'))",
    "v = tf.Variable(1)\nwith tf.Session() as s:\n    s.run(tf.global_variables_initializer())\n"
    "    tf.train.Saver().save(s, '/tmp/scopeviz-hosted-write')",
])
def test_writes_land_in_the_runs_own_tmp_and_go_with_it(hosted: Executor, source: str) -> None:
    import glob

    trace = hosted.run(source + "\nimport os\nprint(any(name.startswith('scopeviz-hosted-write')"
                                " for name in os.listdir('/tmp')))\n")
    assert trace.ok and trace.stdout.endswith("True\n"), trace.error
    assert not glob.glob("/tmp/scopeviz-hosted-write*")  # the host's /tmp


def test_a_secret_file_is_out_of_reach(hosted: Executor, secret: Path) -> None:
    refused(hosted, f"print(open({str(secret)!r}).read())", "FileNotFoundError")


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
    """Outside its PID namespace nothing has a pid: its parent is 0, the server's pid names
    nothing (or, by chance, a thread of the run itself); process 1 is its namespace's init,
    which takes no signal from inside."""
    trace = hosted.run("import os, signal\nprint(os.getpid(), os.getppid())\n"
                       "os.kill(1, signal.SIGKILL)\nprint('alive')\n")
    assert trace.stdout == "2 0\n", trace.error
    assert trace.error is not None and trace.error.type == "Blocked", trace.error
    refused(hosted, f"import os, signal\nos.kill({os.getpid() + 1_000_000}, signal.SIGTERM)",
            "ProcessLookupError")
    trace = hosted.run(f"import os, signal\ntry:\n    os.kill({os.getpid()}, signal.SIGTERM)\n"
                       "except ProcessLookupError:\n    pass\nprint('alive')\n")
    assert trace.ok and trace.stdout == "alive\n", trace.error
    assert_alive(hosted)


def assert_alive(executor: Executor) -> None:
    trace = executor.run("print('healthy')\n")
    assert trace.ok and trace.stdout == "healthy\n", trace.error


@pytest.fixture()
def stand_in() -> Iterator[int]:
    """A process of the server's uid, as the Streamlit server is: what a run tried to kill."""
    import subprocess

    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield process.pid
    process.kill()
    process.wait()


def test_a_run_cannot_lower_the_limits_of_the_server_or_the_zygote(
        hosted: Executor, stand_in: int) -> None:
    """prlimit64 lowered the server's RLIMIT_CPU to 1 s and killed it; now only the run's own
    limits may be changed (pid 0), and outside pids name nothing."""
    import resource

    zygote = hosted._zygotes["tf1"].process.pid
    for target in (stand_in, zygote, os.getpid(), 1):
        trace = hosted.run(f"import os, resource\nresource.prlimit({target}, "
                           "resource.RLIMIT_CPU, (1, 1))\n")
        assert trace.error is not None and trace.error.type in (
            "Blocked", "ProcessLookupError"), (target, trace.error)
    assert resource.prlimit(stand_in, resource.RLIMIT_CPU) == (
        resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    assert os.path.exists(f"/proc/{stand_in}")
    assert_alive(hosted)


def runs_of(zygote: int) -> list[int]:
    """The zygote's children that are runs (not a namespace's process 1, a ``cat``)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
                parent = stat.read().rsplit(")", 1)[1].split()[1]
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:  # gone meanwhile
            continue
        if parent == str(zygote) and not command.startswith(b"cat\0"):
            found.append(int(pid))
    return found


def test_a_run_cannot_kill_a_sibling_run(hosted: Executor) -> None:
    """A sibling found by probing pids was killed by lowering its CPU limit; its pid, as the
    host knows it, now names nothing in another run's world, prlimit64 takes only pid 0, and
    the sibling ends as it would have."""
    import threading
    import time

    zygote = hosted._zygotes["tf1"].process.pid
    before = set(os.listdir("/proc"))
    outcome: list = []
    sibling = threading.Thread(target=lambda: outcome.append(hosted.run(
        "import time\ntime.sleep(3)\nprint('survived')\n", timeout=30.0)))
    sibling.start()
    try:
        deadline = time.monotonic() + 20
        found: list[int] = []
        while not found and time.monotonic() < deadline:
            found = [pid for pid in runs_of(zygote) if str(pid) not in before]
            time.sleep(0.05)
        assert found, "the sibling run did not start"
        for pid in found:
            refused(hosted, f"import os, signal\nos.kill({pid}, signal.SIGKILL)",
                    "ProcessLookupError")
            refused(hosted, f"import resource\nresource.prlimit({pid}, resource.RLIMIT_CPU, "
                            "(0, 0))")
    finally:
        sibling.join()
    assert outcome[0].ok and outcome[0].stdout == "survived\n", outcome[0].error
    assert_alive(hosted)


def test_a_run_finds_no_other_process(hosted: Executor) -> None:
    """getpgid/getsid/getpriority over pids found 112 host processes; in its own PID
    namespace a run finds itself and its namespace's process 1 only."""
    trace = hosted.run("import os\nfound = []\nfor pid in range(1, 70000):\n"
                       "    try:\n        os.getpgid(pid)\n        found.append(pid)\n"
                       "    except OSError:\n        pass\nprint(found)\n", timeout=30.0)
    assert trace.ok and trace.stdout == "[1, 2]\n", trace.error
    assert_alive(hosted)


def test_a_run_cannot_leave_its_group_or_outlive_its_limit(hosted: Executor) -> None:
    """setpgid into the zygote's group and a cleared parent-death signal kept a run alive
    40 s past its limit; now setpgid and setsid are refused, and whatever it does, the run
    ends at its limit."""
    refused(hosted, "import os\nos.setpgid(0, 0)")
    refused(hosted, "import os\nos.setsid()")
    import time

    started = time.monotonic()
    trace = hosted.run("import ctypes\nctypes.CDLL(None).prctl(1, 0, 0, 0, 0)\n"
                       "while True:\n    pass\n", timeout=2.0)
    assert trace.error is not None and trace.error.type == "Timeout", trace.error
    assert time.monotonic() - started < 30
    assert_alive(hosted)


def test_the_runs_space_is_bounded_and_leaves_nothing(hosted: Executor) -> None:
    """A TF2 run built 3,000 nested folders with setuid files in its space (which then
    could not be removed) and reserved 1.5 GiB; its /tmp is now a tmpfs of its own, bounded
    in bytes and files, nosuid and noexec, gone with it."""
    import glob

    before = set(glob.glob("/tmp/*"))
    trace = hosted.run(textwrap.dedent("""\
        import os
        os.chdir('/tmp')
        for depth in range(3000):
            os.mkdir('d')
            os.chdir('d')
        os.chdir('/')
        with open('/tmp/big', 'wb') as big:
            try:
                os.posix_fallocate(big.fileno(), 0, 1536 * 1024 * 1024)
            except OSError as exc:
                print('fallocate', exc.errno)
        try:
            for name in ('/tmp/half', '/tmp/other_half'):
                with open(name, 'wb') as half:
                    os.posix_fallocate(half.fileno(), 0, 40 * 1024 * 1024)
        except OSError as exc:
            print('two files', exc.errno)
        os.remove('/tmp/half')
        try:
            for n in range(20000):
                open(f'/tmp/f{n}', 'w').close()
        except OSError as exc:
            print('files', exc.errno, n < 10000)
        os.chmod('/tmp/f1', 0o4755)
        print([line.split()[3] for line in open('/proc/self/mounts')
               if line.split()[1] == '/tmp'])
        """), mode="tf2")
    assert trace.ok, trace.error
    lines = trace.stdout.splitlines()
    # EFBIG: one file stops at the run's file size limit (64 MiB); ENOSPC: two together at
    # its space's 64 MiB, and files at its 10,000 inodes
    assert lines[:3] == ["fallocate 27", "two files 28", "files 28 True"]
    assert "nosuid" in lines[3] and "noexec" in lines[3] and "nodev" in lines[3]
    # nothing the run made is left in the host's /tmp (which other programs may use meanwhile)
    made = {"/tmp/d", "/tmp/big", "/tmp/half", "/tmp/other_half",
            *(f"/tmp/f{n}" for n in range(20000))}
    assert (set(glob.glob("/tmp/*")) - before) & made == set()
    assert_alive(hosted)


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


def test_sysv_ipc_message_queues_and_keyrings_are_refused(hosted: Executor) -> None:
    # Each call returns -1 with EPERM; had one worked, its object would outlive the run.
    trace = hosted.run(textwrap.dedent("""\
        import ctypes, errno
        libc = ctypes.CDLL(None, use_errno=True)  # glibc 2.34+ holds mq_open itself
        IPC_PRIVATE, IPC_CREAT = 0, 0o1000
        calls = {
            "shmget": lambda: libc.shmget(IPC_PRIVATE, 400 << 20, IPC_CREAT | 0o600),
            "msgget": lambda: libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600),
            "semget": lambda: libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600),
            "mq_open": lambda: libc.mq_open(b"/scopeviz", 0o100 | 2, 0o600, None),
            "add_key": lambda: libc.syscall(248, b"user", b"scopeviz", b"secret", 6, -4),
            "keyctl": lambda: libc.syscall(250, 0, -4, 0),
        }
        for name, call in calls.items():
            ctypes.set_errno(0)
            print(name, call(), errno.errorcode.get(ctypes.get_errno()))
        """))
    assert trace.ok, trace.error
    assert trace.stdout.splitlines() == [f"{name} -1 EPERM" for name in (
        "shmget", "msgget", "semget", "mq_open", "add_key", "keyctl")]


def test_x32_and_i386_system_calls_are_refused(hosted: Executor) -> None:
    trace = hosted.run(textwrap.dedent("""\
        import ctypes, errno
        libc = ctypes.CDLL(None, use_errno=True)
        X32 = 0x40000000
        for number in (X32 + 41, X32 + 57, X32 + 59):  # socket, fork, execve with the x32 bit
            ctypes.set_errno(0)
            print(libc.syscall(number, 2, 1, 0), errno.errorcode.get(ctypes.get_errno()))
        """))
    assert trace.ok, trace.error
    assert trace.stdout == "-1 EPERM\n" * 3


def test_no_other_process_is_visible_in_proc(hosted: Executor) -> None:
    refused(hosted, "import os\nos.listdir('/proc')")
    refused(hosted, "open('/proc/1/cmdline').read()")  # its namespace's process 1
    refused(hosted, "open('/proc/3/cmdline').read()", "FileNotFoundError")
    refused(hosted, f"open('/proc/{os.getpid()}/environ').read()", "FileNotFoundError")
    refused(hosted, "open('/proc/self/../1/cmdline').read()")
    trace = hosted.run("import os\n"
                       "print(os.getpid() > 0, open('/proc/self/cmdline').read() != '')\n"
                       "print(len(open('/proc/net/tcp').read().splitlines()))\n")
    assert trace.ok, trace.error
    assert trace.stdout == "True True\n1\n"  # its own process; /proc/net/tcp: the header only


def test_the_run_holds_no_capability(hosted: Executor) -> None:
    trace = hosted.run("print([l.split()[1] for l in open('/proc/self/status') "
                       "if l.startswith(('CapEff', 'CapPrm', 'CapAmb', 'CapBnd'))])\n")
    assert trace.ok, trace.error
    assert trace.stdout == str(["0000000000000000"] * 4) + "\n"


def test_a_run_cannot_see_the_worker_or_the_server_process(hosted: Executor) -> None:
    refused(hosted, f"open('/proc/{os.getpid()}/cmdline').read()", "FileNotFoundError")
    refused(hosted, "import os\nopen(f'/proc/{os.getppid()}/maps').read()",
            "FileNotFoundError")


NON_ROOT_SERVER = """\
import json, os, sys
from viz import Executor

report = {"uid": os.geteuid()}
with Executor(hosted=True) as executor:
    def outcome(source, **options):
        trace = executor.run(source, **options)
        return [trace.error.type if trace.error else None, trace.stdout]

    report["seed"] = outcome(open(sys.argv[1]).read())
    report["pids"] = outcome("import os\\nprint(os.getpid(), os.getppid(), [p for p in "
                             "range(1, 70000) if os.path.exists(f'/proc/{p}')])\\n")
    report["server"] = outcome(f"import resource\\nresource.prlimit({os.getpid()}, "
                               "resource.RLIMIT_CPU, (1, 1))\\n")
    report["file"] = outcome(f"open({sys.argv[1]!r}).read()\\n")
    report["space"] = outcome("import os\\nopen('/tmp/x', 'w').write('x')\\n"
                              "print(os.listdir('/tmp'))\\n")
    report["loop"] = outcome("while True:\\n    pass\\n", timeout=1.0)
print(json.dumps(report))
"""


def test_a_non_root_server_runs_sealed_too(tmp_path: Path) -> None:
    """A server running as an ordinary user (here uid 1000 in a user namespace of its own,
    which has no capability on the host: what an ordinary user has) gets the same walls:
    its zygote enters user, PID and mount namespaces of its own at start, and each run its
    own world inside; the runs keep the server's uid outside (the only one it may map)."""
    import json
    import shutil
    import subprocess

    if shutil.which("unshare") is None:
        pytest.skip("util-linux's unshare is missing")
    if subprocess.run(["unshare", "--user", "true"], check=False).returncode != 0:
        pytest.skip("this kernel refuses unprivileged user namespaces")
    (tmp_path / "server.py").write_text(NON_ROOT_SERVER, encoding="utf-8")
    done = subprocess.run(
        ["unshare", "--user", "--map-user=1000", "--map-group=1000", sys.executable,
         str(tmp_path / "server.py"), str(EXAMPLES / "seed_1_name_scope_vs_variable_scope.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["uid"] == 1000
    assert report["seed"] == [None, "v1.name:  nsc1/v1:0\nv2.name:  nsc1/vsc1/v2:0\n"
                              "v3.name:  vsc1/v3:0\nv4.name:  nsc1_1/v4:0\n"]
    assert report["pids"] == [None, "2 0 [1, 2]\n"]
    assert report["server"][0] in ("Blocked", "ProcessLookupError")
    assert report["file"][0] == "FileNotFoundError"
    # its own /tmp (which also holds the folders above Python when that lives under /tmp)
    assert report["space"][0] is None and "'x'" in report["space"][1]
    assert report["loop"][0] == "Timeout"
