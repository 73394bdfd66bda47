"""xlsx_lo.py FILE.fods SHEET ROW COL ... — what LibreOffice made of an
export (converted with soffice --convert-to fods): for each ROW COL (1-based)
of SHEET, the cell's text, its value type, the number format it has — its
own style, else its row's default cell style, else its column's (ODF 1.2
§9.1.2; the input rows below the data carry no cell of their own, only the
column's format) — and its validation's list, one line per cell:
"ROW COL text=… type=… format=text|number:DECIMALS|general list=…"."""
import sys
import xml.etree.ElementTree as ET

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
T, S, N, O = ("{%s}" % NS[k] for k in ("table", "style", "number", "office"))

root = ET.parse(sys.argv[1]).getroot()
sheet_name = sys.argv[2]
want = [(int(a), int(b)) for a, b in zip(sys.argv[3::2], sys.argv[4::2])]

data_style = {}
for e in root.iter(N + "text-style"):
    data_style[e.get(S + "name")] = "text"
for e in root.iter(N + "number-style"):
    num = e.find(N + "number")
    data_style[e.get(S + "name")] = "number:%s" % (num.get(N + "decimal-places", "0") if num is not None else "?")
cell_format = {e.get(S + "name"): data_style.get(e.get(S + "data-style-name"), "general")
               for e in root.iter(S + "style") if e.get(S + "family") == "table-cell"}
lists = {e.get(T + "name"): e.get(T + "condition") for e in root.iter(T + "content-validation")}
sheet = next(t for t in root.iter(T + "table") if t.get(T + "name") == sheet_name)

cols = []
for c in sheet.iter(T + "table-column"):
    cols += [c.get(T + "default-cell-style-name")] * int(c.get(T + "number-columns-repeated", "1"))
rows = []                      # (first row, repeat, row element)
r = 1
for rw in sheet.iter(T + "table-row"):
    n = int(rw.get(T + "number-rows-repeated", "1"))
    rows.append((r, n, rw))
    r += n

for row, col in want:
    rw = next(e for first, n, e in rows if first <= row < first + n)
    k = 1
    cell = None
    for c in rw:
        if c.tag not in (T + "table-cell", T + "covered-table-cell"):
            continue
        n = int(c.get(T + "number-columns-repeated", "1"))
        if k <= col < k + n:
            cell = c
            break
        k += n
    style = (cell.get(T + "style-name") if cell is not None else None) or rw.get(T + "default-cell-style-name") \
        or cols[col - 1]
    text = "".join(t.strip() for t in cell.itertext()) if cell is not None else ""
    vtype = cell.get(O + "value-type", "") if cell is not None else ""
    cond = lists.get(cell.get(T + "content-validation-name")) if cell is not None else None
    print(row, col, "text=" + text, "type=" + vtype, "format=" + cell_format.get(style, "general"),
          "list=" + (cond.split("(")[-1].rstrip(")") if cond else ""))
