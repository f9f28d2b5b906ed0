"""Shared helpers for protocol tests: start the installed parlab kernel with Debian's
jupyter_client and run code the way a frontend does."""
import os
import queue
import time
import unittest

from jupyter_client.manager import KernelManager

TIMEOUT = 60


def start_kernel(kernel_name="parlab", cwd=None, extra_env=None):
    km = KernelManager(kernel_name=kernel_name)
    kwargs = {}
    if cwd:
        kwargs["cwd"] = cwd
    if extra_env:
        env = dict(os.environ)
        env.update(extra_env)
        kwargs["env"] = env
    km.start_kernel(**kwargs)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc


def drain_iopub(kc, timeout=0.2):
    """Every IOPUB message that arrives within `timeout` seconds of the last one."""
    messages = []
    while True:
        try:
            messages.append(kc.get_iopub_msg(timeout=timeout))
        except queue.Empty:
            return messages


def execute(kc, code, timeout=TIMEOUT, **options):
    """Runs code; returns (reply, outputs) where outputs are the IOPUB messages of this request
    up to its idle, excluding status messages."""
    msg_id = kc.execute(code, **options)
    reply = wait_reply(kc, msg_id, timeout)
    outputs = iopub_until_idle(kc, msg_id, timeout)
    return reply, outputs


def wait_reply(kc, msg_id, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no reply to {msg_id} within {timeout}s")
        msg = kc.get_shell_msg(timeout=remaining)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def iopub_until_idle(kc, msg_id, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    outputs = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no idle for {msg_id} within {timeout}s")
        msg = kc.get_iopub_msg(timeout=remaining)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                return outputs
            continue
        outputs.append(msg)


def text_of(outputs, name="stdout"):
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == name)


def result_of(outputs):
    results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
    return results[-1] if results else None


class KernelTestCase(unittest.TestCase):
    """One kernel per test class, started in a private folder."""

    kernel_name = "parlab"
    km = kc = None

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.workdir = tempfile.mkdtemp(prefix="parlab-nb-")
        cls.km, cls.kc = start_kernel(cls.kernel_name, cwd=cls.workdir)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)

    def run_ok(self, code, **options):
        reply, outputs = execute(self.kc, code, **options)
        errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(reply["content"]["status"], "ok", f"{code!r} failed: {errors}")
        return reply, outputs
