"""Low-level tools for protocol tests that jupyter_client cannot do: launch the kernel as our own
child (to see its PID, stdout and stderr), send hand-made multipart frames over a raw DEALER,
record every raw IOPUB frame, and look at processes through /proc."""
import datetime
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(REPO, "dist", "kernel", "cli.js")
NODE = os.environ.get("PARLAB_NODE") or shutil.which("node")
DELIM = b"<IDS|MSG>"
TIMEOUT = 60


def sign(key, parts):
    """The signature Jupyter expects over header, parent, metadata and content (b"" if unsigned)."""
    if not key:
        return b""
    return hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()


def message_parts(msg_type, content, msg_id=None):
    """(msg_id, [header, parent, metadata, content]) as JSON bytes, ready to sign."""
    msg_id = msg_id or uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": msg_type, "session": "raw-client", "username": "test",
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "version": "5.3"}
    return msg_id, [json.dumps(part).encode() for part in (header, {}, {}, content)]


def execute_content(code):
    return {"code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}


def touch_code(path):
    """A cell that creates `path`: if the file exists, the cell ran."""
    return f'(await import("node:fs")).writeFileSync({json.dumps(path)}, "ran");'


def parse_reply(frames):
    """(signature, header, parent_header, content) of a message the kernel sent."""
    split = frames.index(DELIM)
    signature, header, parent, _metadata, content = frames[split + 1:split + 6]
    return signature, json.loads(header), json.loads(parent), json.loads(content)


class LaunchedKernel:
    """`parlab kernel <connection file>` as our own child, its stdout and stderr in files, with a
    ready BlockingKernelClient (`client`) and a raw SUB socket recording every IOPUB frame."""

    def __init__(self, key=b"", cwd=None):
        self.dir = tempfile.mkdtemp(prefix="parlab-raw-")
        self.cwd = cwd or self.dir
        self.key = key
        self.connection_file, self.info = write_connection_file(
            os.path.join(self.dir, "kernel.json"), ip="127.0.0.1", key=key)
        self.context = zmq.Context()
        self._iopub = self.context.socket(zmq.SUB)
        self._iopub.setsockopt(zmq.RCVHWM, 0)  # keep everything: the test reads it all at the end
        self._iopub.setsockopt(zmq.SUBSCRIBE, b"")
        self._iopub.connect(self.url("iopub"))
        self.iopub_frames = []
        self.client = None
        env = dict(os.environ)
        env.setdefault("PARLAB_HISTORY_FILE", os.path.join(self.dir, "history.jsonl"))
        self.stdout_path = os.path.join(self.dir, "stdout.txt")
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([NODE, CLI, "kernel", self.connection_file], cwd=self.cwd,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                         start_new_session=True)  # its own process group, as KernelManager does
        self._wait_for_heartbeat()
        self.client = BlockingKernelClient(connection_file=self.connection_file)
        self.client.load_connection_file()
        self.client.start_channels()
        try:
            self.client.wait_for_ready(timeout=TIMEOUT)
        except RuntimeError as error:
            output = self.output().decode(errors="replace")
            self.close()
            raise RuntimeError(f"{error}; the kernel's output:\n{output}") from error

    def _wait_for_heartbeat(self):
        # jupyter_client's heartbeat thread declares a kernel dead if its first ping goes unanswered
        # for a second, and a kernel takes longer than that to start on a busy machine.
        ping = self.context.socket(zmq.REQ)
        ping.setsockopt(zmq.LINGER, 0)
        ping.connect(self.url("hb"))
        ping.send(b"ping")
        deadline = time.monotonic() + TIMEOUT
        try:
            while not ping.poll(200):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    output = self.output().decode(errors="replace")
                    self.close()
                    raise RuntimeError(f"the kernel did not start; its output:\n{output}")
            ping.recv()
        finally:
            ping.close()

    def url(self, channel):
        return f"tcp://127.0.0.1:{self.info[channel + '_port']}"

    def dealer(self, channel="shell"):
        """A raw DEALER on the shell or control port; frames go out exactly as given."""
        socket = self.context.socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        socket.connect(self.url(channel))
        return socket

    def signed(self, msg_type, content, key=None, signature=None):
        """(msg_id, frames, expected signature) for a message signed with `key` (the kernel's by
        default), or carrying `signature` instead."""
        msg_id, parts = message_parts(msg_type, content)
        expected = sign(self.key, parts)
        used = signature if signature is not None else sign(self.key if key is None else key, parts)
        return msg_id, [DELIM, used, *parts], expected

    def recv(self, socket, timeout=TIMEOUT):
        if not socket.poll(timeout * 1000):
            raise TimeoutError(f"no message from the kernel within {timeout}s")
        return socket.recv_multipart()

    def record_iopub(self):
        """Every IOPUB frame received so far (accumulated across calls)."""
        while self._iopub.poll(0):
            self.iopub_frames.append(self._iopub.recv_multipart())
        return self.iopub_frames

    def output(self):
        """Everything the kernel (and its children) wrote to stdout and stderr so far."""
        with open(self.stdout_path, "rb") as out, open(self.stderr_path, "rb") as err:
            return out.read() + err.read()

    def stderr(self):
        with open(self.stderr_path, "rb") as err:
            return err.read()

    def close(self):
        if self.client:
            self.client.stop_channels()
        # A test may have failed with the kernel still running: ask it to exit (it ends its
        # children on SIGTERM), then kill its whole group so nothing is left behind either way.
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.context.destroy(linger=0)
        shutil.rmtree(self.dir, ignore_errors=True)


def alive(pid):
    """True if the process exists and has not exited. A zombie has exited: it only waits for its
    parent (possibly a PID 1 that never reaps) to collect its status."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def children(pid):
    """{child pid: command line} of the live children of `pid`."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            if ppid != pid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                found[int(entry)] = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return {child: cmd for child, cmd in found.items() if alive(child)}


def still_alive(pids, timeout=10):
    """The pids still alive after waiting up to `timeout` s (signals take a moment to land)."""
    deadline = time.monotonic() + timeout
    while True:
        living = [pid for pid in pids if alive(pid)]
        if not living or time.monotonic() > deadline:
            return living
        time.sleep(0.1)
