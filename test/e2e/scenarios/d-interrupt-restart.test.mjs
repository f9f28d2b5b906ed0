// (d) `while (true) {}`: the toolbar's interrupt button stops it, the next cell runs and earlier
// variables are intact; Kernel > Restart Kernel…, then Run All works.
import assert from 'node:assert/strict';
import {
  cell, errorOutputs, menu, notebook, notebookJson, openLab, outputText, runCell, scenario, typeInCell,
  waitForExecuted, waitForKernelIdle
} from '../lib/lab.mjs';

const files = {
  'loop.ipynb': notebookJson(['const kept = 41;', 'while (true) {}', 'console.log(`after: ${kept + 1}`);'])
};

scenario('d interrupt and restart', { files }, async lab => {
  const { page, log, shot } = lab;
  await openLab(lab, 'loop.ipynb');
  await waitForKernelIdle(page);
  await runCell(page, 0);
  await waitForExecuted(page, { cells: [0] });
  await runCell(page, 1);
  // The loop runs: its prompt shows [*] and the kernel is busy.
  await cell(page, 1).locator('.jp-InputArea-prompt', { hasText: '[*]' }).waitFor();
  await page.waitForFunction(() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'busy');
  await page.waitForTimeout(1500);
  assert.match(await cell(page, 1).locator('.jp-InputArea-prompt').textContent(), /\[\*\]/, 'still running');
  await shot('running');
  log('loop running; clicking the interrupt button');

  await notebook(page).locator('.jp-Toolbar [data-command="notebook:interrupt-kernel"]').click();
  await waitForExecuted(page, { cells: [1], timeout: 30_000 });
  await waitForKernelIdle(page, 30_000);
  log(`interrupted; the loop cell shows: ${JSON.stringify((await outputText(page, 1)).slice(0, 200))}`);

  await runCell(page, 2);
  await waitForExecuted(page, { cells: [2] });
  assert.equal((await outputText(page, 2)).trim(), 'after: 42', 'the next cell ran, `kept` intact');
  await shot('after-interrupt');

  // Restart the kernel through the menu and its dialog.
  await menu(page, 'Kernel', 'Restart Kernel…');
  await page.locator('.jp-Dialog .jp-mod-accept', { hasText: 'Restart' }).click();
  await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
  await waitForKernelIdle(page);
  log('restarted');

  // Nothing survives a restart: the new kernel does not know `kept`, its counts start again.
  await typeInCell(page, 3, 'console.log(typeof kept);');
  await runCell(page, 3);
  await waitForExecuted(page, { cells: [3] });
  assert.match(await outputText(page, 3), /Cannot find name 'kept'/, 'the restarted kernel has no `kept`');
  assert.match(await cell(page, 3).locator('.jp-InputArea-prompt').textContent(), /\[1\]/);

  // Without the loop, Run All works on the restarted kernel.
  await typeInCell(page, 1, '// no loop any more');
  await menu(page, 'Run', 'Run All Cells');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .jp-InputArea-prompt')]
      .slice(0, 4)
      .every(p => /\[([2-9])\]/.test(p.textContent))
  );
  await waitForKernelIdle(page);
  assert.equal((await outputText(page, 2)).trim(), 'after: 42');
  assert.equal((await outputText(page, 3)).trim(), 'number');
  assert.deepEqual(await errorOutputs(page), []);
});
