# Settings for s3wizard's Django check (a temporary module, never written into the project):
# the project's own settings, plus the block s3wizard generated when settings.py does not
# load it yet (the check then says so). Names come from the environment.
import os
from importlib import import_module

_base = import_module(os.environ["S3WIZARD_BASE_SETTINGS"])
globals().update({k: getattr(_base, k) for k in dir(_base) if k.isupper()})


def _s3_configured():
    storages = globals().get("STORAGES") or {}
    backend = (storages.get("default") or {}).get("BACKEND", "") or globals().get("DEFAULT_FILE_STORAGE", "")
    return "s3" in (backend or "").lower()


S3WIZARD_CHECK_OVERLAY = False
if not _s3_configured():
    _generated = os.environ["S3WIZARD_GENERATED"]
    with open(_generated) as _f:
        exec(compile(_f.read(), _generated, "exec"))
    S3WIZARD_CHECK_OVERLAY = True
