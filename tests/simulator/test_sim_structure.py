"""How the simulator is built: small modules that import each other without a cycle, the standard library only."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

SIMULATOR = Path(__file__).resolve().parents[2] / "simulator"


def imports(path: Path) -> tuple[set[str], set[str]]:
    """(simulator modules, top-level absolute modules) that a simulator module imports."""
    own, absolute = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            own.update([node.module] if node.module else [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom):
            absolute.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            absolute.update(alias.name.split(".")[0] for alias in node.names)
    return own, absolute


MODULES = {path.stem: imports(path) for path in SIMULATOR.glob("*.py")}


def test_no_module_imports_one_that_imports_it_back():
    def cycle_from(module, trail):
        for imported in sorted(MODULES[module][0]):
            if imported in trail:
                return trail[trail.index(imported):] + [imported]
            found = cycle_from(imported, trail + [imported])
            if found:
                return found
        return None
    cycles = [cycle for module in MODULES if (cycle := cycle_from(module, [module]))]
    assert not cycles, " -> ".join(cycles[0])


def test_no_import_hidden_behind_type_checking():
    assert [name for name in MODULES if "TYPE_CHECKING" in (SIMULATOR / f"{name}.py").read_text(encoding="utf-8")] == []


def test_standard_library_only():
    outside = {name: sorted(absolute - set(sys.stdlib_module_names) - {"__future__"}) for name, (_own, absolute) in MODULES.items()}
    assert {name: modules for name, modules in outside.items() if modules} == {}


def test_small_modules():
    sizes = {name: len((SIMULATOR / f"{name}.py").read_text(encoding="utf-8").splitlines()) for name in MODULES}
    assert max(sizes.values()) <= 400, sizes
