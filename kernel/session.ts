// Builds protocol messages (header, parent, metadata) and hands them to the sockets.
import { randomUUID } from "node:crypto";
import type { KernelMessage } from "@jupyterlab/services";
import type { JSONObject, OutgoingMessage, WireMessage } from "./wire/codec.js";

export type OutgoingChannel = "shell" | "control" | "stdin" | "iopub";

/** Where a session's messages go: the sockets, whichever thread owns each. */
export interface MessageSink {
  send(channel: OutgoingChannel, message: OutgoingMessage): void;
}

export const PROTOCOL_VERSION = "5.3";

/** A request as handlers see it: the parsed message and where it came from. */
export interface Request<C = JSONObject> extends WireMessage {
  channel: "shell" | "control" | "stdin";
  content: C & JSONObject;
}

export type Parent = Pick<WireMessage, "header" | "identities">;

export class KernelSession {
  readonly #sink: MessageSink;
  readonly #topics = new Map<string, Buffer>();

  constructor(sink: MessageSink, readonly id: string = randomUUID()) {
    this.#sink = sink;
  }

  header(msgType: string): KernelMessage.IHeader {
    return {
      msg_id: randomUUID(),
      msg_type: msgType as KernelMessage.MessageType,
      session: this.id,
      username: "parlab",
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    };
  }

  /** Answers a request on the channel it came in on. */
  reply(request: Request<unknown> | Parent & { channel: Request["channel"] }, msgType: string, content: JSONObject, metadata: JSONObject = {}): void {
    this.#send(request.channel === "stdin" ? "stdin" : request.channel, request.identities, request.header, msgType, content, metadata);
  }

  publish(msgType: string, content: JSONObject, parent: KernelMessage.IHeader | undefined, metadata: JSONObject = {}, buffers?: Uint8Array[]): void {
    this.#send("iopub", [this.#topic(msgType)], parent ?? {}, msgType, content, metadata, buffers);
  }

  /** IOPUB's routing frame, made once per message type. */
  #topic(msgType: string): Buffer {
    let topic = this.#topics.get(msgType);
    if (!topic) this.#topics.set(msgType, (topic = Buffer.from(`kernel.${this.id}.${msgType}`)));
    return topic;
  }

  /** Sends a request to the frontend over stdin (input_request), addressed like the shell request. */
  ask(parent: Parent, msgType: string, content: JSONObject): string {
    return this.#send("stdin", parent.identities, parent.header, msgType, content, {});
  }

  #send(channel: OutgoingChannel, identities: Buffer[], parent: KernelMessage.IHeader | JSONObject, msgType: string, content: JSONObject, metadata: JSONObject, buffers?: Uint8Array[]): string {
    const header = this.header(msgType);
    this.#sink.send(channel, { identities, header, parent_header: parent, metadata, content, ...(buffers ? { buffers } : {}) });
    return header.msg_id;
  }
}
