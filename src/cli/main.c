/* main.c — set the locale and the heap policy, and hand over to the
 * command line. */
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <string.h>

int cli_main(int argc, char **argv);

int
main(int argc, char **argv)
{
	/* No locale chosen at all (LANG unset: the C locale's ASCII) is
	 * taken as UTF-8, what every terminal of today sends; a locale that
	 * names another character set (zh_CN.GBK) is respected, and the client
	 * refuses it (ui_can_start) before any file is created. */
	if (setlocale(LC_ALL, "") == NULL || strcmp(nl_langinfo(CODESET), "ANSI_X3.4-1968") == 0)
		setlocale(LC_ALL, "C.UTF-8");
	/* Keep freed heap memory instead of giving it back to the system after
	 * every statement: SQLite frees and allocates page-sized buffers all
	 * the time (each b-tree split, each attached file's cache), and on this
	 * kind of VM every page fault of re-growing the heap costs
	 * microseconds — the client paid hundreds per key, a merge tens of
	 * thousands (docs/client.md §6, docs/workflow.md §Benchmark).  Peak
	 * memory hardly moves (the client's not at all, jzg check's 77 → 82 MB):
	 * what is freed is kept for the next statement, not given back. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	return cli_main(argc, argv);
}
