"""xlsx_same.py A.xlsx B.xlsx — the two workbooks hold the same sheets with
the same cell values (read by openpyxl, an independent reader); prints
"same N" (N filled cells) or fails naming the first sheet that differs."""
import sys
import openpyxl

a, b = (openpyxl.load_workbook(p, read_only=True) for p in sys.argv[1:3])
assert a.sheetnames == b.sheetnames, (a.sheetnames, b.sheetnames)
n = 0
for s in a.sheetnames:
    ra = [r for r in a[s].iter_rows(values_only=True)]
    rb = [r for r in b[s].iter_rows(values_only=True)]
    assert ra == rb, (s, [(x, y) for x, y in zip(ra, rb) if x != y][:2])
    n += sum(1 for r in ra for v in r if v is not None)
print("same", n)
