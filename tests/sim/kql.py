# kql.py - a small evaluator for the part of the Kusto Query Language that
# Azure Resource Graph clients send: a table, then where / extend / project
# / project-away / take / limit / top / order by / sort by / mv-expand /
# distinct / count / summarize, over rows that are plain dicts. Not Kusto:
# no joins, no let, no datetime arithmetic beyond ago(); anything else is
# refused with an error naming where the text stopped making sense.
"""KQL subset for the Resource Graph simulator (standard library only).

  q = kql.parse(text)            -> Query, or raises KqlError
  rows = q.run({"securityresources": rows, "resources": rows})
  q.columns                      the output columns, in order
  q.limited                      True when the query has take/limit/top

KqlError has .syntax (True for a parser failure, False for a name or
function that does not resolve), .line, .pos (character position in the
line, 0-based) and .token, as Resource Graph's ParserFailure details carry.

Semantics followed (learn.microsoft.com, Kusto query language reference):
==/!= compare case-sensitively, =~/!~ without case; has, contains,
startswith and endswith ignore case (has matches whole terms); in and !in
are case-sensitive, in~ and !in~ not; a missing property of a dynamic
value is null; order by sorts descending unless asc is given, nulls last
when descending and first when ascending; tostring(null) is "".
"""

import datetime
import json
import re

TABLE_COLUMNS = ["id", "name", "type", "tenantId", "kind", "location",
                 "resourceGroup", "subscriptionId", "managedBy", "sku",
                 "plan", "properties", "tags", "identity", "zones",
                 "extendedLocation"]
MAX_QUERY = 64 * 1024


class KqlError(Exception):
    def __init__(self, message, syntax=True, line=1, pos=0, token=""):
        Exception.__init__(self, message)
        self.syntax = syntax
        self.line = line
        self.pos = pos
        self.token = token


# ---------------------------------------------------------------- tokens

TOKEN_RE = re.compile(r"""
  (?P<ws>\s+|//[^\n]*)
| (?P<str>@?'(?:[^'\\\n]|\\.)*'|@?"(?:[^"\\\n]|\\.)*")
| (?P<span>\d+(?:\.\d+)?(?:ms|d|h|m|s)\b)
| (?P<num>\d+\.\d*|\d*\.\d+|\d+)
| (?P<op>!in~|!in\b|in~|!has\b|!contains\b|!startswith\b|!endswith\b
      |==|!=|=~|!~|<=|>=|<|>|=|\(|\)|\[|\]|,|\.|\||\+|-|\*|/|%)
| (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z]+)?)
""", re.X)

KEYWORD_OPS = {"and", "or", "has", "contains", "startswith", "endswith",
               "in", "has_cs", "contains_cs", "startswith_cs",
               "endswith_cs"}


class Tok:
    def __init__(self, kind, text, line, pos):
        self.kind = kind
        self.text = text
        self.line = line
        self.pos = pos


def tokenize(text):
    out = []
    i = 0
    line, line_start = 1, 0
    while i < len(text):
        m = TOKEN_RE.match(text, i)
        if not m:
            raise KqlError("unexpected character", True, line,
                           i - line_start, text[i:i + 20])
        kind = m.lastgroup
        s = m.group(kind)
        if kind != "ws":
            if kind == "name" and "-" in s and s.lower() not in (
                    "mv-expand", "project-away", "project-keep"):
                # "a-b" is a subtraction, not one name
                s = s.split("-", 1)[0]
            out.append(Tok(kind, s, line, i - line_start))
        for k, ch in enumerate(s):
            if ch == "\n":
                line += 1
                line_start = i + k + 1
        i += len(s)
    out.append(Tok("eof", "<EOF>", line, i - line_start))
    return out


def unquote(s):
    if s.startswith("@"):
        return s[2:-1]
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(
        m.group(1), m.group(1)), body)


def span_seconds(s):
    m = re.match(r"^(\d+(?:\.\d+)?)(ms|d|h|m|s)$", s)
    n = float(m.group(1))
    return n * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[
        m.group(2)]


