// (a) Open each prepared notebook, with the parlab kernel, Run All: no error output, every plot
// shown as an image (the PNG of each plot output: this app has no plotly renderer).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  REPO, errorOutputs, menu, notebook, openLab, plotImages, prompts, scenario, showPlot, waitForExecuted,
  waitForKernelIdle
} from '../lib/lab.mjs';

const dir = path.join(REPO, 'notebooks');
// PARLAB_E2E_NOTEBOOKS=01-threads,11-async-gather narrows the list (default: every notebook).
const only = process.env.PARLAB_E2E_NOTEBOOKS?.split(',').map(s => s.trim()).filter(Boolean);
const names = readdirSync(dir)
  .filter(f => f.endsWith('.ipynb'))
  .filter(f => !only || only.some(o => f.startsWith(o)))
  .sort();

for (const name of names) {
  const stem = name.replace(/\.ipynb$/, '');
  scenario(`a run all ${stem}`, { files: { [name]: path.join(dir, name) } }, async lab => {
    const { page, log } = lab;
    await openLab(lab, name);
    // The notebook names parlab in its metadata: the toolbar shows that kernel, and it starts.
    await notebook(page).locator('.jp-KernelName', { hasText: 'TypeScript (parlab)' }).waitFor();
    await waitForKernelIdle(page);
    log('kernel idle');
    const before = await prompts(page);
    assert.ok(before.length > 0, 'the notebook shows code cells');
    assert.ok(before.every(p => !/\d/.test(p)), `a prepared notebook has no execution counts: ${before}`);

    await menu(page, 'Run', 'Run All Cells');
    await waitForExecuted(page, { timeout: 300_000 });
    await waitForKernelIdle(page);
    log(`ran ${before.length} code cells`);

    const errors = await errorOutputs(page);
    assert.deepEqual(errors, [], 'no error or stderr output');
    const plots = await plotImages(page);
    log(`${plots.expected} plot outputs, ${plots.imgs.length} images`);
    assert.equal(plots.imgs.length, plots.expected, 'one image per plot output');
    for (const [i, img] of plots.imgs.entries()) {
      assert.ok(img.decoded && img.visible, `plot image ${i + 1} is shown (${JSON.stringify(img)})`);
    }
    // The last plot in view for the screenshot.
    await showPlot(page);
  });
}
