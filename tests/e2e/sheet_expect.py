#!/usr/bin/env python3
"""What a person's confirmation sheet must show, computed independently of
the C code: the sets, labels and code tables from forms/ and data/ (template
overlays applied), the values from the SQLite file.  Prints one expected
string per line: every set title, every field label, every display value;
for a many-record set without records only its title followed by 无.

usage: sheet_expect.py FORMS DATA DB STAFF_ID"""
import os
import sqlite3
import sys


def read_tsv(path):
    rows, head = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if head is None:
                head = cells
                continue
            rows.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(head)})
    return rows


forms, data, dbpath, staff = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
db = sqlite3.connect(dbpath)
tpl = db.execute("SELECT school.template FROM staff JOIN school ON school.id = staff.school_id"
                 " WHERE staff.id = ?", (staff,)).fetchone()[0]
sets = read_tsv(os.path.join(forms, "sets.tsv"))
fields = {s["name"]: read_tsv(os.path.join(forms, "sets", s["name"] + ".tsv")) for s in sets}
dropped = set()
for op in read_tsv(os.path.join(forms, "templates", tpl + ".tsv")):
    fl = fields.get(op["set"])
    if op["op"] == "dropset":
        dropped.add(op["set"])
    elif op["op"] == "drop":
        fields[op["set"]] = [f for f in fl if f["name"] != op["name"]]
    elif op["op"] == "add":
        new = {k: v for k, v in op.items() if k not in ("op", "set", "after")}
        idx = len(fl)
        if op["after"]:
            idx = [f["name"] for f in fl].index(op["after"]) + 1
        fl.insert(idx, new)
    elif op["op"] == "modify":
        for f in fl:
            if f["name"] == op["name"]:
                for k, v in op.items():
                    if k not in ("op", "set", "name", "after") and v:
                        f[k] = "" if v == "-" else v


def codes(table):
    return {r["code"]: r["name"] for r in read_tsv(os.path.join(data, "codes", table + ".tsv"))}


def display(f, v):
    if v is None or v == "":
        return None
    t = f.get("type", "")
    if t == "yesno":
        t = "select_one SF"
    if t == "decimal":
        return "%.2f" % float(v)
    if t.startswith("select_one "):
        return codes(t.split()[1]).get(str(v), str(v))
    if t.startswith("select_multiple "):
        c = codes(t.split()[1])
        return "、".join(c.get(x, x) for x in str(v).split())
    return str(v)


for s in sets:
    if s["name"] in dropped:
        continue
    fl = fields[s["name"]]
    cols = ", ".join('"%s"' % f["name"] for f in fl)
    rows = db.execute('SELECT %s FROM "s_%s" WHERE staff_id = ?' % (cols, s["name"]), (staff,)).fetchall()
    if s["records"] == "many" and not rows:
        print(s["label"] + "无")    # a set without records: one line, title and 无
        continue
    print(s["label"])
    for f in fl:
        print(f["label"])
    for row in rows:
        for f, v in zip(fl, row):
            d = display(f, v)
            if d is not None:
                print(d)
