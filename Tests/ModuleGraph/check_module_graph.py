#!/usr/bin/env python3
"""Checks the module graph (docs/DESIGN.md §2): Package.swift, the README's module table and
every `import` in Sources/ agree with the layers below, and the C modules are imported only by
KairosLinalg, with `internal import`. Exits 1 naming each violation.

    python3 Tests/ModuleGraph/check_module_graph.py            # the repository
    python3 Tests/ModuleGraph/check_module_graph.py --self-test # shows that it catches violations
"""
import json, os, re, subprocess, sys, tempfile

# layer, and the modules (of this package, or third-party products) each may import.
CORE, FRAME, LINALG = "KairosCore", "KairosFrame", "KairosLinalg"
IO, FEATURES, MODELS, BACKTEST = "KairosIO", "KairosFeatures", "KairosModels", "KairosBacktest"
RESEARCH, REPORTS, LIVE = "KairosResearch", "KairosReports", "KairosLive"
FEEDS, MONITOR = "KairosFeeds", "KairosMonitor"
C_MODULES = {"CKairosOpenBLAS", "CKairosLAPACKE"}
GRAPH = {
    CORE: (1, set()),
    FRAME: (2, {CORE}),
    LINALG: (2, {CORE} | C_MODULES),
    IO: (3, {CORE, FRAME, LINALG}),
    FEATURES: (3, {CORE, FRAME, LINALG, "Yams"}),
    MODELS: (3, {CORE, FRAME, LINALG, FEATURES}),
    BACKTEST: (4, {CORE, FRAME, IO, FEATURES}),
    RESEARCH: (5, {CORE, FRAME, LINALG, IO, FEATURES, MODELS, BACKTEST, REPORTS}),
    REPORTS: (5, {CORE, FRAME, LINALG, IO, FEATURES, MODELS, BACKTEST}),
    LIVE: (5, {CORE, FRAME, LINALG, IO, FEATURES, MODELS, BACKTEST, RESEARCH, REPORTS, "GRDB"}),
    # The venue feeds bring SwiftNIO (websocket, HTTP): only the CLI links them, not `Kairos`.
    FEEDS: (6, {CORE, IO, BACKTEST, LIVE, "HummingbirdWSClient", "AsyncHTTPClient", "Logging"}),
    # The dashboard and the alert webhook: SwiftNIO as well, beside the feeds.
    MONITOR: (6, {CORE, IO, BACKTEST, REPORTS, LIVE, "Hummingbird", "AsyncHTTPClient", "Logging", "NIOCore"}),
    "Kairos": (6, {CORE, FRAME, LINALG, IO, FEATURES, MODELS, BACKTEST, RESEARCH, REPORTS, LIVE}),
    "KairosCLI": (7, {"Kairos", FEEDS, MONITOR, "Yams", "ArgumentParser"}),
}
# Modules every target may import: the toolchain's.
SYSTEM = {"Foundation", "Glibc", "Darwin", "Dispatch", "Synchronization", "FoundationEssentials", "_Concurrency"}
IMPORT = re.compile(r"^\s*(?:@_exported\s+|@preconcurrency\s+)*(?:(internal|public|package|private|fileprivate)\s+)?import\s+(?:(?:struct|class|enum|func|protocol|typealias|var|let)\s+)?(\w+)", re.M)


def imports_of(root):
    """{target: [(file, module, access)]} for every Swift file under Sources/<target>/."""
    found = {}
    sources = os.path.join(root, "Sources")
    for target in sorted(os.listdir(sources)):
        for directory, _, files in os.walk(os.path.join(sources, target)):
            for name in files:
                if name.endswith(".swift"):
                    path = os.path.join(directory, name)
                    text = open(path, encoding="utf-8").read()
                    for access, module in IMPORT.findall(text):
                        found.setdefault(target, []).append((os.path.relpath(path, root), module, access))
    return found


def declared_dependencies(root):
    """{target: set of dependency names} from `swift package dump-package`."""
    dump = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                     capture_output=True, text=True).stdout)
    targets = {}
    for t in dump["targets"]:
        if t["type"] not in ("regular", "executable", "system"):
            continue
        names = set()
        for d in t["dependencies"]:
            for kind in ("byName", "target", "product"):
                if kind in d:
                    names.add(d[kind][0])
        targets[t["name"]] = names
    return targets


def readme_layers(root):
    """{module: layer} from the README's module table (rows `| n | `Module` ... |`)."""
    layers = {}
    for line in open(os.path.join(root, "README.md"), encoding="utf-8"):
        m = re.match(r"^\|\s*(\d+)\s*\|(.*?)\|", line)
        if m:
            for module in re.findall(r"`(\w+)`", m.group(2)):
                layers[module] = int(m.group(1))
    return layers


def check(imports, declared, readme):
    problems = []
    for target, (layer, allowed) in GRAPH.items():
        if target in declared:
            for dep in sorted(declared[target] - allowed):
                problems.append(f"Package.swift: {target} depends on {dep}, which layer {layer} may not import")
    for target in declared:
        if target.startswith("Kairos") and target not in GRAPH and target != "KairosTestSupport":
            problems.append(f"Package.swift: target {target} is not in the module graph (docs/DESIGN.md §2)")
    for target, uses in imports.items():
        if target in C_MODULES:
            continue
        layer, allowed = GRAPH.get(target, (None, set()))
        for path, module, access in uses:
            if module in SYSTEM:
                continue
            if module not in allowed:
                problems.append(f"{path}: imports {module}, which {target} may not import (docs/DESIGN.md §2)")
            elif module not in declared.get(target, set()) and module != target:
                problems.append(f"{path}: imports {module}, which Package.swift does not declare for {target}")
            if module in C_MODULES and access != "internal":
                problems.append(f"{path}: imports {module} without `internal import`")
    for module, (layer, _) in GRAPH.items():
        if module in declared and readme.get(module) != layer:
            problems.append(f"README.md: the module table puts {module} at layer {readme.get(module)}, the graph at {layer}")
    return problems


def self_test():
    """Each kind of violation is caught."""
    declared = {BACKTEST: {CORE, FRAME, FEATURES}, LINALG: {CORE} | C_MODULES}
    readme = {BACKTEST: 4, LINALG: 2}
    cases = {
        "an import the layer may not use": ({BACKTEST: [("a.swift", MODELS, "")]}, declared, readme),
        "an import Package.swift does not declare": ({BACKTEST: [("a.swift", IO, "")]}, declared, readme),
        "a C module without internal import": ({LINALG: [("b.swift", "CKairosOpenBLAS", "")]}, declared, readme),
        "a declared dependency the layer may not use": ({}, {BACKTEST: {MODELS}}, readme),
        "a README layer that disagrees": ({}, declared, {BACKTEST: 3, LINALG: 2}),
    }
    clean = check({BACKTEST: [("a.swift", CORE, "")], LINALG: [("b.swift", "CKairosOpenBLAS", "internal")]}, declared, readme)
    assert clean == [], clean
    for name, arguments in cases.items():
        assert check(*arguments), f"not caught: {name}"
    print(f"module graph self-test: {len(cases)} violations caught, clean graph passes")


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if "--self-test" in sys.argv:
        self_test()
        return 0
    problems = check(imports_of(root), declared_dependencies(root), readme_layers(root))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"module graph: {len(problems)} violation(s)", file=sys.stderr)
        return 1
    print("module graph: Package.swift, README and every import agree with docs/DESIGN.md §2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
