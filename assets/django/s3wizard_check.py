# s3wizard's upload test, run by the project's own Django (`manage.py shell -c`).
# Each storage the app uses (default_storage, then every public storage) saves a small
# file, reads it back, opens its URL (signed for private, plain for public), checks that a
# private file's unsigned URL is refused, and deletes it. One JSON line goes to stdout.
# The public storages are PublicStorage(prefix) of the companion module (named by
# S3WIZARD_STORAGES_MODULE) for each prefix of settings.S3_PUBLIC_PREFIXES.
import json, os, sys, time, urllib.error, urllib.request

import django
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from importlib import import_module


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except Exception as e:  # DNS, TLS, refused: the URL is unusable
        return 0, str(e).encode()


def key_of(storage, name):
    loc = (getattr(storage, "location", "") or "").strip("/")
    return loc + "/" + name if loc else name


def exercise(label, storage, public):
    getattr(storage, "location", None)  # resolves default_storage's lazy wrapper
    real = getattr(storage, "_wrapped", storage)
    cls = type(real).__module__ + "." + type(real).__name__
    res = {"storage": label, "class": cls, "steps": []}

    def step(name, ok, detail=""):
        # ids are steps.Django* (checks.go): "django-" + the name, dashed
        ident = "django-" + name.replace("django-storages ", "").replace(" ", "-").lower()
        res["steps"].append({"id": ident, "name": name, "ok": bool(ok), "detail": detail})
        return ok

    s3 = any(c.__module__.startswith("storages.backends.s3") for c in type(real).__mro__)
    if not step("django-storages S3 backend", s3, cls):
        return res  # a local-disk storage: saving would only prove the disk works

    body = ("s3wizard django check %s %s" % (label, time.time_ns())).encode()
    try:
        name = storage.save(".s3wizard-django-probe-%d.txt" % time.time_ns(), ContentFile(body))
    except Exception as e:
        step("save", False, "%s: %s" % (type(e).__name__, e))
        return res
    res["key"] = key_of(storage, name)
    step("save", True, res["key"])
    try:
        with storage.open(name) as f:
            got = f.read()
        step("read back", got == body, "" if got == body else "read a different content")
    except Exception as e:
        step("read back", False, "%s: %s" % (type(e).__name__, e))
    try:
        url = storage.url(name)
        signed = "X-Amz-Signature=" in url or "Signature=" in url
        status, got = get(url)
        if public:
            origin = "/".join(url.split("/", 3)[:3])
            step("plain URL", status == 200 and got == body and not signed,
                 "anonymous GET of %s/… answered %d%s" % (origin, status, "; the URL is signed" if signed else ""))
        else:
            step("signed URL", status == 200 and got == body and signed,
                 "GET answered %d%s" % (status, "" if signed else "; the URL is not signed (querystring_auth off?)"))
            ustatus, _ = get(url.split("?")[0])
            step("unsigned URL refused", ustatus == 403, "anonymous GET of the private file answered %d" % ustatus)
    except Exception as e:
        step("url", False, "%s: %s" % (type(e).__name__, e))
    try:
        storage.delete(name)
        gone = not storage.exists(name)
        step("delete", gone, "" if gone else "still exists after delete()")
    except Exception as e:
        step("delete", False, "%s: %s" % (type(e).__name__, e))
    return res


out = {"django": django.get_version(), "overlay": bool(getattr(settings, "S3WIZARD_CHECK_OVERLAY", False)), "storages": []}
try:
    out["storages"].append(exercise("default_storage", default_storage, False))
    prefixes = getattr(settings, "S3_PUBLIC_PREFIXES", [])
    if prefixes:
        public_storage = import_module(os.environ["S3WIZARD_STORAGES_MODULE"]).PublicStorage
        for prefix in prefixes:
            out["storages"].append(exercise(prefix, public_storage(prefix), True))
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
sys.stdout.write("\nS3WIZARD-CHECK " + json.dumps(out) + "\n")
