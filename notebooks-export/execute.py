"""Executes every notebook of notebooks/ headlessly (nbclient) against one run folder.

    python execute.py RUN_FOLDER

Exits 1, naming the notebook and the error, if any cell fails. Outputs are not written back:
the committed notebooks stay stripped.
"""
import os
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

run = pathlib.Path(sys.argv[1]).resolve()
os.environ["KAIROS_RUN"] = str(run)
failed = []
for path in sorted(pathlib.Path(__file__).parent.joinpath("notebooks").glob("*.ipynb")):
    notebook = nbformat.read(path, as_version=4)
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        print(f"ok      {path.name}")
    except Exception as error:  # noqa: BLE001 - report every notebook, then fail
        print(f"FAILED  {path.name}: {str(error).strip().splitlines()[-1] if str(error).strip() else error}")
        failed.append(path.name)
print(f"{len(failed)} failed, {len(list(pathlib.Path(__file__).parent.joinpath('notebooks').glob('*.ipynb'))) - len(failed)} passed")
sys.exit(1 if failed else 0)
