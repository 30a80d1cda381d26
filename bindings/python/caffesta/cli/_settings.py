"""Where the command line finds the account, the key and the server.

The key is read from CAFFESTA_API_KEY or from ~/.config/caffesta/config.toml, never from an
argument (every user of the machine sees arguments in `ps`). The file is refused when anyone
but its owner may read or change it.
"""

from __future__ import annotations

import os
import stat
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.8 to 3.10
    import tomli as tomllib

import caffesta

from ._errors import UsageProblem


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "caffesta" / "config.toml"


def _read_config(path: Path) -> Dict[str, Any]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise UsageProblem("cannot read %s: %s" % (path, e.strerror)) from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsageProblem(
            "%s holds the API key but others can read or change it (mode %s); "
            "run: chmod 600 %s" % (path, stat.filemode(info.st_mode), path))
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise UsageProblem("cannot read %s: %s" % (path, e)) from None
    for key in ("account", "api_key", "base_url"):
        if key in data and not isinstance(data[key], str):
            raise UsageProblem("%s: %s must be a string" % (path, key))
    return data


def make_client(base_url: Optional[str]) -> caffesta.Client:
    """A client from the environment, else the config file; numbers read as Decimal."""
    path = config_path()
    env_account = os.environ.get("CAFFESTA_ACCOUNT")
    env_key = os.environ.get("CAFFESTA_API_KEY")
    # The file is read only when the environment lacks the account or the key.
    config: Dict[str, Any] = {} if env_account and env_key else _read_config(path)
    account = env_account or config.get("account")
    api_key = env_key or config.get("api_key")
    url = base_url or os.environ.get("CAFFESTA_BASE_URL") or config.get("base_url") or None
    missing = [name for name, value in (("CAFFESTA_ACCOUNT", account),
                                        ("CAFFESTA_API_KEY", api_key)) if not value]
    if missing:
        raise UsageProblem(
            "no %s: set %s, or write account = \"...\" and api_key = \"...\" in %s (chmod 600)"
            % (" and no ".join(missing), " and ".join(missing), path))
    try:
        return caffesta.Client(account, api_key, base_url=url, parse_float=Decimal)
    except caffesta.InvalidArgumentError as e:
        # The library's message names the setting (account name, base URL), never the key.
        raise UsageProblem("%s: %s" % (e.status, e.message)) from None
