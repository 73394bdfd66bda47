/* test_calendar.c — the one Gregorian calendar check (calendar.h). */
#include "helpers.h"

#include "calendar.h"

static void
days_and_validity(void **state)
{
	(void)state;
	assert_int_equal(date_days_in_month(2023, 2), 28);
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(1900, 2), 28);   /* century, not leap */
	assert_int_equal(date_days_in_month(2000, 2), 29);   /* 400th year, leap */
	assert_int_equal(date_days_in_month(2023, 4), 30);
	assert_int_equal(date_days_in_month(2023, 12), 31);
	assert_int_equal(date_days_in_month(2023, 13), 0);
	assert_int_equal(date_days_in_month(2023, 0), 0);
	assert_true(date_valid(1980, 9, 5));
	assert_true(date_valid(2024, 2, 29));
	assert_false(date_valid(2023, 2, 29));
	assert_false(date_valid(2023, 4, 31));               /* day 31 of a 30-day month */
	assert_true(date_valid(2023, 5, 31));
	assert_false(date_valid(2023, 1, 0));
	assert_false(date_valid(2023, 1, 32));
	assert_false(date_valid(0, 1, 1));
	assert_false(date_valid(2023, 13, 1));
}

static void
read_stored_form(void **state)
{
	int y = 0, m = 0, d = 0;

	(void)state;
	assert_true(date_read("1980-09-05", 10, 1, &y, &m, &d));
	assert_int_equal(y, 1980);
	assert_int_equal(m, 9);
	assert_int_equal(d, 5);
	assert_true(date_read("1980-09", 7, 0, &y, &m, &d));
	assert_int_equal(d, 1);
	/* only n bytes are read: a stored value need not end in NUL */
	assert_true(date_read("1980-09-05xyz", 10, 1, NULL, NULL, NULL));
	assert_true(date_read("1980-09-05", 7, 0, NULL, NULL, NULL));
	assert_false(date_read("1980-09-05", 10, 0, NULL, NULL, NULL));
	assert_false(date_read("1980-9-05", 9, 1, NULL, NULL, NULL));
	assert_false(date_read("1980/09/05", 10, 1, NULL, NULL, NULL));
	assert_false(date_read("2026-04-31", 10, 1, NULL, NULL, NULL));
	assert_false(date_read("2026-02-29", 10, 1, NULL, NULL, NULL));
	assert_true(date_read("2024-02-29", 10, 1, NULL, NULL, NULL));
	assert_false(date_read("2026-13", 7, 0, NULL, NULL, NULL));
	assert_false(date_read("0000-01", 7, 0, NULL, NULL, NULL));
	assert_false(date_read("1980-0a", 7, 0, NULL, NULL, NULL));
	assert_false(date_read(NULL, 0, 0, NULL, NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(days_and_validity),
		cmocka_unit_test(read_stored_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
