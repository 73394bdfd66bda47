/* baseline_schema.h — the baseline tables of schema version 6 (issue 19),
 * apart from baseline.h so that store.c can create them without including
 * the module that fills them (as photo_schema.h).
 *
 * A baseline is last year's data of one school, a read-only snapshot kept
 * beside this year's: baseline (one row per school), b_staff (its people)
 * and one table b_<set> per information set, made by store.c's schema sync
 * from the definitions like s_<set> (STORE_BASELINE_SET_COLUMNS first, then
 * the fields).  b_staff.staff_id links a last-year person to this year's
 * (baseline_link), NULL when gone. */
#ifndef JZG_BASELINE_SCHEMA_H
#define JZG_BASELINE_SCHEMA_H

#define BASELINE_SCHEMA \
	"CREATE TABLE IF NOT EXISTS baseline(" \
	"  id INTEGER PRIMARY KEY," \
	"  school_code TEXT NOT NULL UNIQUE," \
	"  label TEXT NOT NULL," \
	"  source TEXT NOT NULL," \
	"  forms_version TEXT," \
	"  people INTEGER NOT NULL DEFAULT 0," \
	"  created TEXT NOT NULL DEFAULT (datetime('now','localtime')));" \
	"CREATE TABLE IF NOT EXISTS b_staff(" \
	"  id INTEGER PRIMARY KEY," \
	"  baseline_id INTEGER NOT NULL REFERENCES baseline(id) ON DELETE CASCADE," \
	"  staff_id INTEGER," \
	"  idno TEXT, name TEXT, birth TEXT);" \
	"CREATE INDEX IF NOT EXISTS b_staff_baseline ON b_staff(baseline_id, idno);" \
	"CREATE INDEX IF NOT EXISTS b_staff_cur ON b_staff(staff_id);"

/* The columns of b_<set> before the fields: staff_id is b_staff.id, nk the
 * record's natural key (set_key_sql) for many-record sets. */
#define STORE_BASELINE_SET_COLUMNS "id INTEGER PRIMARY KEY, staff_id INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0, nk TEXT"

#endif
