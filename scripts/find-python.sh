#!/usr/bin/env bash
# Prints the path of a Python 3.10: Rasa 3.6 runs on 3.8-3.10, but the lock (constraints.txt, e.g.
# hypothesis 6.168) needs 3.10.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -t. -k3,3nr); do
    candidates+=("$(pyenv prefix "$v")/bin/python")
  done
fi
candidates+=(python3.10 python3)
for c in "${candidates[@]}"; do
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.10 found; the pinned lock (constraints.txt) needs it.
Install Python 3.10, for example:  pyenv install 3.10.13
or point PYTHON at it:             make run PYTHON=/path/to/python3.10
MSG
exit 1
