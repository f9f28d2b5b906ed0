"""HMAC signatures and hostile input, through raw zmq frames against a kernel we launch ourselves
(so its stdout and stderr can be searched for a leaked signature).

Constant-time comparison cannot be measured reliably on a noisy machine; these tests prove the
observable part (near-miss signatures of every shape are refused) and kernel/wire/signer.ts uses
crypto.timingSafeEqual for the rest."""
import json
import os
import secrets
import shutil
import tempfile
import time
import unittest

from raw_client import DELIM, LaunchedKernel, execute_content, message_parts, parse_reply, sign, touch_code


class SignedKernelTest(unittest.TestCase):
    """A kernel with a key: anything not signed with it is dropped unseen."""

    @classmethod
    def setUpClass(cls):
        cls.kernel = LaunchedKernel(key=secrets.token_hex(16).encode())

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()

    def setUp(self):
        self.markers = tempfile.mkdtemp(prefix="parlab-markers-")
        self.addCleanup(shutil.rmtree, self.markers, True)
        # Fresh sockets per test: a reply left over from one test must not be read by the next.
        self.shell = self.kernel.dealer("shell")
        self.control = self.kernel.dealer("control")

    def tearDown(self):
        self.shell.close()
        self.control.close()

    def marker(self, name):
        return os.path.join(self.markers, name)

    def send_forged_execute(self, name, **signing):
        """Sends an execute_request that would create marker `name`; returns (msg_id, expected sig)."""
        msg_id, frames, expected = self.kernel.signed("execute_request", execute_content(touch_code(self.marker(name))), **signing)
        self.shell.send_multipart(frames)
        return msg_id, expected

    def assert_dropped_in_order(self, forged_ids, forged_markers):
        """A signed request sent after the forged ones on the same socket is answered first, and
        runs, while the forged ones left no file, no reply and no IOPUB message."""
        msg_id, frames, _ = self.kernel.signed("execute_request", execute_content(touch_code(self.marker("legit"))))
        self.shell.send_multipart(frames)
        _, header, parent, content = parse_reply(self.kernel.recv(self.shell))
        self.assertEqual(parent["msg_id"], msg_id, f"first reply answers {parent['msg_id']}, not the signed request")
        self.assertEqual(header["msg_type"], "execute_reply")
        self.assertEqual(content["status"], "ok", content)
        self.assertTrue(os.path.exists(self.marker("legit")), "the signed request did not run")
        for marker in forged_markers:
            self.assertFalse(os.path.exists(self.marker(marker)), f"a forged request ran ({marker})")
        time.sleep(0.5)  # let late IOPUB messages arrive before searching them
        parents = {json.loads(frames[frames.index(DELIM) + 3]).get("msg_id") for frames in self.kernel.record_iopub()}
        for forged in forged_ids:
            self.assertNotIn(forged, parents, "a forged request produced IOPUB messages")

    def assert_never_revealed(self, *signatures):
        """The expected signatures (and the key) appear in no IOPUB frame and no kernel output."""
        time.sleep(1.2)  # the drop log is written asynchronously (and at most once a second)
        iopub = b"\n".join(b"\n".join(frames) for frames in self.kernel.record_iopub())
        output = self.kernel.output()
        for secret in (*signatures, self.kernel.key):
            self.assertNotIn(secret, iopub, "a secret was published on IOPUB")
            self.assertNotIn(secret, output, "a secret was printed to the kernel's stdout/stderr")

    def assert_responsive(self):
        """The kernel still runs, answers kernel_info on shell and control, and executes code."""
        self.assertIsNone(self.kernel.proc.poll(), f"the kernel exited:\n{self.kernel.stderr().decode()}")
        kc = self.kernel.client
        self.assertEqual(kc.kernel_info(reply=True, timeout=30)["content"]["status"], "ok")
        msg_id, frames, _ = self.kernel.signed("kernel_info_request", {})
        self.control.send_multipart(frames)
        _, header, parent, _ = parse_reply(self.kernel.recv(self.control))
        self.assertEqual((header["msg_type"], parent["msg_id"]), ("kernel_info_reply", msg_id))
        reply = kc.execute_interactive("40 + 2", timeout=30, output_hook=lambda msg: None)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])

    def test_wrong_key_is_dropped(self):
        msg_id, expected = self.send_forged_execute("wrong-key", key=b"not-the-key")
        self.assert_dropped_in_order([msg_id], ["wrong-key"])
        self.assert_never_revealed(expected)

    def test_missing_signature_is_dropped(self):
        msg_id, expected = self.send_forged_execute("unsigned", signature=b"")
        self.assert_dropped_in_order([msg_id], ["unsigned"])
        self.assert_never_revealed(expected)

    def test_tampered_content_is_dropped(self):
        # A genuine signature of harmless code, replayed with other code: the attacker's best case.
        _, frames, _ = self.kernel.signed("execute_request", execute_content("1"))
        content = json.dumps(execute_content(touch_code(self.marker("tampered")))).encode()
        frames[5] = content
        self.shell.send_multipart(frames)
        msg_id = json.loads(frames[2])["msg_id"]
        self.assert_dropped_in_order([msg_id], ["tampered"])
        self.assert_never_revealed(sign(self.kernel.key, frames[2:6]))

    def test_near_miss_signatures_are_dropped(self):
        # Prefix, extension, one wrong digit, other case, raw digest bytes, padding: all refused.
        ids = []
        variants = [lambda s: s[:-1], lambda s: s + b"0", lambda s: s[:-1] + (b"0" if s[-1:] != b"0" else b"1"),
                    lambda s: s.upper(), lambda s: bytes.fromhex(s.decode()), lambda s: b" " + s,
                    lambda s: s + b"\0", lambda s: s[:32]]
        for index, variant in enumerate(variants):
            msg_id, parts = message_parts("execute_request", execute_content(touch_code(self.marker(f"near-{index}"))))
            self.shell.send_multipart([DELIM, variant(sign(self.kernel.key, parts)), *parts])
            ids.append(msg_id)
        self.assert_dropped_in_order(ids, [f"near-{index}" for index in range(len(variants))])

    def test_forged_shutdown_on_control_is_dropped(self):
        msg_id, frames, expected = self.kernel.signed("shutdown_request", {"restart": False}, key=b"not-the-key")
        self.control.send_multipart(frames)
        self.assert_responsive()
        self.assertFalse(self.control.poll(500), "the forged shutdown_request was answered")
        self.assert_never_revealed(expected)

    def test_malformed_frames_do_not_crash(self):
        garbage = [
            [b"no delimiter at all"],
            [DELIM],
            [DELIM, b"sig"],
            [DELIM, b"", b"{}", b"{}", b"{}"],  # four frames after the delimiter
            [os.urandom(64)],
            [os.urandom(7), os.urandom(300), os.urandom(1)],
            [DELIM, *(os.urandom(40) for _ in range(5))],
            [b"", b"", DELIM, b"", b"", b"", b"", b""],
        ]
        for socket in (self.shell, self.control):
            for frames in garbage:
                socket.send_multipart(frames)
        self.assert_responsive()

    def test_bad_json_and_headers_do_not_crash(self):
        # Correctly signed, so each one passes the signature check and reaches the parser. Their
        # content would create a marker if anything ran it.
        _, good = message_parts("execute_request", execute_content(touch_code(self.marker("bad-json"))))
        header = json.loads(good[0])
        variants = [
            [b"{not json", *good[1:]],
            [good[0], b"\xff\xfe\x00", *good[2:]],
            [good[0], good[1], good[2], b'{"code": '],
            [b"[]", *good[1:]], [b"null", *good[1:]], [b"42", *good[1:]], [b'"execute_request"', *good[1:]],
            [json.dumps({k: v for k, v in header.items() if k != "msg_type"}).encode(), *good[1:]],
            [json.dumps({**header, "msg_type": 42}).encode(), *good[1:]],
            [json.dumps({**header, "msg_type": None}).encode(), *good[1:]],
            [json.dumps({k: v for k, v in header.items() if k != "msg_id"}).encode(), *good[1:]],
            [good[0], b"null", good[2], good[3]],
            [good[0], good[1], good[2], b"[]"],
            [b"", b"", b"", b""],
        ]
        for socket in (self.shell, self.control):
            for parts in variants:
                socket.send_multipart([DELIM, sign(self.kernel.key, parts), *parts])
        self.assert_responsive()
        self.assertFalse(os.path.exists(self.marker("bad-json")), "a malformed request ran")

    def test_unknown_message_types_do_not_crash(self):
        types = ["no_such_request", "constructor", "__proto__", "toString", "hasOwnProperty",
                 "execute_reply", "", "x" * 10000]
        for socket in (self.shell, self.control):
            for msg_type in types:
                socket.send_multipart(self.kernel.signed(msg_type, {"code": "1"})[1])
        self.assert_responsive()

    def test_malformed_content_does_not_crash(self):
        requests = [("execute_request", {}), ("execute_request", {"code": 42}), ("complete_request", {}),
                    ("inspect_request", {"code": None}), ("is_complete_request", {}),
                    ("history_request", {"hist_access_type": "bogus"}), ("comm_msg", {}), ("comm_open", {})]
        for msg_type, content in requests:
            self.shell.send_multipart(self.kernel.signed(msg_type, content)[1])
        self.assert_responsive()

    def test_flood_is_dropped_and_logged_rate_limited(self):
        time.sleep(1.2)  # so the flood's first drop is logged, not suppressed by an earlier one
        before = len(self.kernel.stderr())
        count = 2000
        for index in range(count):
            self.shell.send_multipart(self.kernel.signed("kernel_info_request", {}, key=b"wrong")[1])
        self.assert_responsive()
        time.sleep(1.2)
        logged = self.kernel.stderr()[before:].decode(errors="replace")
        drops = [line for line in logged.splitlines() if "dropped a shell message" in line]
        self.assertGreater(len(drops), 0, f"no drop was logged to stderr:\n{logged}")
        self.assertLess(len(drops), count // 10, f"the log is not rate-limited: {len(drops)} lines")


class UnsignedKernelTest(unittest.TestCase):
    """Jupyter defines an empty key as "messages are not signed": the kernel accepts an empty
    signature and sends empty signatures."""

    @classmethod
    def setUpClass(cls):
        cls.kernel = LaunchedKernel(key=b"")

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()

    def test_empty_signature_is_accepted(self):
        marker = os.path.join(self.kernel.dir, "unsigned-ran")
        shell = self.kernel.dealer("shell")
        msg_id, frames, _ = self.kernel.signed("execute_request", execute_content(touch_code(marker)))
        self.assertEqual(frames[1], b"")
        shell.send_multipart(frames)
        signature, header, parent, content = parse_reply(self.kernel.recv(shell))
        shell.close()
        self.assertEqual((header["msg_type"], parent["msg_id"], content["status"]), ("execute_reply", msg_id, "ok"), content)
        self.assertEqual(signature, b"", "an unsigned kernel signed its reply")
        self.assertTrue(os.path.exists(marker))

    def test_jupyter_client_with_empty_key_executes(self):
        outputs = []
        reply = self.kernel.client.execute_interactive("console.log(6 * 7)", timeout=30, output_hook=outputs.append)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
        self.assertEqual(text.strip(), "42")
        for frames in self.kernel.record_iopub():
            self.assertEqual(frames[frames.index(DELIM) + 1], b"", "an unsigned kernel signed an IOPUB message")


if __name__ == "__main__":
    unittest.main()
