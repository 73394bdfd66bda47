/* test_idcard.c — GB 11643 check character, dates, sex, normalisation. */
#include "helpers.h"

#include "idcard.h"

static void
check_digit_vectors(void **state)
{
	(void)state;
	/* the two examples printed in GB 11643-1999, and one worked by hand:
	 * 1·7+1·9+0+1·5+0+1·4+1·2+9·1+9·6+0+0+3·9+0+7·5+0+0+1·2 = 154,
	 * 154 mod 11 = 0 → '1' */
	assert_int_equal(idcard_check_char("11010519491231002"), 'X');
	assert_int_equal(idcard_check_char("44052418800101001"), '4');
	assert_int_equal(idcard_check_char("11010119900307001"), '1');
	assert_int_equal(idcard_validate("110101199003070011", "2026-11-22"), IDCARD_OK);
	assert_int_equal(idcard_validate("110101199003070019", "2026-11-22"), IDCARD_BAD_CHECK);
	assert_int_equal(idcard_validate("11010519491231002X", "2026-11-22"), IDCARD_OK);
	assert_int_equal(idcard_validate("440524188001010014", "2026-11-22"), IDCARD_OK);
	assert_int_equal(idcard_validate("110105194912310021", "2026-11-22"), IDCARD_BAD_CHECK);
	assert_int_equal(idcard_validate("11010519491231002x", "2026-11-22"), IDCARD_BAD_CHAR);
}

static void
dates_and_lengths(void **state)
{
	(void)state;
	assert_int_equal(idcard_validate("110105199902300011", NULL), IDCARD_BAD_DATE);  /* 2月30日 */
	assert_int_equal(idcard_validate("110105190002290015", NULL), IDCARD_BAD_DATE);  /* 1900 not leap */
	assert_int_equal(idcard_validate("110105200002290011", NULL) == IDCARD_BAD_DATE, 0); /* 2000 leap */
	assert_int_equal(idcard_validate("110105203001010012", "2026-11-22"), IDCARD_BAD_DATE); /* future */
	assert_int_equal(idcard_validate("110105491231002", NULL), IDCARD_OLD15);
	assert_int_equal(idcard_validate("110105491331002", NULL), IDCARD_BAD_DATE);
	assert_int_equal(idcard_validate("1101051949123100", NULL), IDCARD_BAD_LENGTH);
	assert_int_equal(idcard_validate("11010519491231A02X", NULL), IDCARD_BAD_CHAR);
}

static void
birth_and_sex(void **state)
{
	char d[11];

	(void)state;
	assert_true(idcard_birth("11010519491231002X", d));
	assert_string_equal(d, "1949-12-31");
	assert_true(idcard_birth("110105491231002", d));
	assert_string_equal(d, "1949-12-31");
	assert_false(idcard_birth("110105199902300011", d));
	assert_int_equal(idcard_sex("11010519491231002X"), 2);   /* 17th digit 2: even */
	assert_int_equal(idcard_sex("440524188001010014"), 1);   /* 1: odd */
	assert_int_equal(idcard_sex("110105491231003"), 1);      /* 15-digit: last digit */
	assert_int_equal(idcard_sex("12"), 0);
}

static void
normalise_and_mask(void **state)
{
	char *s;

	(void)state;
	s = idcard_normalise("１１０１０５ 19491231002x");
	assert_string_equal(s, "11010519491231002X");
	free(s);
	s = idcard_normalise("\xe3\x80\x80" "4405241880010100１４ ");
	assert_string_equal(s, "440524188001010014");
	free(s);
	s = idcard_mask("11010519491231002X");
	assert_string_equal(s, "**************002X");
	free(s);
	s = idcard_mask("AB1");
	assert_string_equal(s, "AB1");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_digit_vectors),
		cmocka_unit_test(dates_and_lengths),
		cmocka_unit_test(birth_and_sex),
		cmocka_unit_test(normalise_and_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
