import type { HistoryQuery } from "../interpreter/history.js";
import type { JSONObject } from "../wire/codec.js";
import type { Handler } from "./context.js";

export const history: Handler = (request, { session, interpreter }) => {
  try {
    const query = historyQuery(request.content);
    const entries = interpreter.queryHistory(query);
    // With output requested, each entry's input becomes [input, output]; parlab keeps no outputs.
    const history = request.content.output ? entries.map(([s, line, input]) => [s, line, [input, null]]) : entries;
    session.reply(request, "history_reply", { status: "ok", history });
  } catch (error) {
    session.reply(request, "history_reply", { status: "error", ename: "HistoryError", evalue: (error as Error).message, traceback: [], history: [] });
  }
};

/** The request's fields, each checked: a wrong type gets an error naming the field, not a failure deep in the query. */
function historyQuery(content: JSONObject): HistoryQuery {
  const field = <T>(name: string, expected: string, valid: (value: unknown) => boolean): T | undefined => {
    const value = content[name];
    if (value === undefined || value === null) return undefined; // clients send None for "not given"
    if (!valid(value)) throw new TypeError(`history_request.content.${name} must be ${expected}, not ${JSON.stringify(value)}`);
    return value as T;
  };
  const integer = (value: unknown) => Number.isInteger(value);
  return {
    hist_access_type: content.hist_access_type as HistoryQuery["hist_access_type"],
    n: field<number>("n", "a non-negative integer", (value) => integer(value) && (value as number) >= 0),
    session: field<number>("session", "an integer", integer),
    start: field<number>("start", "an integer", integer),
    stop: field<number>("stop", "an integer or null", integer),
    pattern: field<string>("pattern", "a string", (value) => typeof value === "string"),
    unique: field<boolean>("unique", "true or false", (value) => typeof value === "boolean"),
  };
}
