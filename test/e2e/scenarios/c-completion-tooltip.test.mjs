// (c) The editor highlights TypeScript. Tab completion offers the members of an object defined in an
// earlier cell; Shift-Tab shows its type in a tooltip.
import assert from 'node:assert/strict';
import { cell, notebookJson, openLab, runCell, scenario, typeInCell, waitForExecuted, waitForKernelIdle } from '../lib/lab.mjs';

const files = {
  'complete.ipynb': notebookJson(['const point = { alpha: 1, beta: "two", gamma(): number { return 3; } };', ''])
};

scenario('c completion and tooltip', { files }, async lab => {
  const { page, log, shot } = lab;
  await openLab(lab, 'complete.ipynb');
  await waitForKernelIdle(page);
  await runCell(page, 0);
  await waitForExecuted(page, { cells: [0] });
  await waitForKernelIdle(page);

  // The editor highlights TypeScript (the kernel's language_info), not JavaScript: `interface` is a keyword.
  const mime = await page.evaluate(() => window.jupyterapp.shell.currentWidget.content.codeMimetype);
  assert.equal(mime, 'application/typescript');
  await typeInCell(page, 1, 'interface Shape { side: number }');
  const keyword = cell(page, 1).locator('.cm-line span', { hasText: /^interface$/ });
  assert.equal(await keyword.count(), 1, 'interface is highlighted as a keyword');

  // Shift-Tab on the name: the tooltip shows the object's type.
  await typeInCell(page, 1, 'point');
  await page.keyboard.press('Shift+Tab');
  const tooltip = page.locator('.jp-Tooltip:visible');
  await tooltip.waitFor();
  const text = await tooltip.innerText();
  log(`tooltip: ${JSON.stringify(text.slice(0, 200))}`);
  assert.match(text, /point/);
  assert.match(text, /alpha: number/);
  assert.match(text, /beta: string/);
  await shot('tooltip');
  await page.keyboard.press('Escape');
  await tooltip.waitFor({ state: 'hidden' });

  // Tab after `point.`: the completer lists its members.
  await typeInCell(page, 1, 'point.');
  await page.keyboard.press('Tab');
  const completer = page.locator('.jp-Completer:visible');
  const shown = await completer.waitFor({ timeout: 10_000 }).then(() => true, () => false);
  const reply = await page.evaluate(async () => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    return (await kernel.requestComplete({ code: 'point.', cursor_pos: 6 })).content.matches;
  });
  assert.ok(shown, `Tab after "point." shows a completer (the kernel's complete_reply matches: ${JSON.stringify(reply)})`);
  const items = (await completer.locator('.jp-Completer-item .jp-Completer-match').allInnerTexts()).map(s => s.trim());
  log(`completions: ${items.join(', ')}`);
  for (const member of ['alpha', 'beta', 'gamma']) assert.ok(items.includes(member), `offers ${member}: ${items}`);
  await shot('completer');
  await page.keyboard.press('Escape');
  assert.equal(await cell(page, 1).locator('.jp-OutputArea-output').count(), 0);
});
