"""The shape the codebase keeps (docs/architecture.md): small files, short functions, one transaction idiom."""
import ast
import pathlib
import re
import statistics

SHOP = pathlib.Path(__file__).resolve().parent.parent / "shop"
SOURCES = sorted(SHOP.rglob("*.py"))
MAX_FILE_LINES = 400
MAX_MEDIAN_FUNCTION_LINES = 6


def function_lengths():
    """Lines of every function and method body in shop/, docstring included, decorators excluded."""
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node.end_lineno - node.lineno + 1


def test_no_file_is_over_400_lines():
    long = {str(p.relative_to(SHOP)): n for p in SOURCES if (n := len(p.read_text(encoding="utf-8").splitlines()))
            > MAX_FILE_LINES}
    assert long == {}


def test_median_function_is_short():
    assert statistics.median(function_lengths()) <= MAX_MEDIAN_FUNCTION_LINES


def test_views_never_commit():
    offenders = [str(p.relative_to(SHOP)) for p in SHOP.rglob("views.py")
                 if re.search(r"session\.commit\(", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_business_timezone_is_defined_once():
    homes = [str(p.relative_to(SHOP)) for p in SOURCES
             if re.search(r"timezone\(timedelta\(hours=8\)\)", p.read_text(encoding="utf-8"))]
    assert homes == ["clock.py"]
