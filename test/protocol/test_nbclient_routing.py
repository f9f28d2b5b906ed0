"""Debian's nbclient runs a 40-cell notebook of awaiting cells 20 times; every cell must end up
with exactly its own outputs. nbclient keeps only messages whose parent is the cell it is
running, so an output sent with the wrong parent shows up here as missing from one cell and,
if it named a cell that was still running, misplaced in another."""
import re
import shutil
import sys
import tempfile
import unittest
from collections import Counter

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

CELLS = 40
RUNS = 20
MARKER = re.compile(r"cell-(\d+):")


def make_cell(k):
    """(source, expected outputs as a Counter of (kind, text), outputs it may have or not)."""
    wait = f"await new Promise((r) => setTimeout(r, {1 + k % 5}));"
    optional = set()
    if k == 0:  # also sets up the wake-up calls of later cells
        source = f'import {{ EventEmitter }} from "node:events";\nconst wakeups = new EventEmitter();\n{wait}\nconsole.log("cell-{k}:done");'
        expected = [("stdout", f"cell-{k}:done")]
    elif k % 4 == 0:  # prints before and after an await; wakes the previous cell's promise
        source = f'console.log("cell-{k}:before");\nwakeups.emit("wake-{k - 1}");\n{wait}\nconsole.log("cell-{k}:done");'
        expected = [("stdout", f"cell-{k}:before"), ("stdout", f"cell-{k}:done")]
    elif k % 4 == 1:  # several awaits and a Promise.all of timers that print
        source = f"""{wait}
await Promise.resolve();
console.log("cell-{k}:done " + (await Promise.all([1, 2, 3].map((i) =>
  new Promise<string>((r) => setTimeout(() => {{ console.log(`cell-{k}:t${{i}}`); r(`p${{i}}`); }}, i + {k % 3}))))).join(","));"""
        expected = [("stdout", f"cell-{k}:t{i}") for i in (1, 2, 3)] + [("stdout", f"cell-{k}:done p1,p2,p3")]
    elif k % 4 == 2:  # ends with an expression: an execute_result
        source = f"""console.log("cell-{k}:before");
const value{k} = await new Promise<string>((r) => setTimeout(() => r("cell-{k}:result"), {1 + k % 5}));
console.log("cell-{k}:done");
value{k}"""
        expected = [("stdout", f"cell-{k}:before"), ("stdout", f"cell-{k}:done"), ("result", f"'cell-{k}:result'")]
    else:  # stderr, display_data, and callbacks that outlive the cell
        # The timer fires about when the next cell starts; the promise continues only when the
        # next cell emits "wake-k", i.e. certainly while that cell runs.
        source = f"""console.error("cell-{k}:err");
setTimeout(() => console.log("cell-{k}:stray"), 10);
new Promise((r) => wakeups.once("wake-{k}", r)).then(() => console.log("cell-{k}:woken"));
{wait}
display({{ "text/plain": "cell-{k}:display" }});
console.log("cell-{k}:done");"""
        expected = [("stderr", f"cell-{k}:err"), ("display", f"cell-{k}:display"), ("stdout", f"cell-{k}:done")]
        # Sent with this cell's parent: nbclient shows them only if they came before the idle.
        optional |= {("stdout", f"cell-{k}:stray"), ("stdout", f"cell-{k}:woken")}
    return source, Counter(expected), optional


def outputs_of(cell):
    """The cell's outputs as a Counter of (kind, text); stream text is split into lines."""
    found = Counter()
    for out in cell.outputs:
        if out.output_type == "stream":
            found.update((out.name, line) for line in out.text.splitlines())
        elif out.output_type == "execute_result":
            found[("result", out.data.get("text/plain"))] += 1
        elif out.output_type == "display_data":
            found[("display", out.data.get("text/plain"))] += 1
        else:
            found[(out.output_type, str(out.get("evalue", out)))] += 1
    return found


def check_run(nb, specs):
    """Counts of missing, misplaced (another cell's marker) and unexpected outputs, and details."""
    counts, details = Counter(missing=0, misplaced=0, unexpected=0), []
    for k, (cell, (_, expected, optional)) in enumerate(zip(nb.cells, specs)):
        found = outputs_of(cell)
        for item, n in (expected - found).items():
            counts["missing"] += n
            details.append(f"cell {k}: missing {item}")
        for item, n in (found - expected).items():
            owner = MARKER.search(item[1] or "")
            if owner and int(owner.group(1)) != k:
                counts["misplaced"] += n
                details.append(f"cell {k}: has cell {owner.group(1)}'s {item}")
            elif item not in optional or n > 1:
                counts["unexpected"] += n
                details.append(f"cell {k}: unexpected {item} x{n}")
    return counts, details


class NotebookRuns(unittest.TestCase):
    summary = None

    @classmethod
    def tearDownClass(cls):
        # Printed here, after unittest's "... ok" line, which the node wrapper parses.
        if cls.summary:
            print(cls.summary, file=sys.stderr)

    def test_forty_awaiting_cells_twenty_times(self):
        specs = [make_cell(k) for k in range(CELLS)]
        notebook = new_notebook(cells=[new_code_cell(source) for source, _, _ in specs])
        nbformat.validate(notebook)
        workdir = tempfile.mkdtemp(prefix="parlab-nbclient-")
        self.addCleanup(shutil.rmtree, workdir, True)
        options = dict(kernel_name="parlab", timeout=60, resources={"metadata": {"path": workdir}})
        totals, details = Counter(missing=0, misplaced=0, unexpected=0), []

        def record(run, nb):
            counts, found = check_run(nb, specs)
            totals.update(counts)
            details.extend(f"run {run}: {d}" for d in found)

        # Run 1 exactly as `jupyter nbconvert --execute` does: a kernel of its own.
        record(1, NotebookClient(nbformat.from_dict(notebook), **options).execute())
        # Runs 2..20 in one kernel (a kernel start per run would dominate the time), cell by
        # cell through nbclient, so every run also re-declares the previous run's consts.
        client = NotebookClient(nbformat.from_dict(notebook), **options)
        with client.setup_kernel():
            for run in range(2, RUNS + 1):
                client.nb = nb = nbformat.from_dict(notebook)
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                record(run, nb)

        NotebookRuns.summary = f"nbclient, {RUNS} runs x {CELLS} cells: {dict(totals)}"
        self.assertEqual(dict(totals), {"missing": 0, "misplaced": 0, "unexpected": 0}, "\n".join(details[:50]))


if __name__ == "__main__":
    unittest.main()
