import type { Handler } from "./context.js";
import { codePointsToUtf16, utf16ToCodePoints } from "./cursor.js";

export const complete: Handler = async (request, { session, interpreter }) => {
  const code = String(request.content.code ?? "");
  const cursor = codePointsToUtf16(code, Number(request.content.cursor_pos ?? [...code].length));
  const result = await interpreter.complete(code, cursor);
  const start = utf16ToCodePoints(code, result.start);
  const end = utf16ToCodePoints(code, result.end);
  session.reply(request, "complete_reply", {
    status: "ok",
    matches: result.matches,
    cursor_start: start,
    cursor_end: end,
    metadata: { _jupyter_types_experimental: result.types.map(({ text, type }) => ({ start, end, text, type })) },
  });
};
