"""python3 -m caffesta_emulator [flags]: see emulator/README.md."""

import sys

from .cli import main

sys.exit(main())
