// What the runner needs from a kernel, whether it started the kernel itself over zeromq
// (embedded-kernel.ts) or reaches one through a Jupyter Server (remote-kernel.ts).
import type { KernelMessage } from "@jupyterlab/services";

export interface ExecuteOptions {
  /** nbformat 4.5 cell id, sent as `metadata.cellId` the way JupyterLab does. */
  cellId: string;
  stopOnError: boolean;
}

export interface KernelConnection {
  /** For messages: which kernel, and where. */
  readonly description: string;
  /** Every IOPUB message of every request, in arrival order; the runner routes them by parent. */
  onIOPub: (message: KernelMessage.IIOPubMessage) => void;
  kernelInfo(): Promise<KernelMessage.IInfoReply>;
  /**
   * Sends an execute_request. `msgId` is known at once, so IOPUB messages can be routed before
   * anything returns; `done` settles once both the reply and the request's idle status arrived.
   */
  execute(code: string, options: ExecuteOptions): { msgId: string; done: Promise<KernelMessage.IExecuteReplyMsg["content"]> };
  interrupt(): Promise<void>;
  /** Resolves with the reason if the kernel dies on its own (never, while all is well). */
  readonly died: Promise<string>;
  shutdown(): Promise<void>;
}
