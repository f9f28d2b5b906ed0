import { createRequire } from "node:module";
import { PROTOCOL_VERSION } from "../session.js";
import type { Handler } from "./context.js";

const require = createRequire(import.meta.url);
const { version } = require("../../../package.json") as { version: string };
const typescriptVersion = (require("typescript/package.json") as { version: string }).version;

export const kernelInfoContent = {
  status: "ok",
  protocol_version: PROTOCOL_VERSION,
  implementation: "parlab",
  implementation_version: version,
  language_info: {
    name: "typescript",
    version: typescriptVersion,
    mimetype: "text/typescript",
    file_extension: ".ts",
    pygments_lexer: "typescript",
    // JupyterLab 4 looks the mode up by name in its CodeMirror 6 language list and ignores CodeMirror
    // 5's `typescript: true` option: `{ name: "javascript", ... }` highlighted cells as JavaScript
    // (`interface`, `type`, annotations plain). "typescript" is its TypeScript entry (and CodeMirror
    // 5's, for the classic Notebook), as Deno's kernel says.
    codemirror_mode: "typescript",
    nbconvert_exporter: "script",
  },
  banner: `parlab ${version}: TypeScript ${typescriptVersion} on Node.js ${process.versions.node}`,
  help_links: [
    { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
    { text: "Node.js API", url: `https://nodejs.org/docs/${process.version}/api/` },
  ],
  debugger: false,
};

export const kernelInfo: Handler = (request, { session }) => {
  session.reply(request, "kernel_info_reply", kernelInfoContent);
};
