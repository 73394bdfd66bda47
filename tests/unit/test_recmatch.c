/* test_recmatch.c — records matched by their natural key (forms/sets.tsv
 * column key), in memory and streamed from SQL; the key's SQL; forms
 * check refusing a key that names no field. */
#include "helpers.h"

#include "recmatch.h"

static struct defs *defs;

static int
setup(void **state)
{
	(void)state;
	defs = load_shipped_defs();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	defs_free(defs);
	return 0;
}

/* What the callback saw, one line per difference: "+key", "-key",
 * "~key FIELD old>new". */
struct seen {
	struct strbuf b;
	int stop_after;
	int n;
};

static int
collect(const struct recmatch_diff *d, void *arg)
{
	struct seen *s = arg;
	const char *key = d->new ? d->new->key : d->old->key;
	char *k = xstrdup(key);

	for (char *p = k; *p; p++)
		if (*p == '\x1f')
			*p = '|';
	if (d->kind == RM_ADDED)
		strbuf_addf(&s->b, "%lld+%s;", (long long)d->person, k);
	else if (d->kind == RM_REMOVED)
		strbuf_addf(&s->b, "%lld-%s;", (long long)d->person, k);
	else
		strbuf_addf(&s->b, "%lld~%s %s %s>%s;", (long long)d->person, k, d->set->field[d->field].v[FC_NAME],
		    d->old->v[d->field] ? d->old->v[d->field] : "", d->new->v[d->field] ? d->new->v[d->field] : "");
	free(k);
	return ++s->n == s->stop_after;
}

static const struct set_def *
xxjl(void)
{
	const struct set_def *s = defs_set(defs->all, defs->nall, "xxjl");

	assert_non_null(s);
	return s;
}

/* A 学习经历 record with 获得学历, 入学年月 and 所学专业 set. */
static const char **
rec_values(const char *xl, const char *rxny, const char *zy)
{
	const struct set_def *s = xxjl();
	const char **v = calloc(s->nfield, sizeof *v);

	v[set_field_index(s, "HDXLM")] = xl;
	v[set_field_index(s, "RXNY")] = rxny;
	v[set_field_index(s, "SXZY")] = zy;
	return v;
}

static void
key_sql(void **state)
{
	char *k = recmatch_key_sql(xxjl(), "cur");
	int *idx;

	(void)state;
	assert_string_equal(k, "coalesce(cur.\"RXNY\", '') || char(31) || coalesce(cur.\"HDXLM\", '')");
	free(k);
	assert_int_equal(set_key_fields(xxjl(), &idx), 2);
	free(idx);
	/* a one-record set has no key: its one record is the person's */
	k = recmatch_key_sql(defs_set(defs->all, defs->nall, "jbxx"), "p");
	assert_string_equal(k, "''");
	free(k);
}

/* An added degree between two existing ones is one added record; a
 * changed major in a kept record is one changed field; a degree gone is
 * one removed record. */
static void
person_by_key(void **state)
{
	const char **o1 = rec_values("61", "1994-09", "无"), **o2 = rec_values("21", "1997-09", "数学"),
	    **o3 = rec_values("31", "2003-09", "物理");
	const char **n1 = rec_values("61", "1994-09", "无"), **n2 = rec_values("14", "2005-09", "数学教育"),
	    **n3 = rec_values("21", "1997-09", "应用数学");
	struct recmatch_rec old[3] = {
		{ 1, "1994-09\x1f" "61", o1 }, { 2, "1997-09\x1f" "21", o2 }, { 3, "2003-09\x1f" "31", o3 } };
	struct recmatch_rec new[3] = {
		{ 11, "1994-09\x1f" "61", n1 }, { 12, "2005-09\x1f" "14", n2 }, { 13, "1997-09\x1f" "21", n3 } };
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(recmatch_person(xxjl(), old, 3, new, 3, collect, &s), JZG_OK);
	assert_string_equal(s.b.s, "0~1997-09|21 SXZY 数学>应用数学;0-2003-09|31;0+2005-09|14;");
	/* stopping after the first difference */
	strbuf_free(&s.b);
	s = (struct seen){ .stop_after = 1 };
	recmatch_person(xxjl(), old, 3, new, 3, collect, &s);
	assert_string_equal(s.b.s, "0~1997-09|21 SXZY 数学>应用数学;");
	strbuf_free(&s.b);
	/* identical records, empty and NULL alike: nothing */
	n3[set_field_index(xxjl(), "SXZY")] = "数学";
	n1[set_field_index(xxjl(), "BYNY")] = "";
	s = (struct seen){ 0 };
	recmatch_person(xxjl(), old, 2, (struct recmatch_rec[]){ new[0], new[2] }, 2, collect, &s);
	assert_null(s.b.s);
	free(o1); free(o2); free(o3); free(n1); free(n2); free(n3);
}

