/* xlsx_baseline.c — the benchmark baseline for `jzg export` (bench/xlsx.sh):
 * a bare libxlsxwriter constant_memory loop writing the same cells — per
 * school one workbook, per set table one sheet, the person's ID and name
 * then every non-empty stored value of each row — with no layout, code
 * names, validations, widths or guide sheet.
 *
 * usage: xlsx_baseline DB OUTDIR PERSON_SET ID_FIELD NAME_FIELD */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

int
main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *sch, *tabs;
	char path[4096], sql[8192];

	if (argc != 6) {
		fprintf(stderr, "usage: %s DB OUTDIR PERSON_SET ID_FIELD NAME_FIELD\n", argv[0]);
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return 2;
	sqlite3_prepare_v2(db, "SELECT id, code FROM school ORDER BY code", -1, &sch, NULL);
	while (sqlite3_step(sch) == SQLITE_ROW) {
		sqlite3_int64 school = sqlite3_column_int64(sch, 0);
		lxw_workbook_options opt = { .constant_memory = 1, .use_zip64 = 1 };
		lxw_workbook *wb;

		snprintf(path, sizeof path, "%s/%s.xlsx", argv[2], (const char *)sqlite3_column_text(sch, 1));
		wb = workbook_new_opt(path, &opt);
		sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 's\\_%' "
		    "ESCAPE '\\' ORDER BY rowid", -1, &tabs, NULL);
		while (sqlite3_step(tabs) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(tabs, 0);
			lxw_worksheet *ws = workbook_add_worksheet(wb, t);
			sqlite3_stmt *q;
			lxw_row_t row = 1;
			int n;

			snprintf(sql, sizeof sql, "SELECT p.\"%s\", p.\"%s\", cur.* FROM staff s JOIN \"s_%s\" p ON "
			    "p.staff_id = s.id JOIN \"%s\" cur ON cur.staff_id = s.id WHERE s.school_id = ?1 "
			    "ORDER BY s.id", argv[4], argv[5], argv[3], t);
			if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
				fprintf(stderr, "%s\n", sqlite3_errmsg(db));
				return 2;
			}
			sqlite3_bind_int64(q, 1, school);
			n = sqlite3_column_count(q);
			for (int k = 0; k < n; k++)
				worksheet_write_string(ws, 0, (lxw_col_t)k, sqlite3_column_name(q, k), NULL);
			while (sqlite3_step(q) == SQLITE_ROW) {
				for (int k = 0, c = 0; k < n; k++) {
					const char *name = sqlite3_column_name(q, k);

					if (k >= 2 && (strcmp(name, "id") == 0 || strcmp(name, "staff_id") == 0 ||
					    strcmp(name, "seq") == 0))
						continue;
					switch (sqlite3_column_type(q, k)) {
					case SQLITE_NULL:
						break;
					case SQLITE_INTEGER: case SQLITE_FLOAT:
						worksheet_write_number(ws, row, (lxw_col_t)c, sqlite3_column_double(q, k), NULL);
						break;
					default:
						worksheet_write_string(ws, row, (lxw_col_t)c,
						    (const char *)sqlite3_column_text(q, k), NULL);
					}
					c++;
				}
				row++;
			}
			sqlite3_finalize(q);
		}
		sqlite3_finalize(tabs);
		if (workbook_close(wb) != LXW_NO_ERROR)
			return 1;
	}
	sqlite3_finalize(sch);
	sqlite3_close(db);
	return 0;
}
