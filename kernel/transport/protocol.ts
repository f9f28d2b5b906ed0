// What the transport thread and the kernel's main thread say to each other.
import type { WireMessage } from "../wire/codec.js";
import type { Channel } from "../wire/connection.js";

export interface TransportInit {
  /** Read by the transport thread itself, so the main thread can start it before loading anything. */
  connectionFile: string;
  /** Watch for SIGINT with a helper process in our process group (signal-mode interrupts). */
  watchSignals: boolean;
  /** JPY_PARENT_PID: the client that started the kernel; when it is gone, the kernel ends too. */
  parentPid?: number;
  /** Counts every message the sockets delivered, shared with the main thread (see Dispatcher). */
  received: Int32Array;
}

export type ToMain =
  /** The sockets are bound. `sessionId`: the kernel's session, which every thread's messages name. */
  | { kind: "ready"; sessionId: string }
  | { kind: "fatal"; text: string }
  /** `sequence`: the value of TransportInit.received once the sockets delivered this message. */
  | { kind: "message"; channel: Exclude<Channel, "iopub" | "hb">; message: WireMessage; sequence: number }
  /** A SIGINT reached the kernel (from the helper or from the main thread's own handler). */
  | { kind: "interrupt" };

export type ToTransport =
  | { kind: "send"; channel: "shell" | "control" | "stdin" | "iopub"; message: Omit<WireMessage, "buffers"> & { buffers?: Uint8Array[] } }
  /** The main thread saw the interrupt or shutdown it was asked to handle: no need to force it. */
  | { kind: "responsive" }
  /** The main thread itself received SIGINT. */
  | { kind: "sigint" }
  | { kind: "close" };
