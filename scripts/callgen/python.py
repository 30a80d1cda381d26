"""The Python binding's generated modules: caffesta/_prototypes.py (ctypes declarations of every
function) and caffesta/_endpoints.py (a mixin with one method per plain call)."""

from .table import BANNER, aligned, reference, wrap

PACKAGE = "bindings/python/caffesta/"

# C type: the ctypes type of _prototypes.py
CTYPES = {
    "caffesta_client *": "_C", "caffesta_client **": "POINTER(_C)", "caffesta_status": "_S",
    "const char *": "c_char_p", "char **": "_JSON_OUT", "char *": "c_void_p", "void *": "c_void_p",
    "long long": "_ID", "long long *": "_ID_OUT", "long": "c_long", "int": "c_int", "int *": "POINTER(c_int)", "void": "None",
    "caffesta_progress_fn": "caffesta_progress_fn", "caffesta_log_fn": "caffesta_log_fn",
    "caffesta_call *": "_CALL", "const caffesta_call *": "_CALL", "caffesta_call **": "POINTER(_CALL)",
    "caffesta_done_fn": "caffesta_done_fn", "caffesta_delivery": "caffesta_delivery",
}

PROTOTYPES_HEAD = '''# %s
"""The ctypes prototypes of every function of include/caffesta.h, in its order: caffesta._native
declares each on the loaded library (argtypes and restype), so that a call with a wrong type
fails in Python with ctypes.ArgumentError instead of reaching C.

Strings the library hands out (the char **result_json outputs) are pointers to c_void_p, so that
ctypes never turns them into bytes and loses the pointer: read them with ctypes.string_at() and
free each once with caffesta_string_free(). caffesta_last_error, caffesta_status_name and
caffesta_version return static or thread-local storage that must not be freed: c_char_p.
"""

from ctypes import CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_long, c_longlong, c_size_t, c_void_p


class caffesta_client(Structure):
    """The opaque struct caffesta_client; only pointers to it are ever used."""


caffesta_client_p = POINTER(caffesta_client)
# caffesta_status is a C enum: an int.
caffesta_status = c_int
# typedef void (*caffesta_progress_fn)(void *user_data, size_t done, size_t total);
caffesta_progress_fn = CFUNCTYPE(None, c_void_p, c_size_t, c_size_t)
# typedef void (*caffesta_log_fn)(void *user_data, const char *event_json);
caffesta_log_fn = CFUNCTYPE(None, c_void_p, c_char_p)
# caffesta_delivery is a C enum: an int.
caffesta_delivery = c_int


class caffesta_call(Structure):
    """The opaque struct caffesta_call; only pointers to it are ever used."""


caffesta_call_p = POINTER(caffesta_call)
# typedef void (*caffesta_done_fn)(void *user_data, caffesta_call *call);
caffesta_done_fn = CFUNCTYPE(None, c_void_p, caffesta_call_p)

_C = caffesta_client_p
_CALL = caffesta_call_p
_S = caffesta_status
_ID = c_longlong                # long long ids and timestamps
_JSON_OUT = POINTER(c_void_p)   # char **result_json: read with string_at, free once
_ID_OUT = POINTER(c_longlong)   # long long *id

# name: (restype, argtypes)
PROTOTYPES = {
'''

# kind: (annotation, conversion of {v} named {n})
KINDS = {
    "id": ("int", '_id({v}, "{n}")'),
    "timestamp": ("Timestamp", '_ts({v}, "{n}")'),
    "size": ("int", '_integer({v}, "{n}", _C_LONGLONG_MAX)'),
    "integer": ("int", '_integer({v}, "{n}", _C_INT_MAX)'),
    "milliseconds": ("float", '_milliseconds({v}, "{n}")'),
    "text": ("str", '_c_string({v}, "{n}")'),
    "ref_code": ("str", '_ref_code({v}, "{n}")'),
    "day": ("Day", '_day({v}, "{n}")'),
    "moment": ("Moment", '_moment({v}, "{n}")'),
}
BODIES = {"product": "_product", "invoice": "_document", "move": "_document", "order": "_order"}
ANSWERS = {"list": "List[Dict[str, Any]]", "object": "Dict[str, Any]", "any": "Any"}
ERRORS = {"INVALID_ARGUMENT": "InvalidArgumentError", "NETWORK": "NetworkError", "TIMEOUT": "CaffestaTimeoutError",
          "TLS": "TlsError", "UNAUTHORIZED": "AuthenticationError", "NOT_FOUND": "NotFoundError",
          "RATE_LIMITED": "RateLimitError", "SERVER": "ServerError", "API": "ApiError",
          "PROTOCOL": "ProtocolError", "HTTP": "HttpError", "NO_MEMORY": "NoMemoryError",
          "INTERNAL": "InternalError", "PARTIAL": "PartialError", "PROXY": "ProxyError",
          "CANCELLED": "CancelledError"}


def text(table, call):
    """The call's doc, and its errors, in Python's words."""
    def call_name(name):
        other = table.by_c[name]
        return "%s()" % (other.python or other.c)
    words = call.doc + (" %s%s." % (call.errors[0].upper(), call.errors[1:]) if call.errors else "")
    return reference(words, call_name, lambda status: ERRORS[status])


