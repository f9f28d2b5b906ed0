// The HTML export as a reader gets it: real markdown-it, highlight.js, ansi_up and plotly.js, and
// a real headless Chromium opening the page from file:// with no network.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { parse, type DefaultTreeAdapterMap } from "parse5";
import { promisify } from "node:util";
import { exportIndexHtml, exportNotebookHtml } from "../src/export/index.js";
import type { Notebook } from "../src/runner/notebook.js";

/** A 1×1 PNG, wrapped over lines as some writers store base64. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk\nYAAAAAYAAjCB0C8AAAAASUVORK5CYII=\n";
const PNG_ONE_LINE = PNG.replace(/\s+/g, "");

const FIGURE = {
  data: [{ type: "scatter", mode: "lines+markers", name: "speed-up", x: [1, 2, 4], y: [1, 1.9, 3.5] }],
  // A title that tries to close the JSON's <script>, plus the two JavaScript line terminators.
  layout: { title: { text: "threads </script><script>document.title='pwned'</script> \u2028\u2029" }, width: 500, height: 320 },
};

const HOSTILE = "<script>alert(1)</script><img src=x onerror=\"document.title='pwned'\">";

function fixture(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "parlab", display_name: "TypeScript (parlab)", language: "typescript" } },
    cells: [
      {
        id: "intro",
        cell_type: "markdown",
        metadata: {},
        source: [
          "# Threads & loops\n",
          "\n",
          "- first item\n",
          "- second with <kbd>Ctrl</kbd>+<kbd>C</kbd>\n",
          "\n",
          "Speed-up is $S = T_1 / T_p$ and *emphasis* works.\n",
          "\n",
          "![dot](attachment:dot.png)\n",
        ],
        attachments: { "dot.png": { "image/png": PNG } },
      },
      {
        id: "streams",
        cell_type: "code",
        metadata: { execution: { "iopub.execute_input": "2024-05-01T10:00:00.000Z", "shell.execute_reply": "2024-05-01T10:00:01.234Z" } },
        execution_count: 1,
        source: "const answer: number = 42;\nconsole.log(`${answer}`);\nconsole.error(\"careful\");\nanswer",
        outputs: [
          { output_type: "stream", name: "stdout", text: ["42\n", `${HOSTILE}\n`] },
          { output_type: "stream", name: "stdout", text: "10%\r50%\r100%\n" },
          { output_type: "stream", name: "stdout", text: "spin|\b/\b-\bdone\u0007\u0000\n" },
          { output_type: "stream", name: "stderr", text: "\u001b[33mcareful\u001b[0m\n" },
          { output_type: "execute_result", execution_count: 1, data: { "text/plain": "42 <not a tag>" }, metadata: {} },
        ],
      },
      {
        id: "plot",
        cell_type: "code",
        metadata: {},
        execution_count: 2,
        source: "display(speedupChart(timings))",
        outputs: [
          {
            output_type: "display_data",
            data: { "application/vnd.plotly.v1+json": FIGURE, "image/png": PNG, "text/plain": "<Plot speed-up>" },
            metadata: {},
          },
          { output_type: "display_data", data: { "image/png": PNG, "text/plain": "<Image>" }, metadata: { "image/png": { width: 40, height: 40 } } },
          { output_type: "display_data", data: { "text/html": "<table class=\"trusted\"><tr><td>1</td></tr></table>", "text/plain": "table" }, metadata: {} },
        ],
      },
      {
        id: "boom",
        cell_type: "code",
        metadata: {},
        execution_count: 3,
        source: "throw new RangeError(\"too many threads\");",
        outputs: [
          {
            output_type: "error",
            ename: "RangeError",
            evalue: "too many threads",
            traceback: ["\u001b[1;31mRangeError\u001b[0m: too many threads", "    at <cell 3>:1:7"],
          },
        ],
      },
      { id: "raw", cell_type: "raw", metadata: {}, source: "\\begin{raw} <b>as is</b>" },
    ],
  };
}

function textOnlyNotebook(): Notebook {
  const notebook = fixture();
  notebook.cells = notebook.cells.filter((cell) => cell.id !== "plot");
  return notebook;
}

const count = (text: string, part: string) => text.split(part).length - 1;

test("markdown cells: headings with ids, lists, inline HTML, attachments, math kept as written", () => {
  const html = exportNotebookHtml(fixture(), { title: "Demo", sourceName: "demo.ipynb" });
  assert.match(html, /<h1 id="Threads-&amp;-loops">Threads &amp; loops<a class="anchor-link" href="#Threads-&amp;-loops">¶<\/a><\/h1>/);
  assert.match(html, /<ul>\s*<li>first item<\/li>/);
  assert.ok(html.includes("<kbd>Ctrl</kbd>+<kbd>C</kbd>"), "inline HTML in markdown is kept");
  assert.ok(html.includes(`<img src="data:image/png;base64,${PNG_ONE_LINE}" alt="dot">`), "attachment: resolved to a data URL");
  assert.ok(html.includes('<span class="math">$S = T_1 / T_p$</span>'), "math left as written, not turned into emphasis");
  assert.ok(html.includes("<em>emphasis</em>"));
  assert.ok(html.includes("demo.ipynb"));
});

test("code cells: highlighted TypeScript, prompts, execution time, raw cells", () => {
  const html = exportNotebookHtml(fixture(), { title: "Demo" });
  assert.ok(html.includes('<span class="hljs-keyword">const</span>'));
  assert.ok(html.includes('<span class="hljs-built_in">number</span>'));
  assert.ok(html.includes("In [1]:") && html.includes("Out[1]:") && html.includes("In [3]:"));
  assert.ok(html.includes(">1.23 s</div>"), "time from nbclient's execute_input/execute_reply timestamps");
  assert.ok(html.includes("<pre>\\begin{raw} &lt;b&gt;as is&lt;/b&gt;</pre>"), "raw cell shown as text");
  assert.ok(html.includes(".hljs-keyword"), "highlight.js theme inlined");
});

test("outputs: escaped text, ANSI colours, merged streams, stderr and error blocks, images, trusted HTML", () => {
  const html = exportNotebookHtml(fixture(), { title: "Demo" });
  assert.ok(!html.includes(HOSTILE) && !html.includes("<script>alert(1)"), "stream text cannot inject markup");
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror="));
  assert.ok(html.includes("42 &lt;not a tag&gt;"));
  assert.ok(!html.includes("\u001b"), "no raw escape characters");
  assert.ok(html.includes('<span style="font-weight:bold;color:rgb(187,0,0)">RangeError</span>: too many threads'));
  assert.ok(html.includes('<span style="color:rgb(187,187,0)">careful</span>'));
  // Stdout writes become one block; "\r" and "\b" redraw like a terminal, which prints no other control character.
  const stdout = /<div class="output output-stream output-stdout">.*?<pre>(.*?)<\/pre>/s.exec(html)?.[1];
  assert.match(stdout ?? "", /^42\n&lt;script&gt;.*?\n100%\nspindone\n$/s);
  assert.equal(count(html, "output-stream output-stdout"), 1);
  assert.equal(count(html, 'class="output output-stream output-stderr"'), 1);
  assert.equal(count(html, 'class="output output-error"'), 1);
  assert.ok(html.includes(`<img src="data:image/png;base64,${PNG_ONE_LINE}" alt="image/png output" width="40" height="40">`));
  // As a browser reads it: the table gets its implied <tbody>.
  assert.ok(html.includes('<div class="html-output"><table class="trusted"><tbody><tr><td>1</td></tr></tbody></table></div>'), "executed HTML is trusted");
});

test("plotly: library inlined once, no remote scripts, figure JSON embedded safely, PNG fallback", () => {
  const html = exportNotebookHtml(fixture(), { title: "Demo" });
  assert.equal(count(html, "plotly.js v4.1.2"), 1, "plotly.js embedded exactly once");
  assert.doesNotMatch(html, /<script[^>]*\ssrc\s*=/i, "no external scripts");
  assert.doesNotMatch(html, /<link\b/i, "no external stylesheets");
  // The hostile title must not close the JSON's <script> element.
  assert.ok(!html.includes("</script><script>document.title"));
  const spec = /<script type="application\/json" id="plot-1-spec">(.*?)<\/script>/s.exec(html);
  assert.ok(spec, "figure JSON present");
  assert.ok(!spec[1]!.includes("\u2028") && !spec[1]!.includes("\u2029"));
  assert.deepEqual(JSON.parse(spec[1]!), FIGURE);
  assert.ok(html.includes(`<noscript><img src="data:image/png;base64,${PNG_ONE_LINE}" alt="image/png output"></noscript>`));
  assert.ok(!html.includes("&lt;Plot speed-up&gt;"), "plotly wins over text/plain");

  const twoPlots = fixture();
  twoPlots.cells.push({ ...twoPlots.cells[2]!, id: "plot-again" });
  const both = exportNotebookHtml(twoPlots, { title: "Two" });
  assert.equal(count(both, "plotly.js v4.1.2"), 1, "still once with two plots");
  assert.ok(both.includes('id="plot-2-spec"'));
});

test("a page without plots carries no plotly.js and stays small", () => {
  const html = exportNotebookHtml(textOnlyNotebook(), { title: "Text only" });
  assert.ok(!html.includes("plotly.js v"));
  assert.ok(!html.includes("<script"), "no scripts at all");
  assert.ok(html.length < 50_000, `${html.length} bytes`);
});

test("titles are escaped", () => {
  const html = exportNotebookHtml(textOnlyNotebook(), { title: "</title><script>x()</script>" });
  assert.ok(html.includes("<title>&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;</title>"));
});

test("HTML a cell leaves open ends with that cell: the cells after it are still on the page", () => {
  const notebook = textOnlyNotebook();
  const markdown = (id: string, source: string) => ({ id, cell_type: "markdown" as const, metadata: {}, source });
  notebook.cells = [
    markdown("open-comment", "Intro\n\n<!-- TODO: finish this"),
    { id: "open-table", cell_type: "code", metadata: {}, execution_count: 1, source: "html()", outputs: [{ output_type: "display_data", data: { "text/html": "<table><tr><td>unclosed" }, metadata: {} }] },
    markdown("after", "## Results\n\nstill here"),
  ];
  // Read as a browser reads it (parse5 implements the HTML standard's parser).
  const page = parse(exportNotebookHtml(notebook, { title: "Open ends" }));
  const cellIds: string[] = [];
  const headings: string[] = [];
  const walk = (node: DefaultTreeAdapterMap["parentNode"]) => {
    for (const child of node.childNodes) {
      if (!("tagName" in child)) continue;
      const id = child.attrs.find((attr) => attr.name === "id")?.value;
      if (child.attrs.some((attr) => attr.name === "class" && attr.value.split(" ").includes("cell")) && id) cellIds.push(id);
      if (child.tagName === "h2") headings.push(child.attrs.find((attr) => attr.name === "id")?.value ?? "");
      walk("content" in child ? child.content : child);
    }
  };
  walk(page);
  assert.equal(cellIds.length, 3, `cells found: ${cellIds.join(", ")}`);
  assert.deepEqual(headings, ["Results"]);
});

test("index page: a row per notebook with link, cells, errors, seconds, status", () => {
  const html = exportIndexHtml([
    { title: "Threads & loops", href: "threads.html", cells: 12, errors: 0, seconds: 3.456, status: "ok" },
    { title: "<b>Broken</b>", href: "javascript:alert(1).html", cells: 4, errors: 1, seconds: null, status: "error" },
  ]);
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.includes('<td><a href="threads.html">Threads &amp; loops</a></td><td>12</td><td>0</td><td>3.46</td><td class="status status-ok">ok</td>'));
  assert.ok(html.includes('<a href="./javascript:alert(1).html">&lt;b&gt;Broken&lt;/b&gt;</a>'), "a file name cannot become a javascript: link");
  assert.ok(html.includes("<td>—</td>"));
  assert.ok(html.includes("2 notebooks, 1 error"));
});

test("index page: a notebook that never ran has no link; every outcome but a clean run is counted and coloured", () => {
  const html = exportIndexHtml([
    { title: "clean", href: "clean.html", cells: 2, errors: 0, seconds: 1, status: "ok" },
    { title: "allowed", href: "allowed.html", cells: 2, errors: 1, seconds: 1, status: "ok" },
    { title: "broken", href: null, cells: 0, errors: 0, seconds: null, status: "invalid" },
    { title: "unreached", href: null, cells: 0, errors: 0, seconds: null, status: "no kernel" },
    { title: "full disk", href: "full%20disk.html", cells: 1, errors: 0, seconds: 1, status: "not saved" },
    { title: "also broken", href: null, cells: 0, errors: 0, seconds: null, status: "invalid" },
  ]);
  assert.ok(html.includes('<tr><td>broken</td><td>0</td>'), "no link to a page that was never written");
  assert.equal(html.match(/<a href=/g)?.length, 3);
  assert.ok(html.includes("6 notebooks, 1 with errors, 2 invalid, 1 no kernel, 1 not saved"));
  const red = /([^{}]*)\{ color: #cf222e;/.exec(html)?.[1] ?? "";
  for (const status of ["failed", "not-saved", "invalid", "no-kernel", "kernel-died", "timeout"]) assert.ok(red.split(",").map((rule) => rule.trim()).includes(`.status-${status}`), `.status-${status} is coloured like a failure`);
});

const execFileAsync = promisify(execFile);
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));

test("Chromium draws the plot from file:// with no network, and stream text stays text", { skip: CHROMIUM ? false : "chromium is not installed (Debian package `chromium`)", timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "parlab-export-"));
  try {
    const file = join(dir, "demo.html");
    writeFileSync(file, exportNotebookHtml(fixture(), { title: "Demo" }));
    const { stdout } = await execFileAsync(
      CHROMIUM!,
      [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
        `--user-data-dir=${join(dir, "profile")}`,
        // Any request off the machine fails, so a plot that draws used only the page itself.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=5000", "--dump-dom", pathToFileURL(file).href,
      ],
      { timeout: 50_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const plot = /<div class="plotly-plot[^"]*"[^>]*id="plot-1"[^>]*>(.*?)<script type="application\/json" id="plot-1-spec">/s.exec(stdout);
    assert.ok(plot, "plot div present in the DOM");
    assert.match(plot[1]!, /class="main-svg"/, "plotly drew its SVG inside the plot div");
    assert.doesNotMatch(stdout, /<div class="plot-error">/, "the drawing script did not fall back");
    assert.match(stdout, /<title>Demo<\/title>/, "no injected script changed the title");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
