import type { Handler } from "./context.js";

export const isComplete: Handler = async (request, { session, interpreter }) => {
  const result = await interpreter.isComplete(String(request.content.code ?? ""));
  session.reply(request, "is_complete_reply", { ...result });
};