# ---------------------------------------------------------------- values

def is_dynamic(v):
    return isinstance(v, (dict, list)) or v is None


def to_str(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    if isinstance(v, datetime.datetime):
        return iso(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def to_datetime(v):
    if isinstance(v, datetime.datetime):
        return v
    if not isinstance(v, str) or not v:
        return None
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z?$", v)
    if not m:
        return None
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    frac = float(m.group(2) or 0)
    return t.replace(tzinfo=datetime.timezone.utc) + datetime.timedelta(
        seconds=frac)


def to_number(v, integral=False):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return int(v) if integral else v
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return None
        return int(f) if integral else f
    return None


def has_term(hay, needle, cs=False):
    """Kusto's has: needle found at term boundaries (ignoring case unless
    cs)."""
    h, n = to_str(hay), to_str(needle)
    if not cs:
        h, n = h.lower(), n.lower()
    if not n:
        return True
    start = 0
    while True:
        i = h.find(n, start)
        if i < 0:
            return False
        left_ok = not n[0].isalnum() or i == 0 or not h[i - 1].isalnum()
        j = i + len(n)
        right_ok = not n[-1].isalnum() or j == len(h) or not h[j].isalnum()
        if left_ok and right_ok:
            return True
        start = i + 1


def equal(a, b):
    if a is None or b is None:
        return False
    if isinstance(a, datetime.datetime) or isinstance(b, datetime.datetime):
        return to_datetime(a) == to_datetime(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return a == b
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a == b
    return to_str(a) == to_str(b)


def order_value(a, b):
    """-1, 0, 1 or None (not comparable)."""
    if a is None or b is None:
        return None
    da, db = to_datetime(a), to_datetime(b)
    if isinstance(a, datetime.datetime) or isinstance(b, datetime.datetime):
        if da is None or db is None:
            return None
        return (da > db) - (da < db)
    na, nb = to_number(a), to_number(b)
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        if na is None or nb is None:
            return None
        return (na > nb) - (na < nb)
    sa, sb = to_str(a), to_str(b)
    return (sa > sb) - (sa < sb)


def sort_key(v):
    if v is None:
        return (0, 0)
    if isinstance(v, bool):
        return (1, int(v))
    if isinstance(v, (int, float)):
        return (1, v)
    if isinstance(v, datetime.datetime):
        return (2, v.timestamp())
    return (3, to_str(v))


# ---------------------------------------------------------------- functions

def f_extract(args):
    rx, group, text = args[0], to_number(args[1], True), args[2]
    try:
        m = re.search(to_str(rx).replace("(?i)", ""), to_str(text),
                      re.I if "(?i)" in to_str(rx) else 0)
    except re.error:
        return None
    if not m or group is None or group > (m.re.groups or 0):
        return "" if not m else None
    return m.group(group) or ""


def f_split(args):
    parts = to_str(args[0]).split(to_str(args[1])) if to_str(args[1]) \
        else [to_str(args[0])]
    if len(args) > 2:
        i = to_number(args[2], True)
        return [parts[i]] if i is not None and 0 <= i < len(parts) else []
    return parts


def f_substring(args):
    s = to_str(args[0])
    start = to_number(args[1], True) or 0
    if len(args) > 2:
        n = to_number(args[2], True)
        return s[start:start + (n or 0)]
    return s[start:]


def f_iff(args):
    return args[1] if args[0] is True else args[2]


def f_ago(args):
    if not isinstance(args[0], datetime.timedelta):
        return None
    return datetime.datetime.now(datetime.timezone.utc) - args[0]


def f_array_length(args):
    return len(args[0]) if isinstance(args[0], list) else None


FUNCTIONS = {
    # name: (min args, max args, fn)
    "tostring": (1, 1, lambda a: to_str(a[0])),
    "tolower": (1, 1, lambda a: to_str(a[0]).lower()),
    "toupper": (1, 1, lambda a: to_str(a[0]).upper()),
    "strlen": (1, 1, lambda a: len(to_str(a[0]))),
    "isempty": (1, 1, lambda a: to_str(a[0]) == ""),
    "isnotempty": (1, 1, lambda a: to_str(a[0]) != ""),
    "isnull": (1, 1, lambda a: a[0] is None),
    "isnotnull": (1, 1, lambda a: a[0] is not None),
    "strcat": (1, 64, lambda a: "".join(to_str(x) for x in a)),
    "coalesce": (2, 64, lambda a: next(
        (x for x in a if x is not None and x != ""), None)),
    "extract": (3, 3, f_extract),
    "split": (2, 3, f_split),
    "substring": (2, 3, f_substring),
    "toint": (1, 1, lambda a: to_number(a[0], True)),
    "tolong": (1, 1, lambda a: to_number(a[0], True)),
    "todouble": (1, 1, lambda a: to_number(a[0])),
    "toreal": (1, 1, lambda a: to_number(a[0])),
    "todatetime": (1, 1, lambda a: to_datetime(a[0])),
    "todynamic": (1, 1, lambda a: a[0]),
    "not": (1, 1, lambda a: not truthy(a[0])),
    "iff": (3, 3, f_iff),
    "iif": (3, 3, f_iff),
    "array_length": (1, 1, f_array_length),
    "ago": (1, 1, f_ago),
    "now": (0, 0, lambda a: datetime.datetime.now(datetime.timezone.utc)),
}
AGGREGATES = {"count", "countif", "dcount", "make_set", "make_list", "min",
              "max", "sum", "any", "take_any", "arg_max"}


def truthy(v):
    return v is True


# ---------------------------------------------------------------- AST

class Expr:
    """kind: lit, col, get (base, key expr), call, bin, neg, list."""

    def __init__(self, kind, *args, tok=None):
        self.kind = kind
        self.args = args
        self.tok = tok

    def name(self):
        """The column name Kusto gives this expression, or None."""
        if self.kind == "col":
            return self.args[0]
        if self.kind == "get":
            base = self.args[0].name()
            key = self.args[1]
            if base and key.kind == "lit" and isinstance(key.args[0], str):
                return base + "_" + key.args[0]
        return None

    def eval(self, row):
        k = self.kind
        if k == "lit":
            return self.args[0]
        if k == "col":
            return row.get(self.args[0])
        if k == "get":
            base = self.args[0].eval(row)
            key = self.args[1].eval(row)
            if isinstance(base, dict) and isinstance(key, str):
                return base.get(key)
            if isinstance(base, list) and isinstance(key, int) and \
                    not isinstance(key, bool):
                if -len(base) <= key < len(base):
                    return base[key]
            return None
        if k == "neg":
            v = to_number(self.args[0].eval(row))
            return -v if v is not None else None
        if k == "list":
            out = []
            for e in self.args:
                v = e.eval(row)
                out.extend(v if isinstance(v, list) else [v])
            return out
        if k == "call":
            name, args = self.args[0], self.args[1]
            return FUNCTIONS[name][2]([a.eval(row) for a in args])
        if k == "bin":
            return binop(self.args[0], self.args[1], self.args[2], row)
        raise KqlError("cannot evaluate", False)


def binop(op, left, right, row):
    if op == "and":
        return truthy(left.eval(row)) and truthy(right.eval(row))
    if op == "or":
        return truthy(left.eval(row)) or truthy(right.eval(row))
    a, b = left.eval(row), right.eval(row)
    if op in ("in", "!in", "in~", "!in~"):
        vals = b if isinstance(b, list) else [b]
        if op.endswith("~"):
            hit = any(to_str(a).lower() == to_str(x).lower() for x in vals
                      if x is not None) and a is not None
        else:
            hit = any(equal(a, x) for x in vals)
        return hit if not op.startswith("!") else not hit
    if op == "==":
        return equal(a, b)
    if op == "!=":
        if a is None and b is None:
            return False
        return not equal(a, b)
    if op == "=~":
        return a is not None and b is not None and \
            to_str(a).lower() == to_str(b).lower()
    if op == "!~":
        return to_str(a).lower() != to_str(b).lower()
    neg = op.startswith("!")
    base = op.lstrip("!")
    if base in ("has", "contains", "startswith", "endswith", "has_cs",
                "contains_cs", "startswith_cs", "endswith_cs"):
        cs = base.endswith("_cs")
        base = base[:-3] if cs else base
        h, n = to_str(a), to_str(b)
        if not cs:
            h, n = h.lower(), n.lower()
        r = {"has": lambda: has_term(h, n, cs),
             "contains": lambda: n in h,
             "startswith": lambda: h.startswith(n),
             "endswith": lambda: h.endswith(n)}[base]()
        return not r if neg else r
    if op in ("<", "<=", ">", ">="):
        c = order_value(a, b)
        if c is None:
            return False
        return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]
    if op in ("+", "-", "*", "/", "%"):
        if isinstance(a, datetime.datetime) and \
                isinstance(b, datetime.timedelta):
            return a + b if op == "+" else a - b if op == "-" else None
        x, y = to_number(a), to_number(b)
        if x is None or y is None:
            return None
        if op in ("/", "%") and y == 0:
            return None
        if op == "/" and isinstance(x, int) and isinstance(y, int):
            return int(x / y)
        return {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else None,
                "%": x % y}[op]
    raise KqlError("unknown operator %s" % op, False)


# ---------------------------------------------------------------- parser

class Parser:
    def __init__(self, text):
        self.toks = tokenize(text)
        self.i = 0
        self.columns = []

    @property
    def cur(self):
        return self.toks[self.i]

    def fail(self, tok=None, syntax=True, message="ParserFailure"):
        t = tok or self.cur
        raise KqlError(message, syntax, t.line, t.pos, t.text)

    def take(self, text=None, kind=None):
        t = self.cur
        if text is not None and t.text.lower() != text:
            self.fail(t)
        if kind is not None and t.kind != kind:
            self.fail(t)
        self.i += 1
        return t

    def at(self, *texts):
        return self.cur.kind in ("op", "name") and \
            self.cur.text.lower() in texts

    # -- query
    def query(self):
        ops = []
        t = self.cur
        need_pipe = True
        if t.kind == "name" and t.text.lower() in ("securityresources",
                                                   "resources"):
            table = t.text.lower()
            self.i += 1
        elif t.kind == "name" and t.text.lower() in STAGES:
            table = "resources"  # Resource Graph's default table
            need_pipe = False
        else:
            self.fail(t, syntax=t.kind != "name",
                      message="The name '%s' does not refer to any known "
                      "table, tabular variable or function." % t.text)
        self.columns = list(TABLE_COLUMNS)
        while self.cur.kind != "eof":
            if need_pipe:
                self.take("|")
            need_pipe = True
            name = self.take(kind="name")
            stage = STAGES.get(name.text.lower())
            if not stage:
                self.fail(name)
            ops.append(stage(self, name))
        return table, ops

    # -- expressions
    def expr(self):
        return self.or_expr()

    def or_expr(self):
        left = self.and_expr()
        while self.at("or"):
            t = self.take()
            left = Expr("bin", "or", left, self.and_expr(), tok=t)
        return left

    def and_expr(self):
        left = self.cmp_expr()
        while self.at("and"):
            t = self.take()
            left = Expr("bin", "and", left, self.cmp_expr(), tok=t)
        return left

    CMP = ("==", "!=", "=~", "!~", "<", "<=", ">", ">=", "has", "!has",
           "contains", "!contains", "startswith", "!startswith",
           "endswith", "!endswith", "has_cs", "contains_cs",
           "startswith_cs", "endswith_cs", "in", "!in", "in~", "!in~")

    def cmp_expr(self):
        left = self.add_expr()
        if self.cur.kind in ("op", "name") and \
                self.cur.text.lower() in self.CMP:
            t = self.take()
            op = t.text.lower()
            if op in ("in", "!in", "in~", "!in~"):
                self.take("(")
                items = [self.expr()]
                while self.at(","):
                    self.take(",")
                    items.append(self.expr())
                self.take(")")
                return Expr("bin", op, left, Expr("list", *items), tok=t)
            return Expr("bin", op, left, self.add_expr(), tok=t)
        return left

    def add_expr(self):
        left = self.mul_expr()
        while self.at("+", "-"):
            t = self.take()
            left = Expr("bin", t.text, left, self.mul_expr(), tok=t)
        return left

    def mul_expr(self):
        left = self.unary()
        while self.at("*", "/", "%"):
            t = self.take()
            left = Expr("bin", t.text, left, self.unary(), tok=t)
        return left

    def unary(self):
        if self.at("-"):
            t = self.take()
            return Expr("neg", self.unary(), tok=t)
        return self.postfix(self.primary())

    def postfix(self, e):
        while True:
            if self.at("."):
                self.take(".")
                t = self.take(kind="name")
                e = Expr("get", e, Expr("lit", t.text), tok=t)
            elif self.at("["):
                t = self.take("[")
                key = self.expr()
                self.take("]")
                e = Expr("get", e, key, tok=t)
            else:
                return e

    def primary(self):
        t = self.cur
        if t.kind == "str":
            self.i += 1
            return Expr("lit", unquote(t.text), tok=t)
        if t.kind == "num":
            self.i += 1
            v = float(t.text) if "." in t.text else int(t.text)
            return Expr("lit", v, tok=t)
        if t.kind == "span":
            self.i += 1
            return Expr("lit", datetime.timedelta(
                seconds=span_seconds(t.text)), tok=t)
        if self.at("("):
            self.take("(")
            e = self.expr()
            self.take(")")
            return e
        if t.kind == "name":
            low = t.text.lower()
            if low in ("true", "false"):
                self.i += 1
                return Expr("lit", low == "true", tok=t)
            if low == "null":
                self.i += 1
                return Expr("lit", None, tok=t)
            if low == "dynamic":
                self.i += 1
                return self.dynamic_literal()
            if self.toks[self.i + 1].text == "(":
                return self.call()
            if t.text in KEYWORD_OPS:
                self.fail(t)
            self.i += 1
            if t.text not in self.columns:
                self.fail(t, syntax=False, message="Failed to resolve "
                          "scalar expression named '%s'" % t.text)
            return Expr("col", t.text, tok=t)
        self.fail(t)

    def dynamic_literal(self):
        t = self.take("(")
        depth, j = 1, self.i
        while depth and self.toks[j].kind != "eof":
            depth += {"(": 1, ")": -1}.get(self.toks[j].text, 0)
            j += 1
        if depth:
            self.fail(self.toks[j])
        text = " ".join(x.text for x in self.toks[self.i:j - 1])
        self.i = j
        try:
            return Expr("lit", json.loads(text.replace("'", '"')), tok=t)
        except ValueError:
            self.fail(t)

    def call(self, aggregates=False):
        t = self.take(kind="name")
        name = t.text.lower()
        self.take("(")
        args = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.take(",")
                args.append(self.expr())
        self.take(")")
        if aggregates and name in AGGREGATES:
            return Expr("agg", name, args, tok=t)
        spec = FUNCTIONS.get(name)
        if not spec:
            self.fail(t, syntax=False, message="Failed to resolve scalar "
                      "expression named '%s'" % t.text)
        if not spec[0] <= len(args) <= spec[1]:
            self.fail(t, syntax=False, message="function '%s' expects %d "
                      "to %d arguments" % (name, spec[0], spec[1]))
        return Expr("call", name, args, tok=t)

    def named_list(self, allow_unnamed=True):
        """NAME = EXPR or EXPR, comma separated: [(name, expr), ...]."""
        out = []
        n = 0
        while True:
            t = self.cur
            if t.kind == "name" and self.toks[self.i + 1].text == "=":
                self.i += 2
                out.append((t.text, self.expr()))
            else:
                e = self.expr()
                name = e.name()
                if not name:
                    if not allow_unnamed:
                        self.fail(t)
                    n += 1
                    name = "Column%d" % n
                out.append((name, e))
            if not self.at(","):
                return out
            self.take(",")

    def count_literal(self):
        t = self.take(kind="num")
        if "." in t.text:
            self.fail(t)
        return int(t.text)


# -- stages: each parses its arguments and returns fn(rows) -> rows

def st_where(p, tok):
    e = p.expr()
    return lambda rows: [r for r in rows if truthy(e.eval(r))]


def st_extend(p, tok):
    items = p.named_list()
    for name, _ in items:
        if name not in p.columns:
            p.columns.append(name)

    def run(rows):
        out = []
        for r in rows:
            r = dict(r)
            for name, e in items:
                r[name] = e.eval(r)
            out.append(r)
        return out
    return run


def st_project(p, tok):
    items = p.named_list()
    p.columns = [n for n, _ in items]
    return lambda rows: [{n: e.eval(r) for n, e in items} for r in rows]


def st_project_away(p, tok):
    names = [p.take(kind="name").text]
    while p.at(","):
        p.take(",")
        names.append(p.take(kind="name").text)
    for n in names:
        if n not in p.columns:
            p.fail(tok, syntax=False, message="Failed to resolve scalar "
                   "expression named '%s'" % n)
    p.columns = [c for c in p.columns if c not in names]
    return lambda rows: [{k: v for k, v in r.items() if k not in names}
                         for r in rows]


def st_take(p, tok):
    n = p.count_literal()
    p.limited = True
    return lambda rows: rows[:n]


def order_terms(p):
    terms_ = []
    while True:
        e = p.expr()
        desc = True
        if p.at("asc", "desc"):
            desc = p.take().text.lower() == "desc"
        nulls_last = desc
        if p.at("nulls"):
            p.take()
            nulls_last = p.take().text.lower() == "last"
        terms_.append((e, desc, nulls_last))
        if not p.at(","):
            return terms_
        p.take(",")


def sort_rows(rows, terms_):
    rows = list(rows)
    for e, desc, nulls_last in reversed(terms_):
        vals = [(e.eval(r), r) for r in rows]
        present = [x for x in vals if x[0] is not None]
        absent = [x for x in vals if x[0] is None]
        present.sort(key=lambda x: sort_key(x[0]), reverse=desc)
        both = present + absent if nulls_last else absent + present
        rows = [r for _, r in both]
    return rows


def st_order(p, tok):
    p.take("by")
    terms_ = order_terms(p)
    return lambda rows: sort_rows(rows, terms_)


def st_top(p, tok):
    n = p.count_literal()
    p.take("by")
    terms_ = order_terms(p)
    p.limited = True
    return lambda rows: sort_rows(rows, terms_)[:n]


def st_mv_expand(p, tok):
    t = p.cur
    if t.kind == "name" and p.toks[p.i + 1].text == "=":
        p.i += 2
        name, e = t.text, p.expr()
    else:
        e = p.expr()
        name = e.name()
        if not name:
            p.fail(t)
    if name not in p.columns:
        p.columns.append(name)

    def run(rows):
        out = []
        for r in rows:
            v = e.eval(r)
            if isinstance(v, dict):
                v = [{k: x} for k, x in v.items()]
            if not isinstance(v, list):
                v = [v]
            for x in v:
                nr = dict(r)
                nr[name] = x
                out.append(nr)
        return out
    return run


def st_count(p, tok):
    p.columns = ["Count"]
    return lambda rows: [{"Count": len(rows)}]


def st_distinct(p, tok):
    items = p.named_list()
    p.columns = [n for n, _ in items]

    def run(rows):
        seen, out = set(), []
        for r in rows:
            row = {n: e.eval(r) for n, e in items}
            key = json.dumps(row, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                out.append(row)
        return out
    return run


def aggregate(name, args, rows):
    vals = [a.eval(r) for r in rows for a in args[:1]]
    if name == "count":
        return len(rows)
    if name == "countif":
        return sum(1 for r in rows if truthy(args[0].eval(r)))
    if name == "dcount":
        return len({json.dumps(v, sort_keys=True, default=str)
                    for v in vals if v is not None})
    if name in ("make_set", "make_list"):
        out = []
        for v in vals:
            if v is None or (name == "make_set" and v in out):
                continue
            out.append(v)
        return out
    present = [v for v in vals if v is not None]
    if name in ("min", "max"):
        if not present:
            return None
        return (min if name == "min" else max)(present, key=sort_key)
    if name == "sum":
        return sum(to_number(v) or 0 for v in present)
    return present[0] if present else None


def st_summarize(p, tok):
    aggs = []
    while not p.at("by") and p.cur.kind != "eof" and not p.at("|"):
        t = p.cur
        name = None
        if t.kind == "name" and p.toks[p.i + 1].text == "=":
            p.i += 2
            name = t.text
        if p.cur.kind != "name" or p.toks[p.i + 1].text != "(":
            p.fail()
        e = p.call(aggregates=True)
        if e.kind != "agg":
            p.fail(e.tok, syntax=False, message="summarize needs an "
                   "aggregation function, not '%s'" % e.args[0])
        if not name:
            name = e.args[0] + "_"
            if e.args[1] and e.args[1][0].name():
                name = "%s_%s" % (e.args[0], e.args[1][0].name())
        aggs.append((name, e))
        if not p.at(","):
            break
        p.take(",")
    keys = []
    if p.at("by"):
        p.take("by")
        keys = p.named_list(allow_unnamed=False)
    p.columns = [k for k, _ in keys] + [a for a, _ in aggs]

    def run(rows):
        groups = {}
        order = []
        for r in rows:
            kv = tuple(json.dumps(e.eval(r), sort_keys=True, default=str)
                       for _, e in keys)
            if kv not in groups:
                groups[kv] = []
                order.append(kv)
            groups[kv].append(r)
        if not keys and not rows:
            groups[()] = []
            order.append(())
        out = []
        for kv in order:
            g = groups[kv]
            row = {k: e.eval(g[0]) for k, e in keys} if g else {}
            for name, e in aggs:
                row[name] = aggregate(e.args[0], e.args[1], g)
            out.append(row)
        return out
    return run


STAGES = {"where": st_where, "filter": st_where, "extend": st_extend,
          "project": st_project, "project-away": st_project_away,
          "take": st_take, "limit": st_take, "top": st_top,
          "order": st_order, "sort": st_order, "mv-expand": st_mv_expand,
          "count": st_count, "distinct": st_distinct,
          "summarize": st_summarize}


class Query:
    def __init__(self, table, ops, columns, limited):
        self.table = table
        self.ops = ops
        self.columns = columns
        self.limited = limited

    def run(self, tables):
        rows = [dict(r) for r in tables.get(self.table, [])]
        for op in self.ops:
            rows = op(rows)
        cols = self.columns
        return [{c: plain(r.get(c)) for c in cols} for r in rows]


def plain(v):
    """A value as JSON carries it."""
    if isinstance(v, datetime.datetime):
        return iso(v)
    if isinstance(v, datetime.timedelta):
        s = int(v.total_seconds())
        return "%02d:%02d:%02d" % (s // 3600, s % 3600 // 60, s % 60)
    return v


def parse(text):
    if not isinstance(text, str) or not text.strip():
        raise KqlError("Query is missing.", True, 1, 0, "<EOF>")
    if len(text) > MAX_QUERY:
        raise KqlError("Query is too long.", True, 1, 0, "")
    p = Parser(text)
    p.limited = False
    table, ops = p.query()
    return Query(table, ops, list(p.columns), p.limited)


def column_type(values):
    """Resource Graph's column type for the table result format."""
    kinds = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("integer")
        elif isinstance(v, float):
            kinds.add("number")
        elif isinstance(v, str):
            kinds.add("string")
        else:
            kinds.add("object")
    if len(kinds) == 1:
        return kinds.pop()
    return "object"
