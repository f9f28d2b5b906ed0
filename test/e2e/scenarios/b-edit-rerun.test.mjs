// (b) Edit a cell (change a constant), re-run: the new output replaces the old one; re-running a
// cell that declares `const` raises no error.
import assert from 'node:assert/strict';
import {
  cell, errorOutputs, notebookJson, openLab, outputText, runCell, scenario, typeInCell, waitForExecuted,
  waitForKernelIdle
} from '../lib/lab.mjs';

const files = {
  'edit.ipynb': notebookJson(['const factor = 2;', 'console.log(`answer: ${factor * 21}`);'])
};

scenario('b edit and re-run', { files }, async lab => {
  const { page, log, shot } = lab;
  await openLab(lab, 'edit.ipynb');
  await waitForKernelIdle(page);
  await runCell(page, 0);
  await runCell(page, 1);
  await waitForExecuted(page, { cells: [0, 1] });
  assert.equal((await outputText(page, 1)).trim(), 'answer: 42');
  await shot('before-edit');
  log('first run: answer: 42');

  // Change the constant in the editor, run both cells again.
  await typeInCell(page, 0, 'const factor = 3;');
  const countBefore = await cell(page, 1).locator('.jp-InputArea-prompt').textContent();
  await runCell(page, 0);
  await runCell(page, 1);
  await page.waitForFunction(
    before => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')[1]
      .querySelector('.jp-InputArea-prompt').textContent !== before,
    countBefore
  );
  await waitForExecuted(page, { cells: [0, 1] });
  await waitForKernelIdle(page);
  // The old output is gone: exactly one output, the new value.
  assert.equal(await cell(page, 1).locator('.jp-OutputArea-output').count(), 1, 'one output after the re-run');
  assert.equal((await outputText(page, 1)).trim(), 'answer: 63');
  // Re-declaring `const factor` (cell 0 ran twice) is no error.
  assert.equal(await cell(page, 0).locator('.jp-OutputArea-output').count(), 0, 'the const cell has no output');
  assert.deepEqual(await errorOutputs(page), []);
  log('after edit: answer: 63, no error');

  // Once more, the const cell alone.
  await runCell(page, 0);
  await waitForExecuted(page, { cells: [0] });
  await waitForKernelIdle(page);
  assert.deepEqual(await errorOutputs(page), []);
});
