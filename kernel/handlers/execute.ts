import type { Handler, HandlerContext } from "./context.js";
import type { Request } from "../session.js";

/** `?name` or `name?`: IPython's help, answered with the type and docs of `name` in a pager. */
function helpTarget(code: string): string | undefined {
  const match = /^\s*\?\s*([\w$.]+)\s*$/.exec(code) ?? /^\s*([\w$.]+)\s*\?\s*$/.exec(code);
  return match?.[1];
}

async function pageHelp(name: string, request: Request, { session, interpreter }: Pick<HandlerContext, "session" | "interpreter">): Promise<void> {
  const found = await interpreter.inspect(name, name.length);
  // IPython's words, on stdout, for a name it cannot find.
  if (!found) session.publish("stream", { name: "stdout", text: `Object \`${name}\` not found.\n` }, request.header);
  const text = found && [found.signature, found.documentation].filter(Boolean).join("\n\n");
  session.reply(request, "execute_reply", {
    status: "ok",
    execution_count: interpreter.executionCount,
    user_expressions: {},
    payload: text ? [{ source: "page", data: { "text/plain": text }, start: 0 }] : [],
  });
}

function isCodeMap(expressions: unknown): boolean {
  const isMap = typeof expressions === "object" && expressions !== null && !Array.isArray(expressions);
  return isMap && Object.values(expressions).every((expression) => typeof expression === "string");
}

export const execute: Handler = async (request, { session, interpreter, abortQueuedExecutions }) => {
  const content = request.content as {
    code?: unknown; silent?: boolean; store_history?: boolean; user_expressions?: Record<string, string>; allow_stdin?: boolean;
  };
  const { code } = content;
  const problem = typeof code !== "string" ? "code must be a string"
    : content.user_expressions !== undefined && !isCodeMap(content.user_expressions) ? "user_expressions must map names to code strings" : undefined;
  if (typeof code !== "string" || problem) {
    // A malformed request is answered, never fatal.
    session.reply(request, "execute_reply", { status: "error", ename: "BadRequest", evalue: `execute_request.content.${problem}`, traceback: [], execution_count: interpreter.executionCount });
    return;
  }
  const help = helpTarget(code);
  if (help !== undefined) {
    await pageHelp(help, request, { session, interpreter });
    return;
  }
  const outcome = await interpreter.execute({
    code,
    silent: Boolean(content.silent),
    storeHistory: content.store_history ?? !content.silent,
    userExpressions: content.user_expressions ?? {},
    allowStdin: content.allow_stdin ?? true,
    header: request.header,
    identities: request.identities,
    // JupyterLab and nbclient (through jupyter_client) name the cell in the request's metadata.
    cellId: typeof request.metadata.cellId === "string" ? request.metadata.cellId : undefined,
  });
  if (outcome.status === "ok") {
    session.reply(request, "execute_reply", { status: "ok", execution_count: outcome.executionCount, user_expressions: outcome.userExpressions, payload: [] }, { status: "ok" });
  } else {
    // As in ipykernel: a silent request is a frontend's own query, which the queued cells do not depend on.
    if (!content.silent && (request.content.stop_on_error ?? true) !== false) await abortQueuedExecutions();
    session.reply(request, "execute_reply", { status: "error", execution_count: outcome.executionCount, ...outcome.error }, { status: "error" });
  }
};