def param(p):
    """(the signature's parameter, the value passed to C)."""
    if p.flag:
        return "%s: bool = False" % p.py, '_flag(%s, "%s", b"%s")' % (p.py, p.py, p.flag)
    if p.kind == "json":
        if p.shape == "any":
            annotation, convert = "Any", '_json_text({v}, "{n}")'
        else:
            annotation, convert = "Mapping[str, Any]", BODIES.get(p.body, "_json_object") + '({v}, "{n}")'
    else:
        annotation, convert = KINDS[p.kind]
    value = convert.format(v=p.py, n=p.py)
    if p.default is not None and p.kind == "json":  # JSON text when left out: None in Python
        return "%s: Optional[%s] = None" % (p.py, annotation), '%s if %s is not None else b"%s"' % (
            value, p.py, p.default)
    if p.optional:
        default = "" if annotation == "Any" else "Optional[%s]" % annotation
        return "%s: %s = None" % (p.py, default or annotation), "%s if %s is not None else None" % (value, p.py)
    if p.default is not None:
        default = p.default / 1000 if p.kind == "milliseconds" else p.default
        return "%s: %s = %r" % (p.py, annotation, default), value
    return "%s: %s" % (p.py, annotation), value


def method(table, call):
    params = [param(p) for p in call.inputs]
    signature = ["self"] + (["*"] if call.get("keyword_only") else []) + [s for s, _ in params]
    returns = {"id": "int", "status": "None"}.get(call.result) or call.get("python_type") or ANSWERS[call.answer]
    head = aligned("    def %s(" % call.python, signature, ") -> %s:" % returns)
    doc = wrap(text(table, call), 96, '        """', "        ")
    doc[-1] += '"""'
    helper = {"json": "return self._json_call", "id": "return self._id_call", "status": "self._plain_call"}[call.result]
    body = aligned("        %s(" % helper, ['"%s"' % call.c] + [v for _, v in params], ")")
    return "\n".join([head] + doc + [body]) + "\n"


def argument_names(table, name=lambda p: p.py):
    """{C function: ((C name, the binding's name), ...)} where an argument is named otherwise than
    in C; `name` gives a parameter's name in the binding (Python's by default)."""
    names = {}
    for call in table.calls:
        if not (call.python or call.php):
            continue
        renamed = tuple((p.name, name(p)) for p in call.params if p.kind != "c" and name(p) != p.name and not p.flag)
        if renamed:
            names[call.c] = renamed
    return names


def endpoints(table):
    out = ['# %s\n"""The endpoint methods of caffesta.Client: one per plain call of include/caffesta.h, each\n'
           "converting its arguments (caffesta._convert) and calling the library through the core's\n"
           "_json_call, _id_call or _plain_call (caffesta._client). The calls written by hand are there:\n"
           'upsert_products, wait_for_order, the product iterators, request_text."""\n\n' % BANNER,
           "from __future__ import annotations\n\n",
           "from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional\n\n",
           "from ._convert import (\n    Day,\n    Moment,\n    Timestamp,\n    _c_string,\n    _day,\n    _document,\n"
           "    _flag,\n    _id,\n    _json_object,\n    _json_text,\n    _milliseconds,\n    _moment,\n    _order,\n"
           "    _product,\n    _ref_code,\n    _ts,\n)\n\n",
           "#: The C parameters a Python argument renames, per call: an InvalidArgumentError whose message\n"
           "#: starts with the C name is given the argument's (\"product_json needs ...\" -> \"product needs ...\").\n"
           "ARGUMENT_NAMES = {\n"]
    for name, pairs in argument_names(table).items():
        out.append('    "%s": (%s),\n' % (name, ", ".join('("%s", "%s")' % pair for pair in pairs) + ("," if len(pairs) == 1 else "")))
    out.append("}\n\n\nclass Endpoints:\n"
               '    """The plain calls of the header, as methods; caffesta.Client is one."""\n\n'
               "    if TYPE_CHECKING:\n"
               "        def _json_call(self, function: str, *args: Any) -> Any: ...\n"
               "        def _id_call(self, function: str, *args: Any) -> int: ...\n"
               "        def _plain_call(self, function: str, *args: Any) -> None: ...\n")
    for section, calls in table.in_sections():
        chosen = [c for c in calls if c.python and c.generated("python") and c.result != "setting"]
        if chosen:
            out.append("\n    # ---- %s %s\n" % (section, "-" * (88 - len(section))))
            out.extend("\n" + method(table, c) for c in chosen)
    return "".join(out)


def prototypes(table):
    out = [PROTOTYPES_HEAD % BANNER]
    for section, calls in table.in_sections():
        out.append("    # ---- %s ----\n" % section)
        for call in calls:
            restype = CTYPES[call.get("returns", "caffesta_status")]
            types = (["caffesta_client *"] if call.get("client", True) else []) + [p.c for p in call.params]
            types += ["char **"] if call.result == "json" else []
            out.append('    "%s": (%s, [%s]),\n' % (call.c, restype, ", ".join(CTYPES[t] for t in types)))
    out.append("}\n")
    return "".join(out)


def files(table):
    return {PACKAGE + "_prototypes.py": prototypes(table), PACKAGE + "_endpoints.py": endpoints(table)}
