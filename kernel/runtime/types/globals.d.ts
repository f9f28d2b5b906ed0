// Globals every parlab cell has. (Declarations only: the kernel defines them at start-up.)

interface ParlabDisplayOptions {
  /** Give an id to update this output later with updateDisplay(). */
  displayId?: string;
  metadata?: Record<string, unknown>;
}

/** Shows a value (as its text form) or a mime bundle such as `{ "text/html": "<b>hi</b>" }` in this cell's output. */
declare function display(value: unknown, options?: ParlabDisplayOptions): void;
/** Replaces the output shown by `display(value, { displayId })`, wherever it is. */
declare function updateDisplay(displayId: string, value: unknown, options?: { metadata?: Record<string, unknown> }): void;
/** Clears this cell's output; with `{ wait: true }`, only when new output arrives. */
declare function clearOutput(options?: { wait?: boolean }): void;
/** Asks the notebook user for a line of text. */
declare function input(prompt?: string, options?: { password?: boolean }): Promise<string>;

interface ParlabComm {
  readonly id: string;
  readonly targetName: string;
  readonly closed: boolean;
  send(data?: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: Uint8Array[]): void;
  close(data?: Record<string, unknown>): void;
  onMsg(handler: (data: Record<string, unknown>, buffers: Uint8Array[]) => void): void;
  onClose(handler: (data: Record<string, unknown>, buffers: Uint8Array[]) => void): void;
}

/** Jupyter comms: channels between objects in cells and widgets in the frontend. */
declare const comms: {
  registerTarget(targetName: string, target: (comm: ParlabComm, data: Record<string, unknown>, buffers: Uint8Array[]) => void): void;
  unregisterTarget(targetName: string): void;
  open(targetName: string, data?: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: Uint8Array[]): ParlabComm;
};
