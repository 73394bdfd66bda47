#!/usr/bin/env bash
# Benchmark (not a test): photos (issue 16).
#  1. `photo import --fix` of 2,000 camera-like JPEGs (4000×3000, 2–4 MB
#     each).  Budget: < 60 s wall, < 200 MB peak RSS on 2 cores.
#  2. the 2,000-person confirmation sheets with a photo each, beside the
#     same sheets without (bench/print.sh's file and command).
# usage: bench/photo.sh [path/to/jzg] [import|sheet|all]   (default build/jzg all)
#
# Picture files are made once with python3-pil and cached in /tmp: 40
# distinct camera JPEGs (making 2,000 of 4000×3000 would take most of an
# hour), linked under the 2,000 people's ID numbers, so every file is read
# and decoded in full; and 2,000 distinct 307×378 photos for the sheets,
# so that the PDF really holds 2,000 images (cairo writes a repeated one once).
set -euo pipefail
J=${1:-build/jzg}
WHAT=${2:-all}
PY=/usr/bin/python3
MK="$PY $(dirname "$0")/../tests/e2e/photo_make.py"
DB=/tmp/jzg_bench_2000.db             # bench/print.sh's school of 2,000
CAM=/tmp/jzg_bench_camera             # 40 camera JPEGs
IN=/tmp/jzg_bench_photo_in            # 2,000 names → those 40 files
GOOD=/tmp/jzg_bench_photo_good        # 2,000 distinct good photos
export JZG_TODAY=${JZG_TODAY:-2026-11-22}
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -s "$DB" ]; then
	rm -f "$DB.tmp"
	"$J" --db "$DB.tmp" school add --code 2143012345 --name 测试县第一中学 --type zxx >/dev/null
	"$J" --db "$DB.tmp" demo --staff 2000 --school 2143012345 --seed 6 >/dev/null
	mv "$DB.tmp" "$DB"
fi
ids() { sqlite3 "$DB" "SELECT SFZJH FROM s_jbxx ORDER BY staff_id"; }

if [ "$WHAT" != sheet ]; then
	if [ ! -d "$CAM" ]; then
		mkdir -p "$CAM.tmp"
		for i in $(seq -w 1 40); do $MK camera "$CAM.tmp/cam$i.jpg"; done
		mv "$CAM.tmp" "$CAM"
	fi
	if [ ! -d "$IN" ]; then
		mkdir -p "$IN.tmp"
		i=0
		for id in $(ids); do ln "$CAM/cam$(printf %02d $((i % 40 + 1))).jpg" "$IN.tmp/$id.jpg"; i=$((i + 1)); done
		mv "$IN.tmp" "$IN"
	fi
	echo "input: $(ls "$IN" | wc -l) files, $(du -sbL "$IN" | awk '{printf "%.1f GB", $1 / 1e9}') read in all; sizes $(ls -l "$CAM" | awk 'NR > 1 {printf "%.1f\n", $5 / 1048576}' | sort -n | sed -n '1p;$p' | paste -sd– -) MB"
	cp "$DB" /tmp/jzg_bench_photo.db
	cat /tmp/jzg_bench_camera/*.jpg > /dev/null   # page cache warm, as after copying from a stick
	/usr/bin/time -f "import --fix: wall=%es user=%Us sys=%Ss maxrss=%MKB" \
		"$J" --db /tmp/jzg_bench_photo.db photo import --fix "$IN" | tail -1
	sqlite3 /tmp/jzg_bench_photo.db "SELECT 'stored: ' || count(*) || ' photos, ' || max(bytes) || ' bytes at most, ' || min(width) || '×' || min(height) FROM photo"
fi
if [ "$WHAT" != import ]; then
	if [ ! -d "$GOOD" ]; then
		mkdir -p "$GOOD.tmp"
		$PY - "$GOOD.tmp" $(ids) <<'PYEOF'
import io, os, random, sys
from PIL import Image, ImageDraw
out, ids = sys.argv[1], sys.argv[2:]
for n, i in enumerate(ids):
    r = random.Random(n)
    im = Image.new('RGB', (307, 378), tuple(r.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(im)
    for _ in range(25):
        x, y = r.randrange(307), r.randrange(378)
        d.ellipse([x, y, x + 80, y + 90], fill=tuple(r.randrange(256) for _ in range(3)))
    noise = Image.frombytes('RGB', (307, 378), os.urandom(307 * 378 * 3))
    Image.blend(im, noise, 0.08).save(os.path.join(out, i + '.jpg'), 'JPEG', quality=85)
PYEOF
		mv "$GOOD.tmp" "$GOOD"
	fi
	cp "$DB" /tmp/jzg_bench_photo_sheet.db
	"$J" --db /tmp/jzg_bench_photo_sheet.db photo import "$GOOD" | tail -1
	sqlite3 /tmp/jzg_bench_photo_sheet.db "SELECT 'photos: ' || count(*) || ', ' || (sum(bytes) / 1048576) || ' MB' FROM photo"
	/usr/bin/time -f "sheets without photos: wall=%es user=%Us sys=%Ss maxrss=%MKB" \
		"$J" --db "$DB" print sheet --school 2143012345 --out /tmp/jzg_bench_sheets.pdf
	ls -l /tmp/jzg_bench_sheets.pdf | awk '{printf "  PDF %.1f MB\n", $5 / 1048576}'
	/usr/bin/time -f "sheets with photos: wall=%es user=%Us sys=%Ss maxrss=%MKB" \
		"$J" --db /tmp/jzg_bench_photo_sheet.db print sheet --school 2143012345 --out /tmp/jzg_bench_sheets_photo.pdf
	ls -l /tmp/jzg_bench_sheets_photo.pdf | awk '{printf "  PDF %.1f MB\n", $5 / 1048576}'
	echo "  images in the PDF: $(pdfimages -list /tmp/jzg_bench_sheets_photo.pdf | awk 'NR > 2 && $9 == "jpeg"' | wc -l) DCT"
fi
