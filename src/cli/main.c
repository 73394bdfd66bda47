/* main.c — set the locale and the heap policy, and hand over to the
 * command line. */
#include <locale.h>
#include <malloc.h>

int cli_main(int argc, char **argv);

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
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
