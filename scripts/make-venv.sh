#!/usr/bin/env bash
# Creates (or updates) the project's virtual environment from the pinned lock.
set -euo pipefail
# Progress goes to stderr: `make leads > leads.csv` must hold only the CSV.
exec 1>&2
venv=${1:-.venv}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$venv/bin/python" ]; then
  py=$("$here/scripts/find-python.sh")
  echo "creating $venv with $py"
  "$py" -m venv "$venv"
fi
echo "make: installing the Python packages of the pinned lock into $venv (the first time takes several minutes)"
"$venv/bin/python" -m pip install -q --disable-pip-version-check 'pip==24.0'
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt" -c "$here/constraints.txt"
