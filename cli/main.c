/* main.c - the condmap command: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>
#include <locale.h>
#include "cli.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "list", cli_cmd_list, "show the plugins found (converters, device models), and load failures" },
  { "describe", cli_cmd_describe, "show the settings a plugin declares" },
  { "convert", cli_cmd_convert, "convert weights into conductance planes and params.yaml" },
  { "restore", cli_cmd_restore, "turn planes (written or measured) back into weights" },
  { "check", cli_cmd_check, "validate a config and test that it round-trips" },
  { "bench", cli_cmd_bench, "measure throughput beside the memory floor" },
  { "plot", cli_cmd_plot, "draw a scheme's curves and a layer's histograms (PNG, SVG, PDF)" },
  { "simulate", cli_cmd_simulate, "planes as a chip reads them back: programmed, drifted, read at t" },
  { "compare", cli_cmd_compare, "rank schemes by their error budget on a device" },
};

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: condmap COMMAND [OPTION...] [ARG...]\n"
           "\n"
           "Maps neural-network weights to device conductances (µS) and back.\n"
           "\n"
           "Commands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\n"
           "Examples:\n"
           "  condmap convert -c configs/dual-pair.yaml layer1.npy -o layer1-g\n"
           "  condmap restore layer1-g -o layer1-restored.npy\n"
           "  condmap check -c configs/dual-pair.yaml layer1.npy\n"
           "  condmap list\n"
           "  condmap describe dual-pair\n"
           "\n"
           "Run 'condmap COMMAND --help' for a command's options, and see "
           "condmap(1).\n");
}

int
main (int argc, char **argv)
{
  /* Messages may be translated; numbers are parsed and printed with
   * g_ascii_* and so never depend on the locale. */
  setlocale (LC_ALL, "");
  cli_interrupt_init ();
  if (argc < 2)
    {
      usage (stderr);
      return CLI_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return CLI_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0)
    {
      printf ("condmap %s (plugin ABI %d.%d)\n", condmap_version (),
              CONDMAP_ABI_MAJOR, CONDMAP_ABI_MINOR);
      printf ("plots: %s\n", condmap_plot_available ()
              ? condmap_plot_get_renderer ()
              : "not built (no cairo and pango at configure time)");
      return CLI_EXIT_OK;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        /* GOption's "Usage:" line starts with the program name: make it
         * "condmap convert [OPTION...] WEIGHTS -o OUTDIR". */
        g_autofree char *prgname = g_strdup_printf ("condmap %s", argv[1]);
        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }
  fprintf (stderr, "condmap: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return CLI_EXIT_USAGE;
}
