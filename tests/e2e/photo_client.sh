#!/usr/bin/env bash
# The photo in the client (issue 16), driven in tmux at 80×24: the person
# screen says whether there is a photo and its size and pixels; ^O asks for
# a file path, Tab completes it; a good JPEG is stored (the same bytes), a
# wide one is fixed when the clerk says y, a PNG is refused with its reason;
# the trail has the change.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
MK="$PY $(dirname "$0")/photo_make.py"
DB=$T/school.db
"$J" --db "$DB" school add --code 2143010001 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 2 --school 2143010001 >/dev/null
q() { sqlite3 "$DB" "$1"; }
mkdir -p "$T/photos_dir"
$MK good "$T/photos_dir/one_good.jpg"
$MK wide "$T/photos_dir/two_wide.jpg"
$MK png "$T/photos_dir/three_png.jpg"
NAME=$(q "SELECT XM FROM s_jbxx WHERE staff_id = 1")
RUN="JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY HOME=$T $J --db $DB"

screen_start 80 24 "$RUN"
skip_admin
wait_for "$NAME" && keys Enter
wait_for "基本信息" && ok "person screen"
wait_line 1 "无照片" && ok "title says there is no photo"
# ^O is in the help's key list (the 80-column legend has no room left)
keys F1; wait_for "帮助"
for i in 1 2 3 4 5 6; do
	before=$(screen); echo "$before" | grep -qE '\^O +照片：导入本人照片' && break
	keys NPage; wait_change "$before" || true
done
screen | grep -qE '\^O +照片：导入本人照片' && ok "help lists ^O 照片" || { bad "help lists ^O 照片"; screen; }
keys Escape; wait_line 1 "无照片"
keys C-o; wait_for "照片文件（JPEG，Tab 补全" && ok "^O asks for the file"
text "~/photos_"; keys Tab
wait_for "~/photos_dir/" && ok "Tab completes a directory (with ~/)"
keys Tab; wait_for "one_good.jpg +three_png.jpg +two_wide.jpg" && ok "Tab lists several matches"
text "o"; keys Tab; wait_for "~/photos_dir/one_good.jpg" && ok "Tab completes the file"
keys Enter
wait_for "已保存：照片" && ok "photo saved"
wait_line 1 "照片 [0-9.]+ KB 307×378" && ok "title shows size and pixels"
expect_db "stored bytes are the file's" "$DB" "SELECT hash FROM photo WHERE staff_id = 1" "$(sha256sum < "$T/photos_dir/one_good.jpg" | cut -c1-64)"

keys C-o; wait_for "照片文件"; text "~/photos_dir/three_png.jpg"; keys Enter
wait_for "照片未导入：不是 JPEG 文件（是 PNG 图片）" && ok "PNG refused with its reason"
expect_db "PNG: the photo unchanged" "$DB" "SELECT hash FROM photo WHERE staff_id = 1" "$(sha256sum < "$T/photos_dir/one_good.jpg" | cut -c1-64)"

keys C-o; wait_for "照片文件"; text "~/photos_dir/two_wide.jpg"; keys Enter
wait_for "照片比例不对.*自动裁剪压缩" && ok "wide photo: fix offered" && text y
wait_for "已保存：照片" && ok "fixed photo saved"
wait_line 1 "照片 [0-9.]+ KB 244×300" && ok "title shows the cropped pixels"
expect_db "trail: two photo rows through the client" "$DB" "SELECT count(*) FROM audit WHERE set_name = 'photo' AND path = 'client'" 2
keys F10
expect_eq "client exits 0" "$(pane_dead_status)" 0

echo "# photo_client: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
