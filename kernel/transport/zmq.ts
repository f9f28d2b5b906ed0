// zeromq for whichever kernel thread owns sockets: reading only authentic messages, sending at
// once, and closing without losing what was sent.
import { createRequire } from "node:module";
import type * as Zmq from "zeromq";
import { decode, type Frame, type WireMessage } from "../wire/codec.js";
import type { Signer } from "../wire/signer.js";
import type { Log } from "../log.js";

// require, not import: importing the CommonJS package makes Node scan it for export names first,
// ~8 ms of every kernel start, on its way to the first kernel_info_reply.
const require = createRequire(import.meta.url);
export const zmq = require("zeromq") as typeof Zmq;
export type { Zmq };

/**
 * Options for a socket that never has to wait to send: a router drops what it cannot route, a
 * publisher what a slow subscriber cannot take. With no send timeout, zeromq.js hands each message
 * to zeromq inside `send()` itself, so messages leave in the order they were sent, with no send in
 * flight for the next one to wait behind and no system call to ask first whether it may send.
 */
export const SEND_AT_ONCE = { sendTimeout: 0 } as const;

/** Sends on a socket made with SEND_AT_ONCE; a failure (the socket closed, say) is logged, not thrown. */
export function sendAtOnce(socket: Zmq.Writable, frames: Frame[], log: Log): void {
  const failed = (error: Error) => log(`send failed: ${error.message}`);
  try {
    socket.send(frames).catch(failed);
  } catch (error) {
    failed(error as Error);
  }
}

/** Closes `sockets`, giving slow peers up to 500 ms to take what was sent. */
export function closeAfterSending(sockets: Zmq.Socket[]): void {
  for (const socket of sockets) {
    socket.linger = 500;
    socket.close();
  }
}

/**
 * Reads `socket` until it closes, handing on every message whose signature checks; anything else
 * is dropped and logged, and a message its handler fails on never ends the reading.
 */
export function readAuthentic(socket: Zmq.Router, channel: string, signer: Signer, log: Log, onMessage: (message: WireMessage) => void): void {
  (async () => {
    for await (const frames of socket) {
      const result = decode(frames, signer);
      if (!result.ok) { log(`dropped a ${channel} message: ${result.reason}`); continue; }
      try {
        onMessage(result.message);
      } catch (error) {
        log(`a ${channel} message could not be handled: ${(error as Error).stack ?? error}`);
      }
    }
  })().catch((error: Error) => { if (!socket.closed) log(`${channel} receive loop ended: ${error.message}`); });
}
