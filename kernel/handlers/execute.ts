import type { Handler } from "./context.js";

export const execute: Handler = async (request, { session, interpreter }) => {
  const content = request.content as {
    code?: unknown; silent?: boolean; store_history?: boolean; user_expressions?: Record<string, string>; allow_stdin?: boolean;
  };
  if (typeof content.code !== "string") {
    // A malformed request is answered, never fatal.
    session.reply(request, "execute_reply", { status: "error", ename: "BadRequest", evalue: "execute_request.content.code must be a string", traceback: [], execution_count: interpreter.executionCount });
    return;
  }
  const outcome = await interpreter.execute({
    code: content.code,
    silent: Boolean(content.silent),
    storeHistory: content.store_history ?? !content.silent,
    userExpressions: content.user_expressions ?? {},
    allowStdin: content.allow_stdin ?? true,
    header: request.header,
    identities: request.identities,
  });
  if (outcome.status === "ok") {
    session.reply(request, "execute_reply", { status: "ok", execution_count: outcome.executionCount, user_expressions: outcome.userExpressions, payload: [] }, { status: "ok" });
  } else {
    session.reply(request, "execute_reply", { status: "error", execution_count: outcome.executionCount, ...outcome.error }, { status: "error" });
    return { abortQueue: (request.content.stop_on_error ?? true) !== false };
  }
};
