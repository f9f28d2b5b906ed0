// (e) `await input("name?")` shows an input box under the cell; typing a name continues the cell.
import assert from 'node:assert/strict';
import { cell, errorOutputs, notebookJson, openLab, outputText, runCell, scenario, waitForExecuted, waitForKernelIdle } from '../lib/lab.mjs';

const files = {
  'input.ipynb': notebookJson(['const who = await input("name?");\nconsole.log(`hello ${who}`);'])
};

scenario('e input box', { files }, async lab => {
  const { page, log, shot } = lab;
  await openLab(lab, 'input.ipynb');
  await waitForKernelIdle(page);
  await runCell(page, 0);
  const box = cell(page, 0).locator('.jp-Stdin-input');
  await box.waitFor();
  assert.match(await cell(page, 0).locator('.jp-Stdin-prompt').innerText(), /name\?/);
  assert.match(await cell(page, 0).locator('.jp-InputArea-prompt').textContent(), /\[\*\]/, 'the cell waits');
  await box.click();
  await page.keyboard.type('Ada');
  await shot('typing');
  await page.keyboard.press('Enter');
  await box.waitFor({ state: 'detached' }); // JupyterLab keeps the answered box 0.5 s, hidden
  await waitForExecuted(page, { cells: [0] });
  await waitForKernelIdle(page);
  const text = await outputText(page, 0);
  log(`output: ${JSON.stringify(text)}`);
  assert.equal(text.trim(), 'name? Ada\n\nhello Ada', 'the answer is echoed, then the cell goes on');
  assert.deepEqual(await errorOutputs(page), []);
});
