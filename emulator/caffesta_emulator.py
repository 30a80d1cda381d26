#!/usr/bin/env python3
"""Runs the emulator from a repository checkout: python3 emulator/caffesta_emulator.py [flags].

The emulator itself is the package beside this file, emulator/caffesta_emulator/ (see
emulator/README.md); this file only puts emulator/ on the import path and starts it, exactly as
`python3 -m caffesta_emulator` does. With both on the path, `import caffesta_emulator` always
gives the package: Python prefers a package directory to a module file of the same name.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from caffesta_emulator.cli import main  # noqa: E402  (the package, not this file)

if __name__ == "__main__":
    sys.exit(main())
