/* main.c — set the locale and hand over to the command line. */
#include <locale.h>

int cli_main(int argc, char **argv);

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	return cli_main(argc, argv);
}
