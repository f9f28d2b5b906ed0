"""A record of every IOPUB message, whatever its parent, for tests about *which cell* an output
went to. harness.execute() drops messages of other parents while it waits for an idle, so output
of an earlier cell arriving during a later one would vanish there; here nothing is dropped."""
import queue
import time

from harness import TIMEOUT, wait_reply

LATE_TIMEOUT = 10  # only detects a hang: outputs are awaited by content, never by a fixed sleep


class IopubLog:
    def __init__(self, kc):
        self.kc = kc
        self.messages = []

    def wait_for(self, condition, timeout=LATE_TIMEOUT):
        """Records IOPUB until condition() holds; returns whether it did within timeout."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                self.messages.append(self.kc.get_iopub_msg(timeout=min(remaining, 0.5)))
            except queue.Empty:
                pass
        return True

    def run(self, code, timeout=TIMEOUT):
        """Executes code and records IOPUB up to its idle; returns (msg_id, reply)."""
        msg_id = self.kc.execute(code)
        reply = wait_reply(self.kc, msg_id, timeout)
        if not self.wait_for(lambda: self.index_of_idle(msg_id) is not None, timeout):
            raise TimeoutError(f"no idle for {msg_id} within {timeout}s")
        return msg_id, reply

    def index_of_idle(self, msg_id):
        for i, m in enumerate(self.messages):
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" and self.parent(m) == msg_id:
                return i
        return None

    def index_of_text(self, msg_id, text):
        """Position of the stream message of msg_id that carries text (None if none does)."""
        for i, m in enumerate(self.messages):
            if m["msg_type"] == "stream" and self.parent(m) == msg_id and text in m["content"]["text"]:
                return i
        return None

    @staticmethod
    def parent(message):
        return message["parent_header"].get("msg_id")

    def outputs(self, msg_id, types=("stream", "display_data", "update_display_data", "execute_result", "error", "clear_output")):
        return [m for m in self.messages if self.parent(m) == msg_id and m["msg_type"] in types]

    def streams(self, msg_id):
        """The cell's stream output as [(name, text)], adjacent messages of one stream joined
        (the kernel batches writes; how it splits them is not the contract, the order is)."""
        joined = []
        for m in self.outputs(msg_id, ("stream",)):
            name, text = m["content"]["name"], m["content"]["text"]
            if joined and joined[-1][0] == name:
                joined[-1] = (name, joined[-1][1] + text)
            else:
                joined.append((name, text))
        return joined

    def text(self, msg_id, name="stdout"):
        return "".join(t for n, t in self.streams(msg_id) if n == name)

    def has_text(self, msg_id, name, text):
        """A condition for wait_for: the cell's `name` stream contains text."""
        return lambda: text in self.text(msg_id, name)

    def all_text(self):
        """Every stream text of every cell, for "this marker went nowhere else" checks."""
        return [(self.parent(m), m["content"]["name"], m["content"]["text"]) for m in self.messages if m["msg_type"] == "stream"]
