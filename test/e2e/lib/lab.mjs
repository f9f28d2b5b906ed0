// Harness for the parlab browser tests: a private Jupyter (data dir with the parlab kernelspec,
// root dir, runtime dir), the JupyterLab 4.6.3 test app served by Debian's jupyter-server, and a
// fresh headless Debian chromium profile driven by playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E = fileURLToPath(new URL('..', import.meta.url));
export const REPO = path.resolve(E2E, '../..');
export const CLI = path.join(REPO, 'dist/kernel/cli.js');
export const ARTIFACTS = path.join(REPO, 'test-artifacts/e2e');
export const PYTHON = '/usr/bin/python3';
export const CHROMIUM = process.env.PARLAB_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Why the e2e tests cannot run here, or null. `build`: app/build, or app/build-plotly (scenario g). */
export function missingPrerequisite(build = 'build') {
  const dir = path.join(E2E, 'app', build);
  const script = build === 'build' ? 'build' : 'build:plotly';
  if (!existsSync(path.join(dir, 'bundle.js'))) return `test app not built (${dir}); run: npm --prefix test/e2e install && npm --prefix test/e2e run ${script}`;
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM}`;
  if (!existsSync(CLI)) return `parlab not built (${CLI})`;
  try {
    execFileSync(PYTHON, ['-c', 'import jupyter_server, jupyterlab_server'], { stdio: 'ignore' });
  } catch {
    return 'Debian jupyter-server / python3-jupyterlab-server missing';
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** A private Jupyter data/config/runtime dir with the parlab kernelspec, and a root dir of files. */
export function jupyterDirs(files = {}, build = 'build') {
  const dir = mkdtempSync(path.join(tmpdir(), 'parlab-e2e-'));
  const root = path.join(dir, 'root');
  mkdirSync(root, { recursive: true });
  const env = {
    ...process.env,
    JUPYTER_DATA_DIR: path.join(dir, 'data'),
    JUPYTER_PATH: path.join(dir, 'data'),
    JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'),
    JUPYTER_NO_CONFIG: '1',
    PARLAB_HISTORY_FILE: path.join(dir, 'history.jsonl'),
    PARLAB_E2E_STATE: path.join(dir, 'lab-state'),
    PARLAB_E2E_BUILD: build,
    IPYTHONDIR: path.join(dir, 'ipython'),
    PYTHONUNBUFFERED: '1'
  };
  execFileSync(process.execPath, [CLI, 'install', '--user'], { env, stdio: 'pipe' });
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(root, name);
    mkdirSync(path.dirname(target), { recursive: true });
    if (typeof content === 'string' && existsSync(content)) cpSync(content, target, { recursive: true });
    else writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  }
  return { dir, root, env };
}

/** A notebook (nbformat 4) for the parlab kernel with these code cells. */
export function notebookJson(sources) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'parlab', display_name: 'TypeScript (parlab)', language: 'typescript' },
      language_info: { name: 'typescript' }
    },
    cells: sources.map((source, i) => ({
      id: `cell-${i}`,
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source
    }))
  };
}

/**
 * Starts the server and a fresh browser profile. `files` maps paths under the root dir to a file
 * to copy (an existing path) or a content (string or JSON object).
 */
export async function startLab({ files = {}, build = 'build', log = () => {} } = {}) {
  const jupyter = jupyterDirs(files, build);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serverLog = [];
  const server = spawn(
    PYTHON,
    [
      path.join(E2E, 'app/server.py'),
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      '--ServerApp.ip=127.0.0.1',
      '--ServerApp.token=',
      '--ServerApp.password=',
      '--ServerApp.open_browser=False',
      '--ServerApp.allow_root=True',
      '--ServerApp.disable_check_xsrf=True',
      `--ServerApp.root_dir=${jupyter.root}`
    ],
    { env: jupyter.env, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  server.stdout.on('data', d => serverLog.push(String(d)));
  server.stderr.on('data', d => serverLog.push(String(d)));
  const started = Date.now();
  for (;;) {
    if (server.exitCode !== null) throw new Error(`jupyter server exited:\n${serverLog.join('')}`);
    try {
      const res = await fetch(`${url}/api/kernelspecs`);
      if (res.ok) {
        const specs = await res.json();
        if (!specs.kernelspecs.parlab) throw new Error(`parlab kernelspec not visible: ${JSON.stringify(specs)}`);
        break;
      }
    } catch (e) {
      if (String(e.message).includes('kernelspec')) throw e;
    }
    if (Date.now() - started > 60_000) throw new Error(`jupyter server did not answer:\n${serverLog.join('')}`);
    await sleep(200);
  }
  log(`server up on ${url}`);

  const profile = path.join(jupyter.dir, 'chromium-profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage'
    ]
  });
  const consoleLines = [];
  context.on('console', m => consoleLines.push(`[${m.type()}] ${m.text()}`));
  context.on('weberror', e => consoleLines.push(`[pageerror] ${e.error()?.stack ?? e.error()}`));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', e => consoleLines.push(`[pageerror] ${e.stack ?? e}`));
  page.setDefaultTimeout(30_000);

  return {
    url,
    port,
    root: jupyter.root,
    page,
    context,
    consoleLines,
    serverLog,
    async close() {
      await context.close().catch(() => {});
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await Promise.race([new Promise(r => server.once('exit', r)), sleep(5000)]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      rmSync(jupyter.dir, { recursive: true, force: true });
    }
  };
}

/** Opens a file of the root dir in the app (the /lab/tree/<path> URL a person would follow). */
export async function openLab(lab, file) {
  const { page } = lab;
  await page.goto(`${lab.url}/lab${file ? `/tree/${file}` : ''}`);
  await page.waitForFunction(() => document.body.dataset.parlabE2eReady === 'true', null, { timeout: 60_000 });
  lab.log?.('app restored');
  if (file) {
    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: path.basename(file) });
    await tab.first().waitFor({ state: 'visible' });
  }
}

/** The notebook panel currently shown. */
export function notebook(page) {
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)').first();
}

/** Waits until the notebook's kernel is idle (the toolbar's kernel status). */
export async function waitForKernelIdle(page, timeout = 60_000) {
  await page.waitForFunction(
    () => {
      const panel = window.jupyterapp.shell.currentWidget;
      const kernel = panel?.sessionContext?.session?.kernel;
      return !!kernel && kernel.status === 'idle' && panel.sessionContext.kernelDisplayName !== 'No Kernel';
    },
    null,
    { timeout, polling: 200 }
  );
}

/** Clicks a main-menu item as a person would: e.g. menu(page, 'Run', 'Run All Cells'). */
export async function menu(page, top, ...items) {
  await page.locator('#jp-MainMenu .lm-MenuBar-itemLabel', { hasText: new RegExp(`^${top}$`) }).click();
  for (const item of items) {
    const label = page.locator('.lm-Menu:visible .lm-Menu-itemLabel', { hasText: new RegExp(`^${escapeRegExp(item)}$`) });
    await label.first().click();
  }
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The prompts ("[ ]:", "[*]:", "[3]:") of the code cells of the current notebook. */
export async function prompts(page) {
  return notebook(page).locator('.jp-CodeCell .jp-InputArea-prompt').allTextContents();
}

/** Waits until every code cell (or the given cell indices) has a finished execution count. */
export async function waitForExecuted(page, { cells = null, timeout = 180_000 } = {}) {
  await page.waitForFunction(
    wanted => {
      const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      if (!panel) return false;
      const all = [...panel.querySelectorAll('.jp-Cell')];
      const chosen = wanted ? wanted.map(i => all[i]) : all.filter(c => c.classList.contains('jp-CodeCell'));
      return chosen.length > 0 && chosen.every(c => c && /\[\d+\]/.test(c.querySelector('.jp-InputArea-prompt')?.textContent ?? ''));
    },
    cells,
    { timeout, polling: 250 }
  );
}

/** The text of the visible error/stderr outputs of the current notebook. */
export async function errorOutputs(page) {
  return notebook(page).locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').allInnerTexts();
}

/** The cell at index `i` of the current notebook. */
export function cell(page, i) {
  return notebook(page).locator('.jp-Cell').nth(i);
}

/** Replaces a cell's source by typing into its editor as a person would. */
export async function typeInCell(page, i, text) {
  const editor = cell(page, i).locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Runs cell i with Shift+Enter (select it, then press the keys in command mode). */
export async function runCell(page, i) {
  await cell(page, i).locator('.jp-InputArea-prompt').click();
  await page.keyboard.press('Shift+Enter');
}

/** Output text of cell i. */
export async function outputText(page, i) {
  return (await cell(page, i).locator('.jp-OutputArea-output').allInnerTexts()).join('\n');
}

/** For every output carrying a plot (plotly JSON and/or a PNG), whether the browser shows an image for it. */
export async function plotImages(page) {
  return page.evaluate(async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    const model = panel.content.model;
    let expected = 0;
    for (let i = 0; i < model.cells.length; i++) {
      const c = model.cells.get(i);
      if (c.type !== 'code') continue;
      for (const o of c.outputs.toJSON()) {
        const data = o.data ?? {};
        if (data['image/png'] || data['application/vnd.plotly.v1+json']) expected++;
      }
    }
    // Outputs of cells far below may render late: bring each cell into view until all images exist.
    const deadline = Date.now() + 30_000;
    let imgs = [];
    for (;;) {
      imgs = [...panel.node.querySelectorAll('.jp-OutputArea-output img')];
      if (imgs.length >= expected || Date.now() > deadline) break;
      for (const c of panel.node.querySelectorAll('.jp-Cell')) {
        c.scrollIntoView({ block: 'start' });
        await new Promise(r => requestAnimationFrame(r));
      }
      await new Promise(r => setTimeout(r, 250));
    }
    const shown = [];
    for (const img of imgs) {
      img.scrollIntoView({ block: 'center' });
      if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; setTimeout(r, 5000); });
      const box = img.getBoundingClientRect();
      shown.push({ decoded: img.complete && img.naturalWidth > 0, width: box.width, height: box.height, visible: box.width > 50 && box.height > 50 && getComputedStyle(img).visibility !== 'hidden' });
    }
    return { expected, imgs: shown };
  });
}

/** The trust status tooltip of the status bar, e.g. "Notebook not trusted: 0 of 6 code cells trusted." */
export async function trustStatus(page) {
  return page.evaluate(() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel.content.model.cells;
    let trusted = 0;
    let code = 0;
    for (let i = 0; i < cells.length; i++) {
      const c = cells.get(i);
      if (c.type === 'code') {
        code++;
        if (c.trusted) trusted++;
      }
    }
    return { trusted, code };
  });
}

/**
 * One scenario: starts a lab, runs `body`, always writes test-artifacts/e2e/<name>.png; on failure
 * also <name>.FAILED.png, <name>.console.log (browser console) and <name>.server.log.
 */
export function scenario(name, options, body) {
  const skip = missingPrerequisite(options.build);
  test(name, { timeout: 600_000, ...options, skip: skip ?? options.skip }, async t => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
    const t0 = Date.now();
    const log = msg => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${msg}`);
    const lab = await startLab({ files: options.files ?? {}, build: options.build, log });
    const shot = async (label = '') =>
      lab.page.screenshot({ path: path.join(ARTIFACTS, `${slug}${label ? '.' + label : ''}.png`) }).catch(() => {});
    try {
      await body({ ...lab, log, shot, t });
      await shot();
    } catch (e) {
      await shot('FAILED');
      writeFileSync(path.join(ARTIFACTS, `${slug}.console.log`), lab.consoleLines.join('\n') + '\n');
      writeFileSync(path.join(ARTIFACTS, `${slug}.server.log`), lab.serverLog.join(''));
      throw e;
    } finally {
      log('done');
      await lab.close();
    }
  });
}

