#!/usr/bin/python3
"""seed_xlsx.py XLSX OUT: a seed for fuzz_xlsx from a workbook jzg exported:
its parts as "NAME\\nCONTENT" joined by "\\n====\\n", small enough for many
runs a second: each sheet keeps its first rows with a value (an export
before issue 21 wrote 500 empty formatted input rows) and nothing after its
data (validations, merges); theme, styles and document properties, which import does not
read, are left out."""
import re, sys, zipfile

src, out = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(src)
parts = []
for name in z.namelist():
    if name.startswith(("xl/theme/", "docProps/")) or name == "xl/styles.xml":
        continue
    text = z.read(name).decode("utf-8")
    if name.startswith("xl/worksheets/"):
        rows = re.findall(r"<row [^>]*>.*?</row>|<row [^>]*/>", text, re.S)
        keep = [r for r in rows if "<v>" in r or "<is>" in r][:5]
        head = text.split("<sheetData>")[0] + "<sheetData>"
        text = head + "".join(keep) + "</sheetData></worksheet>"
    parts.append(name + "\n" + text)
open(out, "wb").write("\n====\n".join(parts).encode("utf-8"))
