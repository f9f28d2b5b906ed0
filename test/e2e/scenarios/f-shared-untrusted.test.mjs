// (f) A notebook executed headless by `parlab run` and opened by someone else (a fresh browser
// profile, a fresh Jupyter data dir, so no trust signature): untrusted, yet every timing plot is
// visible as an image.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  errorOutputs, executedNotebook, openLab, plotImages, scenario, showPlot, trustStatus, waitForKernelIdle
} from '../lib/lab.mjs';

const { name, path: executed, error: runError } = executedNotebook();

scenario(`f shared executed notebook untrusted ${name.replace(/\.ipynb$/, '')}`, { files: { [name]: executed } }, async lab => {
  const { page, log } = lab;
  if (runError) throw new Error(runError);
  const nb = JSON.parse(readFileSync(executed, 'utf8'));
  const pngs = nb.cells.flatMap(c => c.outputs ?? []).filter(o => o.data?.['image/png']).length;
  assert.ok(pngs > 0, 'the executed notebook holds plots with a PNG');
  log(`executed by parlab run: ${pngs} plots with a PNG`);

  await openLab(lab, name);
  await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output').first().waitFor();
  const trust = await trustStatus(page);
  assert.ok(trust.code > 0 && trust.trusted === 0, `opened untrusted: ${JSON.stringify(trust)}`);
  // The status bar says so too.
  await page.locator('.jp-StatusBar-Widget [title^="Notebook not trusted"]').first().waitFor({ state: 'attached' });

  const plots = await plotImages(page);
  assert.equal(plots.expected, pngs);
  assert.equal(plots.imgs.length, pngs, 'one image per plot');
  for (const [i, img] of plots.imgs.entries()) {
    assert.ok(img.decoded && img.visible, `plot ${i + 1} shown as an image (${JSON.stringify(img)})`);
  }
  assert.deepEqual(await errorOutputs(page), []);
  await waitForKernelIdle(page);
  await showPlot(page, 0);
});