/** Scrolls the notebook so the n-th plot image (default the last) is in view, for the screenshot. */
export async function showPlot(page, n = -1) {
  await page.evaluate(async n => {
    const imgs = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img')];
    const img = imgs.at(n);
    if (!img) return;
    img.scrollIntoView({ block: 'center' });
    await new Promise(r => setTimeout(r, 300));
    img.scrollIntoView({ block: 'center' });
  }, n);
}

/**
 * Runs a prepared notebook headless with `parlab run` (as its author would before sharing it) and
 * returns the executed .ipynb's path. PARLAB_E2E_SHARED=<stem> picks it (default 11-async-gather).
 */
export function executedNotebook() {
  const dir = path.join(REPO, 'notebooks');
  const wanted = process.env.PARLAB_E2E_SHARED ?? '11-async-gather';
  const name = existsSync(path.join(dir, `${wanted}.ipynb`))
    ? `${wanted}.ipynb`
    : readdirSync(dir).filter(f => f.endsWith('.ipynb')).sort()[0];
  const out = mkdtempSync(path.join(tmpdir(), 'parlab-e2e-run-'));
  after(() => rmSync(out, { recursive: true, force: true }));
  let error = null;
  if (!missingPrerequisite()) {
    try {
      execFileSync(process.execPath, [CLI, 'run', path.join(dir, name), '--out', out], {
        stdio: 'pipe',
        env: { ...process.env, PARLAB_HISTORY_FILE: path.join(out, 'history.jsonl') }
      });
    } catch (e) {
      // Reported by the scenario (as its failure), not as a crash of the test file.
      error = `parlab run ${name} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
  }
  return { name, path: path.join(out, name), error };
}
