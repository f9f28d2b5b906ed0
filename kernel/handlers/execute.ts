import type { Handler } from "./context.js";

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
    session.reply(request, "execute_reply", { status: "ok", execution_count: outcome.executionCount, user_expressions: outcome.userExpressions, payload: outcome.payload ?? [] }, { status: "ok" });
  } else {
    // As in ipykernel: a silent request is a frontend's own query, which the queued cells do not depend on.
    if (!content.silent && (request.content.stop_on_error ?? true) !== false) await abortQueuedExecutions();
    session.reply(request, "execute_reply", { status: "error", execution_count: outcome.executionCount, ...outcome.error }, { status: "error" });
  }
};
