#!/usr/bin/env bash
# Re-extract the gettext msgids from the code, merge them into every catalog under
# translations/, and compile the .mo files (they are committed, so no build step is needed).
#
# Usage: scripts/update-translations.sh            (from anywhere inside the repo)
#        PYBABEL=/path/to/pybabel scripts/update-translations.sh
#
# After running it, fill in the new or "fuzzy" entries in translations/<lang>/LC_MESSAGES/messages.po,
# then run this script again (or just its compile step) and commit the .po and .mo together.
# tests/main/test_translations.py fails while a string in the code has no English translation.
set -euo pipefail

cd "$(dirname "$0")/.."

PYBABEL="${PYBABEL:-}"
if [ -z "$PYBABEL" ]; then
    if [ -x .venv/bin/pybabel ]; then
        PYBABEL=.venv/bin/pybabel
    else
        PYBABEL=pybabel
    fi
fi

# --ignore-dirs: pybabel skips every directory starting with "_" by default (".* ._"), which would
# silently leave out templates/_macros/; only hidden directories and __pycache__ are skipped here.
"$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* __pycache__" \
    -o translations/messages.pot .
"$PYBABEL" update -i translations/messages.pot -d translations
# --statistics reports "N of M messages translated" per catalog; anything short of 100% needs work.
"$PYBABEL" compile --statistics -d translations
