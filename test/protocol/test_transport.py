"""The kernel binds exactly what its connection file names, over tcp or ipc, and answers on
control while a cell keeps its main thread busy."""
import os
import tempfile
import time
import unittest

from jupyter_client.manager import KernelManager

from harness import KernelTestCase, execute, iopub_until_idle, result_of, wait_reply

HANG = 20  # seconds: only to detect a kernel that does not answer


def listening_tcp_ports(pid):
    """TCP ports the process listens on, from /proc: its socket inodes matched to LISTEN entries."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.add(int(fields[1].split(":")[1], 16))
    return ports


class Transports(unittest.TestCase):
    def start(self, transport):
        km = KernelManager(kernel_name="parlab")
        km.transport = transport
        if transport == "ipc":
            km.ip = os.path.join(tempfile.mkdtemp(prefix="parlab-ipc-"), "kernel")
        km.start_kernel(cwd=tempfile.mkdtemp())
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        self.addCleanup(km.shutdown_kernel)
        self.addCleanup(kc.stop_channels)
        return km, kc

    def test_tcp_binds_exactly_the_five_ports(self):
        km, kc = self.start("tcp")
        reply, outputs = execute(kc, "1 + 1")
        self.assertEqual(result_of(outputs), "2")
        named = {km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port}
        self.assertEqual(listening_tcp_ports(km.provisioner.process.pid), named)

    def test_ipc_uses_the_named_sockets_and_no_tcp(self):
        km, kc = self.start("ipc")
        reply, outputs = execute(kc, "6 * 7")
        self.assertEqual(result_of(outputs), "42")
        for port in (km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port):
            self.assertTrue(os.path.exists(f"{km.ip}-{port}"), f"{km.ip}-{port}")
        self.assertEqual(listening_tcp_ports(km.provisioner.process.pid), set())


class FirstKernelInfo(unittest.TestCase):
    """The main thread answers the first kernel_info as soon as its sockets are bound, before it
    loads the interpreter. That answer must be the one the kernel gives later, in the same
    session."""

    def test_the_first_answer_matches_later_ones(self):
        km = KernelManager(kernel_name="parlab")
        km.start_kernel(cwd=tempfile.mkdtemp())
        self.addCleanup(km.shutdown_kernel)
        kc = km.client()
        kc.start_channels()
        self.addCleanup(kc.stop_channels)
        first = kc.kernel_info(reply=True, timeout=60)
        executed = kc.execute("1 + 1", reply=True, timeout=60)
        later = kc.kernel_info(reply=True, timeout=60)
        self.assertEqual(executed["content"]["status"], "ok")
        self.assertEqual(first["content"], later["content"])
        self.assertEqual(first["content"]["language_info"]["name"], "typescript")
        self.assertEqual({first["header"]["session"], later["header"]["session"]}, {executed["header"]["session"]})


class LanguageInfo(KernelTestCase):
    def test_codemirror_mode_is_typescript_for_jupyterlab(self):
        # JupyterLab 4 finds the editor's language by codemirror_mode's name (CodeMirror 6; the old
        # `{"name": "javascript", "typescript": true}` meant JavaScript there: no TypeScript
        # highlighting). "typescript" is the name of its TypeScript language, and CodeMirror 5's.
        info = self.kc.kernel_info(reply=True, timeout=HANG)["content"]["language_info"]
        mode = info["codemirror_mode"]
        self.assertEqual(mode if isinstance(mode, str) else mode.get("name"), "typescript")
        self.assertEqual((info["name"], info["file_extension"], info["pygments_lexer"]), ("typescript", ".ts", "typescript"))


class KernelInfoOnControl(KernelTestCase):
    """Jupyter Server's connection nudge and other clients ask kernel_info on control, which
    ipykernel answers at once, even while a cell runs."""

    def test_answered_while_a_cells_synchronous_loop_runs(self):
        shell_info = self.kc.kernel_info(reply=True, timeout=HANG)
        started, answered = (os.path.join(self.workdir, name) for name in ("started", "answered"))
        # The loop ends only once the client has the reply, so the order is causal, not timed.
        msg_id = self.kc.execute(f"""import {{ existsSync, writeFileSync }} from "node:fs";
writeFileSync({started!r}, "");
while (!existsSync({answered!r})) {{}}""")
        request = self.kc.session.msg("kernel_info_request", {})
        try:
            while not os.path.exists(started):
                time.sleep(0.05)
            self.kc.control_channel.send(request)
            reply = self.kc.get_control_msg(timeout=HANG)
        finally:
            open(answered, "w").close()
        self.assertEqual(reply["parent_header"]["msg_id"], request["header"]["msg_id"])
        self.assertEqual(reply["content"], shell_info["content"])
        self.assertEqual(reply["header"]["session"], shell_info["header"]["session"])
        self.assertEqual(wait_reply(self.kc, msg_id, timeout=HANG)["content"]["status"], "ok")
        # Bracketed by busy and idle on IOPUB, as every request is.
        self.assertEqual(iopub_until_idle(self.kc, request["header"]["msg_id"], timeout=HANG), [])


if __name__ == "__main__":
    unittest.main()
