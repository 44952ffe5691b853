#!/usr/bin/env bash
# Prints the path of a Python that Rasa 3.6 supports (3.8 to 3.10), preferring 3.10.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(10|9|8)\.[0-9]+$' | sort -t. -k2,2nr -k3,3nr); do
    candidates+=("$(pyenv prefix "$v")/bin/python")
  done
fi
candidates+=(python3.10 python3.9 python3.8 python3)
for c in "${candidates[@]}"; do
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.8-3.10 found; Rasa 3.6 needs one.
Install Python 3.10, for example:  pyenv install 3.10.13
or point PYTHON at it:             make run PYTHON=/path/to/python3.10
MSG
exit 1
