"""The PHP binding's generated files: src/ClientTrait.php (one method per plain call, as Guzzle's
ClientTrait sits beside its Client), src/ClientInterface.php (every endpoint method, for test
doubles) and src/Status.php (the status values, from the header's enum)."""

from .table import BANNER, aligned, reference, wrap

SRC = "bindings/php/src/"

# kind: (PHP type, conversion of {v} named {n})
KINDS = {
    "id": ("int", "{v}"),
    "timestamp": ("int|\\DateTimeInterface", "Convert::ts({v})"),
    "size": ("int", "{v}"),
    "integer": ("int", "{v}"),
    "milliseconds": ("int", "Convert::cLong({v}, '{n}')"),
    "text": ("string", "Convert::text({v}, '{n}')"),
    "ref_code": ("string", "Convert::text({v}, '{n}')"),
    "day": ("string|\\DateTimeInterface", "Convert::day({v}, '{n}')"),
    "moment": ("string|\\DateTimeInterface", "Convert::moment({v}, '{n}')"),
}
ANSWERS = {"list": ("array", "list<array<string, mixed>>"), "object": ("array", "array<string, mixed>"),
           "any": ("mixed", "mixed the answer's data")}
ERRORS = {"INVALID_ARGUMENT": "InvalidArgumentException", "NETWORK": "NetworkException",
          "TIMEOUT": "TimeoutException", "TLS": "TlsException", "UNAUTHORIZED": "AuthenticationException",
          "NOT_FOUND": "NotFoundException", "RATE_LIMITED": "RateLimitException", "SERVER": "ServerException",
          "API": "ApiException", "PROTOCOL": "ProtocolException", "HTTP": "HttpException",
          "NO_MEMORY": "NoMemoryException", "INTERNAL": "InternalException", "PARTIAL": "PartialException",
          "PROXY": "ProxyException", "CANCELLED": "CancelledException"}


def snake(name):
    """timeoutMs -> timeout_ms: how messages name a PHP argument (as the options are named)."""
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


def text(table, call):
    def call_name(name):
        other = table.by_c[name]
        return "%s()" % (other.php or other.c)
    words = call.doc + (" %s%s." % (call.errors[0].upper(), call.errors[1:]) if call.errors else "")
    return reference(words, call_name, lambda status: ERRORS[status])


def param(p):
    """(the signature's parameter, the value passed to C, a @param line or None)."""
    var = "$" + p.php
    if p.flag:
        return "bool %s = false" % var, "%s ? '%s' : null" % (var, p.flag), None
    if p.kind == "json":
        value = "Convert::body(%s, '%s'%s)" % (var, p.py, ", '%s'" % p.body if p.body else "")
        if p.optional:
            return "?array %s = null" % var, "%s === null ? null : %s" % (var, value), \
                "@param array<mixed>|null %s" % var
        default = " = []" if p.default is not None else ""
        return "array %s%s" % (var, default), value, "@param array<string, mixed> %s" % var
    php_type, convert = KINDS[p.kind]
    value = convert.format(v=var, n=p.py)
    if p.optional:
        return "%s|null %s = null" % (php_type, var), "%s === null ? null : %s" % (var, value), None
    if p.default is not None:
        default = "{:_}".format(p.default) if isinstance(p.default, int) and p.default >= 10000 else repr(p.default)
        return "%s %s = %s" % (php_type, var, default), value, None
    return "%s %s" % (php_type, var), value, None


# Every endpoint method's last argument: this call's own options (Client::callOptions() checks
# them and runs the call under a caffesta_call object), as Guzzle's request methods take $options.
OPTIONS = ("array $options = []", None,
           "@param array{timeout_ms?: int} $options this call's own: timeout_ms (within the client's)")


def returns(call):
    """(the PHP return type, the @return annotation or None)."""
    if call.result == "id":
        return "int", None
    if call.result == "status":
        return "void", None
    php_type, doc = ANSWERS[call.answer]
    return php_type, call.get("php_type") or doc


def docblock(table, call, params, annotation, indent="    "):
    lines = [indent + "/**"] + wrap(text(table, call), 100, indent + " * ", indent + " * ")
    lines += [indent + " * " + line for _, _, line in params if line]
    if annotation:
        lines.append(indent + " * @return " + annotation)
    lines.append(indent + " * @throws CaffestaException")
    return lines + [indent + " */"]


def signature(call, params):
    php_type, _ = returns(call)
    head = "public function %s(%s): %s" % (call.php, ", ".join(s for s, _, _ in params), php_type)
    if len(head) + 4 > 110:
        head = "public function %s(\n        %s,\n    ): %s" % (call.php, ",\n        ".join(s for s, _, _ in params), php_type)
    return head


def method(table, call):
    params = [param(p) for p in call.inputs]
    php_type, annotation = returns(call)
    helper = {"json": "return $this->jsonCall", "id": "return $this->idCall", "status": "$this->plainCall"}[call.result]
    args = ["'%s'" % call.c, "$options"] + [v for _, v, _ in params]
    params.append(OPTIONS)
    body = "        %s(%s);" % (helper, ", ".join(args))
    if len(body) > 110:
        body = "        %s(%s, %s,\n            %s);" % (helper, args[0], args[1], ",\n            ".join(args[2:]))
    return "\n".join(docblock(table, call, params, annotation) + ["    " + signature(call, params), "    {", body, "    }"]) + "\n"