/* Records with the same key: identical ones pair first, the others in
 * entry order; the extra one is added. */
static void
person_same_key(void **state)
{
	const char **a = rec_values("21", NULL, "甲"), **b = rec_values("21", NULL, "乙"), **c = rec_values("21", NULL, "丙");
	struct recmatch_rec old[2] = { { 1, "k", a }, { 2, "k", b } };
	struct recmatch_rec new[3] = { { 3, "k", a }, { 4, "k", b }, { 5, "k", c } };
	struct seen s = { 0 };

	(void)state;
	recmatch_person(xxjl(), old, 2, new, 3, collect, &s);
	assert_string_equal(s.b.s, "0+k;");
	strbuf_free(&s.b);
	/* the same records read back in another order: nothing changed */
	s = (struct seen){ 0 };
	recmatch_person(xxjl(), old, 2, (struct recmatch_rec[]){ new[1], new[0] }, 2, collect, &s);
	assert_null(s.b.s);
	/* one of them edited: one changed field, not two shifted records */
	s = (struct seen){ 0 };
	recmatch_person(xxjl(), old, 2, (struct recmatch_rec[]){ { 6, "k", c }, new[0] }, 2, collect, &s);
	assert_string_equal(s.b.s, "0~k SXZY 乙>丙;");
	strbuf_free(&s.b);
	free(a); free(b); free(c);
}

/* Streamed from SQL: three people; 2 has a changed major and an added
 * degree, 3 exists only in the old data, 4 only in the new. */
static void
stream(void **state)
{
	const struct set_def *s = xxjl();
	sqlite3 *db;
	sqlite3_stmt *o, *n;
	struct seen seen = { 0 };
	char *key = recmatch_key_sql(s, "t"), *sql;
	struct strbuf cols = { 0 };
	char *cause = NULL;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (size_t f = 0; f < s->nfield; f++)
		strbuf_addf(&cols, ", t.\"%s\"", s->field[f].v[FC_NAME]);
	sql = xasprintf("CREATE TABLE o(id INTEGER PRIMARY KEY, p, RXNY, HDXLM, SXZY);"
	    "CREATE TABLE n(id INTEGER PRIMARY KEY, p, RXNY, HDXLM, SXZY);"
	    "INSERT INTO o VALUES(1,1,'1997-09','21','数学'),(2,2,'1997-09','21','数学'),(3,3,'2000-09','21','化学');"
	    "INSERT INTO n VALUES(1,1,'1997-09','21','数学'),(2,2,'1997-09','21','应用数学'),(5,2,'2005-09','14','教育'),"
	    "(4,4,'2001-09','21','生物');");
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	/* the statements name every field of the set; the fields the tables
	 * lack are NULL */
	strbuf_free(&cols);
	for (size_t f = 0; f < s->nfield; f++) {
		const char *fn = s->field[f].v[FC_NAME];

		if (strcmp(fn, "RXNY") == 0 || strcmp(fn, "HDXLM") == 0 || strcmp(fn, "SXZY") == 0)
			strbuf_addf(&cols, ", t.\"%s\"", fn);
		else
			strbuf_adds(&cols, ", NULL");
	}
	sql = xasprintf("SELECT t.p, t.id, %s%s FROM o t ORDER BY t.p", key, cols.s);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &o, NULL), SQLITE_OK);
	free(sql);
	sql = xasprintf("SELECT t.p, t.id, %s%s FROM n t ORDER BY t.p", key, cols.s);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &n, NULL), SQLITE_OK);
	free(sql);
	assert_int_equal(recmatch_stream(s, o, n, collect, &seen, &cause), JZG_OK);
	assert_string_equal(seen.b.s, "2~1997-09|21 SXZY 数学>应用数学;2+2005-09|14;3-2000-09|21;4+2001-09|21;");
	strbuf_free(&seen.b);
	/* a statement of the wrong shape is refused */
	sqlite3_reset(o);
	sqlite3_finalize(n);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1, 2, 3", -1, &n, NULL), SQLITE_OK);
	assert_int_equal(recmatch_stream(s, o, n, collect, &seen, &cause), JZG_ERR_INVALID);
	assert_non_null(cause);
	free(cause);
	sqlite3_finalize(o);
	sqlite3_finalize(n);
	sqlite3_close(db);
	strbuf_free(&cols);
	free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_sql),
		cmocka_unit_test(person_by_key),
		cmocka_unit_test(person_same_key),
		cmocka_unit_test(stream),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
