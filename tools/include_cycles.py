#!/usr/bin/env python3
"""Include cycles and layer order over src/.

Modules are file stems (store.c + store.h = store).  An edge A -> B means a
file of A includes B.h.  Prints every strongly connected component of more
than one module (an include cycle) and every include that goes from a lower
layer to a higher one (layers are the folders of src/, bottom to top in
LAYERS).  Exit status 1 when there is a cycle, or with --strict also when a
layer is crossed upward; 0 otherwise.

Usage: include_cycles.py [--strict] [SRC_DIR]
       include_cycles.py --self-test   (plants a cycle and an upward include)
"""
import os
import re
import sys
import tempfile

# Bottom to top.  Folders on one rank may include each other's headers;
# src/app.h (the context of the two front ends) sits with ui and cli.
LAYERS = [("base",), ("defs",), ("store",), ("engine",),
          ("xlsx", "print", "workflow"), ("ui", "cli", "app")]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rank_of(folder):
    for i, names in enumerate(LAYERS):
        if folder in names:
            return i
    return None


def scan(src):
    """Return {module: folder} and {module: {included module: file}}."""
    folder, edges = {}, {}
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".c", ".h")):
                continue
            rel = os.path.relpath(root, src)
            mod = os.path.splitext(name)[0]
            folder[mod] = "app" if rel == "." else rel.split(os.sep)[0]
            with open(os.path.join(root, name), encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                dep = os.path.splitext(os.path.basename(inc))[0]
                if dep != mod:
                    edges.setdefault(mod, {}).setdefault(
                        dep, os.path.join(rel, name))
    return folder, edges


def sccs(nodes, edges):
    """Tarjan's algorithm, iterative (no recursion limit)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, {})))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in nodes:
                    continue
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(edges.get(w, {}))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def self_test():
    """The check must be able to fail: a planted cycle and an upward
    include are both reported, a clean tree is not."""
    with tempfile.TemporaryDirectory() as src:
        files = {"base/a.h": "", "base/a.c": '#include "a.h"\n',
                 "store/s.h": '#include "a.h"\n', "store/s.c": '#include "s.h"\n'}
        for rel, text in files.items():
            os.makedirs(os.path.join(src, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(src, rel), "w", encoding="utf-8") as f:
                f.write(text)
        if main(["--strict", src]) != 0:
            return 1
        with open(os.path.join(src, "base/a.c"), "a", encoding="utf-8") as f:
            f.write('#include "s.h"\n')     # base -> store: upward and a cycle
        folder, edges = scan(src)
        if sccs(sorted(folder), edges) != [["a", "s"]] or main([src]) != 1:
            print("self-test: the planted cycle was not found")
            return 1
    print("self-test: planted cycle and upward include found")
    return 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    strict = "--strict" in argv
    args = [a for a in argv if not a.startswith("--")]
    src = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "src")
    folder, edges = scan(src)
    cycles = sccs(sorted(folder), edges)
    for comp in cycles:
        print("include cycle: " + " <-> ".join(comp))
        for a in comp:
            for b, where in sorted(edges.get(a, {}).items()):
                if b in comp:
                    print(f"  {where} includes {b}.h")
    upward = []
    for a, deps in sorted(edges.items()):
        for b, where in sorted(deps.items()):
            ra, rb = rank_of(folder.get(a)), rank_of(folder.get(b))
            if ra is not None and rb is not None and rb > ra:
                upward.append(f"layer: {where} ({folder[a]}) includes "
                              f"{b}.h ({folder[b]})")
    for line in upward:
        print(line)
    if not cycles:
        print(f"no include cycle over {len(folder)} modules")
    return 1 if cycles or (strict and upward) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
