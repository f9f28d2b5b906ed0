import type { Handler } from "./context.js";

type CommContent = { comm_id?: string; target_name?: string; data?: Record<string, unknown> };

export const commInfo: Handler = (request, { session, interpreter }) => {
  const target = typeof request.content.target_name === "string" ? request.content.target_name : undefined;
  session.reply(request, "comm_info_reply", { status: "ok", comms: interpreter.comms.info(target) });
};

export const commOpen: Handler = (request, { interpreter }) => {
  const { comm_id, target_name, data } = request.content as CommContent;
  if (typeof comm_id === "string" && typeof target_name === "string") interpreter.comms.frontendOpened(request, comm_id, target_name, data ?? {}, request.buffers);
};

export const commMsg: Handler = (request, { interpreter }) => {
  const { comm_id, data } = request.content as CommContent;
  if (typeof comm_id === "string") interpreter.comms.frontendMessage(request, comm_id, data ?? {}, request.buffers);
};

export const commClose: Handler = (request, { interpreter }) => {
  const { comm_id, data } = request.content as CommContent;
  if (typeof comm_id === "string") interpreter.comms.frontendClosed(request, comm_id, data ?? {}, request.buffers);
};
