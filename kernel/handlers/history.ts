import type { HistoryQuery } from "../interpreter/history.js";
import type { Handler } from "./context.js";

export const history: Handler = (request, { session, interpreter }) => {
  const query = request.content as unknown as HistoryQuery & { output?: boolean };
  try {
    const entries = interpreter.queryHistory(query);
    // With output requested, each entry's input becomes [input, output]; parlab keeps no outputs.
    const history = query.output ? entries.map(([s, line, input]) => [s, line, [input, null]]) : entries;
    session.reply(request, "history_reply", { status: "ok", history });
  } catch (error) {
    session.reply(request, "history_reply", { status: "error", ename: "HistoryError", evalue: (error as Error).message, traceback: [], history: [] });
  }
};
