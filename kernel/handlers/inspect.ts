import type { Handler } from "./context.js";
import { codePointsToUtf16 } from "./cursor.js";

export const inspect: Handler = async (request, { session, interpreter }) => {
  const code = String(request.content.code ?? "");
  const cursor = codePointsToUtf16(code, Number(request.content.cursor_pos ?? [...code].length));
  const found = await interpreter.inspect(code, cursor);
  if (!found) {
    session.reply(request, "inspect_reply", { status: "ok", found: false, data: {}, metadata: {} });
    return;
  }
  const text = found.documentation ? `${found.signature}\n\n${found.documentation}` : found.signature;
  const markdown = "```typescript\n" + found.signature + "\n```" + (found.documentation ? `\n\n${found.documentation}` : "");
  session.reply(request, "inspect_reply", { status: "ok", found: true, data: { "text/plain": text, "text/markdown": markdown }, metadata: {} });
};
