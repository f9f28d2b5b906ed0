// What the transport thread and the kernel's main thread say to each other.
import type { KernelMessage } from "@jupyterlab/services";
import type { JSONObject, OutgoingMessage, WireMessage } from "../wire/codec.js";

export interface TransportInit {
  /** Read by the transport thread itself, so the main thread can start it before loading anything. */
  connectionFile: string;
  /** Watch for SIGINT with a helper process in our process group (signal-mode interrupts). */
  watchSignals: boolean;
  /** JPY_PARENT_PID: the client that started the kernel; when it is gone, the kernel ends too. */
  parentPid?: number;
}

export type ToMain =
  /** Control and heartbeat are bound. */
  | { kind: "ready" }
  | { kind: "fatal"; text: string }
  | { kind: "message"; channel: "control"; message: WireMessage }
  /** The transport thread answered this control request itself: IOPUB still owes its busy/idle. */
  | { kind: "answered"; header: KernelMessage.IHeader }
  /** A SIGINT reached the kernel (from the helper or from the main thread's own handler). */
  | { kind: "interrupt" };

export type ToTransport =
  /** A reply on control; the main thread sends everything else on its own sockets. */
  | { kind: "send"; channel: "control"; message: OutgoingMessage }
  /** kernel_info_reply's content, the same for the kernel's whole life: control answers it itself. */
  | { kind: "kernelInfo"; sessionId: string; content: JSONObject }
  /** The main thread saw the interrupt or shutdown it was asked to handle: no need to force it. */
  | { kind: "responsive" }
  /** The main thread itself received SIGINT. */
  | { kind: "sigint" }
  /** Shared memory naming the synchronous child call the main thread is blocked in (see child-processes.ts). */
  | { kind: "syncCalls"; calls: Int32Array }
  | { kind: "close" };