def endpoint_calls(table):
    return [c for c in table.calls if c.php and c.generated("php") and c.result != "setting"]


def trait(table):
    out = ["<?php // %s\n\ndeclare(strict_types=1);\n\nnamespace Caffesta;\n\n"
           "use Caffesta\\Exception\\CaffestaException;\n\n"
           "/**\n * The endpoint methods of Client: one per plain call of include/caffesta.h, each converting its\n"
           " * arguments (Convert, Body) and calling the library through Client's jsonCall(), idCall() or\n"
           " * plainCall(), as Guzzle's ClientTrait sits beside its Client; the last argument, $options, is\n"
           " * the call's own (['timeout_ms' => 2000]). The calls written by hand are in Client\n"
           " * (waitForOrder, the product iterators) and BulkUpsert (upsertProducts).\n"
           " * @internal use Client, or ClientInterface for a test double\n */\n"
           "trait ClientTrait\n{\n" % BANNER,
           "    /**\n     * The C parameters an argument of this binding renames, per call: an InvalidArgumentException\n"
           "     * whose message starts with the C name is given the argument's (\"product_json needs ...\" ->\n"
           "     * \"product needs ...\"); messages name arguments in snake_case, as the options are.\n"
           "     * @var array<string, array<string, string>>\n     */\n"
           "    private static array $argumentNames = [\n"]
    from .python import argument_names
    for name, pairs in argument_names(table, lambda p: snake(p.php)).items():
        out.append("        '%s' => [%s],\n" % (name, ", ".join("'%s' => '%s'" % pair for pair in pairs)))
    out.append("    ];\n\n"
               "    abstract private function jsonCall(string $function, array $options, mixed ...$arguments): mixed;\n\n"
               "    abstract private function idCall(string $function, array $options, mixed ...$arguments): int;\n\n"
               "    abstract private function plainCall(string $function, array $options, mixed ...$arguments): void;\n")
    for section, calls in table.in_sections():
        chosen = [c for c in calls if c in endpoint_calls(table)]
        if chosen:
            out.append("\n    // ---- %s %s\n" % (section, "-" * (88 - len(section))))
            out.extend("\n" + method(table, c) for c in chosen)
    out.append("}\n")
    return "".join(out)


def interface(table):
    out = ["<?php // %s\n\ndeclare(strict_types=1);\n\nnamespace Caffesta;\n\n"
           "use Caffesta\\Exception\\CaffestaException;\n\n"
           "/**\n * Every endpoint method of Client, so that a shop's own tests can replace the client with a\n"
           " * test double (a PHPUnit mock, or a class of its own: bindings/php/README.md shows one) and its\n"
           " * code can type against this interface. Client is final and implements it.\n */\n"
           "interface ClientInterface\n{\n" % BANNER]
    seen = set()
    for section, calls in table.in_sections():
        chosen = []
        for call in calls:
            if not call.php or call.result == "setting" or call.php in seen or "::" in call.php:
                continue
            if call in endpoint_calls(table):
                params = [param(p) for p in call.inputs] + [OPTIONS]
                chosen.append("\n".join(docblock(table, call, params, returns(call)[1])
                                        + ["    " + signature(call, params) + ";"]))
            elif call.get("php_signature"):
                lines = ["    /**"] + wrap(text(table, call), 100, "     * ", "     * ") + ["     */"]
                chosen.append("\n".join(lines + ["    public function %s;" % call.get("php_signature")]))
            else:
                continue
            seen.add(call.php)
            for extra in call.get("php_also", []):
                chosen.append("    /** Written by hand beside %s(): see Client. */\n    public function %s;"
                              % (call.php, extra))
        if chosen:
            out.append("%s    // ---- %s %s\n\n" % ("" if out[-1].endswith("{\n") else "\n", section, "-" * (88 - len(section))))
            out.append("\n\n".join(chosen) + "\n")
    out.append("\n    // ---- The client itself %s\n\n" % ("-" * 73))
    out.append("    /** The server this client calls: the base_url option, else https://{accountName}.caffesta.com. */\n"
               "    public function baseUrl(): string;\n\n"
               "    /** Whether this persistent client took over the connections of an earlier one in this process. */\n"
               "    public function isReused(): bool;\n\n"
               "    /** Stops the upsertProducts() that is running, and calls another thread runs on this client. */\n"
               "    public function cancel(): void;\n\n"
               "    /** Frees the client and closes its connections. Safe to call more than once. */\n"
               "    public function close(): void;\n}\n")
    return "".join(out)


def status(header_path):
    from . import header
    values = header.enum(header_path, "caffesta_status")
    out = ["<?php // %s\n\ndeclare(strict_types=1);\n\nnamespace Caffesta;\n\n"
           "/**\n * The values of enum caffesta_status (include/caffesta.h) by name, as an exception's getCode()\n"
           " * gives them: $e->getCode() === Status::NOT_FOUND. Never renumbered.\n */\n"
           "final class Status\n{\n" % BANNER]
    for name, value in values:
        out.append("    public const %s = %d;\n" % (name.replace("CAFFESTA_ERR_", "").replace("CAFFESTA_", ""), value))
    out.append("\n    private function __construct()\n    {\n    }\n}\n")
    return "".join(out)


def files(table, header_path):
    return {SRC + "ClientTrait.php": trait(table), SRC + "ClientInterface.php": interface(table),
            SRC + "Status.php": status(header_path)}
