// The connection file Jupyter writes for a kernel: where to bind and how to sign.
import { readFileSync } from "node:fs";

export type Channel = "shell" | "control" | "stdin" | "iopub" | "hb";
export const CHANNELS: readonly Channel[] = ["shell", "control", "stdin", "iopub", "hb"];

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signatureScheme: string;
  ports: Record<Channel, number>;
}

const PORT_FIELDS: Record<Channel, string> = {
  shell: "shell_port", control: "control_port", stdin: "stdin_port", iopub: "iopub_port", hb: "hb_port",
};

/** A connection file the kernel cannot use: the user's (or the launcher's) to fix, so no stack. */
export class ConnectionFileError extends Error {
  override name = "ConnectionFileError";
}

export function readConnectionFile(path: string): ConnectionInfo {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConnectionFileError(`cannot read connection file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // Only where, not JSON.parse's words: newer Nodes quote the text around the mistake, and
    // this file holds the kernel's key.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    throw new ConnectionFileError(`connection file ${path} is not valid JSON${position === undefined ? "" : ` (${lineAndColumn(text, Number(position))})`}`);
  }
  return parseConnectionInfo(raw, `connection file ${path}`);
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split("\n").length}, column ${offset - before.lastIndexOf("\n")}`;
}

export function parseConnectionInfo(raw: unknown, where = "connection info"): ConnectionInfo {
  if (typeof raw !== "object" || raw === null) throw new ConnectionFileError(`${where}: expected a JSON object`);
  const record = raw as Record<string, unknown>;
  const transport = record.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new ConnectionFileError(`${where}: transport must be "tcp" or "ipc", not ${JSON.stringify(transport)}`);
  const ip = record.ip ?? "127.0.0.1";
  if (typeof ip !== "string" || ip === "") throw new ConnectionFileError(`${where}: "ip" must be a non-empty string`);
  const key = record.key ?? "";
  if (typeof key !== "string") throw new ConnectionFileError(`${where}: "key" must be a string`);
  const signatureScheme = record.signature_scheme ?? "hmac-sha256";
  if (signatureScheme !== "hmac-sha256") throw new ConnectionFileError(`${where}: signature_scheme ${JSON.stringify(signatureScheme)} is not supported (use hmac-sha256)`);
  const ports = {} as Record<Channel, number>;
  for (const channel of CHANNELS) {
    const value = record[PORT_FIELDS[channel]];
    if (!Number.isInteger(value) || (value as number) < 0) throw new ConnectionFileError(`${where}: "${PORT_FIELDS[channel]}" must be a non-negative integer`);
    ports[channel] = value as number;
  }
  return { transport, ip, key, signatureScheme, ports };
}

/** The endpoint zeromq binds for a channel; ipc names follow jupyter_client's `<ip>-<port>` rule. */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info.ports[channel];
  return info.transport === "tcp" ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
