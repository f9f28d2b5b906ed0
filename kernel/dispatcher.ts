// Routes requests to handlers: shell requests one at a time in arrival order, control requests at
// once (even while a cell runs), stdin replies to whoever asked. Every request is bracketed by
// busy/idle on IOPUB; a handler's failure is answered, never fatal.
import { createLog } from "./log.js";
import type { Request } from "./session.js";
import type { Handler, HandlerContext } from "./handlers/context.js";
import { kernelInfo } from "./handlers/kernel-info.js";
import { execute } from "./handlers/execute.js";
import { complete } from "./handlers/complete.js";
import { inspect } from "./handlers/inspect.js";
import { isComplete } from "./handlers/is-complete.js";
import { history } from "./handlers/history.js";
import { commClose, commInfo, commMsg, commOpen } from "./handlers/comms.js";
import { interrupt, shutdown } from "./handlers/lifecycle.js";

const SHELL: Record<string, Handler> = {
  execute_request: execute,
  complete_request: complete,
  inspect_request: inspect,
  is_complete_request: isComplete,
  history_request: history,
  kernel_info_request: kernelInfo,
  comm_info_request: commInfo,
  comm_open: commOpen,
  comm_msg: commMsg,
  comm_close: commClose,
};

const CONTROL: Record<string, Handler> = {
  // Only until the transport thread has the reply's content and answers it itself.
  kernel_info_request: kernelInfo,
  interrupt_request: interrupt,
  shutdown_request: shutdown,
};

export class Dispatcher {
  readonly #queue: Request[] = [];
  /** Queued executions a stop_on_error failure before them cancelled: answered "aborted" in turn. */
  readonly #cancelled = new WeakSet<Request>();
  #draining = false;
  readonly #context: HandlerContext;

  constructor(
    context: Omit<HandlerContext, "abortQueuedExecutions">,
    private readonly onStdin: (request: Request) => void,
    private readonly onControlSeen: () => void,
    /** Resolves once the requests already waiting in the shell socket have come in. */
    private readonly shellDrained: () => Promise<void>,
  ) {
    this.#context = { ...context, abortQueuedExecutions: () => this.#abortQueuedExecutions() };
  }

  receive(request: Request): void {
    switch (request.channel) {
      case "stdin":
        this.onStdin(request);
        break;
      case "control":
        this.onControlSeen();
        void this.#handle(request, CONTROL);
        break;
      case "shell":
        this.#queue.push(request);
        void this.#drain();
        break;
    }
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let request = this.#queue.shift(); request; request = this.#queue.shift()) {
        if (this.#cancelled.has(request)) this.#abort(request);
        else await this.#handle(request, SHELL);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #handle(request: Request, table: Record<string, Handler>): Promise<void> {
    const { session, interpreter } = this.#context;
    const type = request.header.msg_type;
    const handler = Object.hasOwn(table, type) ? table[type] : undefined;
    session.publish("status", { execution_state: "busy" }, request.header);
    try {
      if (handler) await handler(request, this.#context);
      else log(`ignored a ${request.channel} message of unknown type ${JSON.stringify(type)}`);
    } catch (error) {
      log(`${type} failed: ${(error as Error).stack ?? error}`);
      if (type.endsWith("_request")) {
        session.reply(request, type.replace(/_request$/, "_reply"), { status: "error", ename: "KernelError", evalue: (error as Error).message ?? String(error), traceback: [] });
      }
    } finally {
      interpreter.flushOutput();
      session.publish("status", { execution_state: "idle" }, request.header);
    }
  }

  /**
   * stop_on_error: executions queued behind a failed one, those still in the socket included,
   * were sent to follow a success, and are answered "aborted" instead of run (as ipykernel does).
   * Called before the failure is answered, so a request sent after that answer was seen runs.
   */
  async #abortQueuedExecutions(): Promise<void> {
    await this.shellDrained();
    for (const request of this.#queue) if (request.header.msg_type === "execute_request") this.#cancelled.add(request);
  }

  #abort(request: Request): void {
    const { session } = this.#context;
    session.publish("status", { execution_state: "busy" }, request.header);
    // No execution_count, as in ipykernel: JupyterLab shows a reply's count as the cell's prompt,
    // and every cell Run All had queued behind a failure showed the failed cell's `[4]`, as if it had run.
    session.reply(request, "execute_reply", { status: "aborted" }, { status: "aborted" });
    session.publish("status", { execution_state: "idle" }, request.header);
  }
}

const log = createLog();
