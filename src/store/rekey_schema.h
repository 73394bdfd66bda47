/* rekey_schema.h — the tables of double-entry verification, schema
 * version 8 (issue 20), apart from rekey.h so that store.c can create them
 * without including the module that uses the store (as photo_schema.h).
 *
 * rekey: one row per person marked for verification (rekey start):
 * keyer is the stratum the person was sampled in (who keyed the person,
 * from the audit trail), verifier and verified are set when every field to
 * re-key has been keyed a second time.
 *
 * rekey_field: one row per field keyed a second time, with both keyings,
 * who made each (keyer from the audit trail; verifier the operator, or
 * the other file of rekey compare), the decision (same: both agreed;
 * first / second: that keying was right; rekey: keyed a third time, final
 * is that value) and the value kept.  The error rates of rekey report are
 * counted here.  The audit triggers (audit.c) write every row that is not
 * 'same' to the trail. */
#ifndef JZG_REKEY_SCHEMA_H
#define JZG_REKEY_SCHEMA_H

#define REKEY_SCHEMA \
	"CREATE TABLE IF NOT EXISTS rekey(" \
	"  staff_id INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE," \
	"  keyer TEXT," \
	"  marked TEXT NOT NULL DEFAULT (datetime('now','localtime'))," \
	"  marked_by TEXT," \
	"  verifier TEXT," \
	"  verified TEXT);" \
	"CREATE TABLE IF NOT EXISTS rekey_field(" \
	"  id INTEGER PRIMARY KEY," \
	"  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE," \
	"  set_name TEXT NOT NULL," \
	"  row_id INTEGER NOT NULL," \
	"  field TEXT NOT NULL," \
	"  keyer TEXT," \
	"  verifier TEXT," \
	"  first," \
	"  second," \
	"  final," \
	"  decision TEXT NOT NULL CHECK(decision IN ('same','first','second','rekey'))," \
	"  source TEXT NOT NULL DEFAULT 'verify'," \
	"  at TEXT NOT NULL DEFAULT (datetime('now','localtime'))," \
	"  UNIQUE(staff_id, set_name, row_id, field, source));"

/* Schema version 9: the discrepancies of rekey compare still open, one
 * row per field, with the other file's value (this file's is read when it
 * is decided), so that the clerk can decide them in the client (^R on a
 * person marked 比对).  A decision removes its row. */
#define REKEY_OPEN_SCHEMA \
	"CREATE TABLE IF NOT EXISTS rekey_open(" \
	"  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE," \
	"  set_name TEXT NOT NULL," \
	"  row_id INTEGER NOT NULL," \
	"  field TEXT NOT NULL," \
	"  theirs," \
	"  source TEXT NOT NULL," \
	"  PRIMARY KEY(staff_id, set_name, row_id, field, source));"

#endif
