import type { Handler } from "./context.js";

export const interrupt: Handler = (request, { session, interpreter }) => {
  interpreter.interrupt();
  session.reply(request, "interrupt_reply", { status: "ok" });
};

export const shutdown: Handler = async (request, context) => {
  const restart = Boolean(request.content.restart);
  context.interpreter.interrupt();
  context.session.reply(request, "shutdown_reply", { status: "ok", restart });
  await context.exit();
};
