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

export function readConnectionFile(path: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read connection file ${path}: ${(error as Error).message}`);
  }
  return parseConnectionInfo(raw, path);
}

export function parseConnectionInfo(raw: unknown, where = "connection info"): ConnectionInfo {
  if (typeof raw !== "object" || raw === null) throw new Error(`${where}: expected a JSON object`);
  const record = raw as Record<string, unknown>;
  const transport = record.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new Error(`${where}: transport must be "tcp" or "ipc", not ${JSON.stringify(transport)}`);
  const ip = record.ip ?? "127.0.0.1";
  if (typeof ip !== "string" || ip === "") throw new Error(`${where}: "ip" must be a non-empty string`);
  const key = record.key ?? "";
  if (typeof key !== "string") throw new Error(`${where}: "key" must be a string`);
  const signatureScheme = record.signature_scheme ?? "hmac-sha256";
  if (signatureScheme !== "hmac-sha256") throw new Error(`${where}: signature_scheme ${JSON.stringify(signatureScheme)} is not supported (use hmac-sha256)`);
  const ports = {} as Record<Channel, number>;
  for (const channel of CHANNELS) {
    const value = record[PORT_FIELDS[channel]];
    if (!Number.isInteger(value) || (value as number) < 0) throw new Error(`${where}: "${PORT_FIELDS[channel]}" must be a non-negative integer`);
    ports[channel] = value as number;
  }
  return { transport, ip, key, signatureScheme, ports };
}

/** The endpoint zeromq binds for a channel; ipc names follow jupyter_client's `<ip>-<port>` rule. */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info.ports[channel];
  return info.transport === "tcp" ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
