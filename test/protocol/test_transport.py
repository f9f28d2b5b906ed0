"""The kernel binds exactly what its connection file names, over tcp or ipc."""
import os
import tempfile
import unittest

from jupyter_client.manager import KernelManager

from harness import execute, result_of


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


if __name__ == "__main__":
    unittest.main()
