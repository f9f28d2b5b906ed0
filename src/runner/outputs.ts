// Turns IOPUB messages into a cell's nbformat outputs, as a notebook frontend would: consecutive
// stream text joins, clear_output (also with wait), and update_display_data reaching every output
// with that display id, even in earlier cells.
import type { KernelMessage } from "@jupyterlab/services";
import type { CodeCell, MimeBundle, Output } from "./notebook.js";

interface DisplayTarget { cell: CodeCell; output: Output & { data: MimeBundle; metadata: Record<string, unknown> } }

/** Display ids live across cells, so one registry serves a whole notebook. */
export class DisplayRegistry {
  readonly #targets = new Map<string, DisplayTarget[]>();

  add(displayId: string, target: DisplayTarget): void {
    const list = this.#targets.get(displayId) ?? [];
    list.push(target);
    this.#targets.set(displayId, list);
  }

  update(displayId: string, data: MimeBundle, metadata: Record<string, unknown>): void {
    for (const target of this.#targets.get(displayId) ?? []) {
      if (!target.cell.outputs.includes(target.output)) continue; // cleared since
      target.output.data = data;
      target.output.metadata = metadata;
    }
  }
}

export class CellOutputs {
  readonly #cell: CodeCell;
  readonly #displays: DisplayRegistry;
  #clearOnNextOutput = false;
  /** Called after every change, so progress and saving can follow. */
  onChange: () => void = () => undefined;

  constructor(cell: CodeCell, displays: DisplayRegistry) {
    this.#cell = cell;
    this.#displays = displays;
  }

  handle(message: KernelMessage.IIOPubMessage): void {
    const content = message.content as Record<string, unknown>;
    switch (message.header.msg_type) {
      case "stream":
        this.#stream(content.name === "stderr" ? "stderr" : "stdout", String(content.text ?? ""));
        break;
      case "display_data":
        this.#display(content);
        break;
      case "execute_result":
        this.#add({ output_type: "execute_result", execution_count: (content.execution_count as number) ?? null, data: bundle(content.data), metadata: object(content.metadata) });
        break;
      case "error":
        this.#add({ output_type: "error", ename: String(content.ename ?? ""), evalue: String(content.evalue ?? ""), traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [] });
        break;
      case "update_display_data": {
        const displayId = displayIdOf(content);
        if (displayId) this.#displays.update(displayId, bundle(content.data), object(content.metadata));
        break;
      }
      case "clear_output":
        if (content.wait) this.#clearOnNextOutput = true;
        else this.#cell.outputs.length = 0;
        break;
      case "execute_input":
        if (typeof content.execution_count === "number") this.#cell.execution_count = content.execution_count;
        return;
      default:
        return; // status, comm messages: not outputs
    }
    this.onChange();
  }

  #stream(name: "stdout" | "stderr", text: string): void {
    this.#clearIfWaiting();
    const last = this.#cell.outputs.at(-1);
    if (last?.output_type === "stream" && last.name === name) last.text = `${typeof last.text === "string" ? last.text : last.text.join("")}${text}`;
    else this.#cell.outputs.push({ output_type: "stream", name, text });
  }

  #display(content: Record<string, unknown>): void {
    const output = { output_type: "display_data" as const, data: bundle(content.data), metadata: object(content.metadata) };
    this.#add(output);
    const displayId = displayIdOf(content);
    if (displayId) this.#displays.add(displayId, { cell: this.#cell, output });
  }

  #add(output: Output): void {
    this.#clearIfWaiting();
    this.#cell.outputs.push(output);
  }

  #clearIfWaiting(): void {
    if (!this.#clearOnNextOutput) return;
    this.#clearOnNextOutput = false;
    this.#cell.outputs.length = 0;
  }
}

function displayIdOf(content: Record<string, unknown>): string | undefined {
  const transient = content.transient as { display_id?: unknown } | undefined;
  return typeof transient?.display_id === "string" ? transient.display_id : undefined;
}

function bundle(value: unknown): MimeBundle {
  return typeof value === "object" && value !== null ? (value as MimeBundle) : {};
}

function object(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
