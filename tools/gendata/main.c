/*  gendata: realistic enterprise data for demos, tests and benchmarks.

        gendata [--profile shanxi|national] [--count N] [--seed S] [--province 14]
                [--out FILE] [--load] [settings]

    The profile names the data set (gen.h): shanxi (the default: one province, 10,000
    records) or national (every county of the division table, 500,000 records);
    --count overrides its size. Writes CSV (header row in English) to stdout or --out
    FILE as the records are made, so a large set needs little memory; with --load it sends
    every record to the registry through the broker instead (and still writes --out if
    given) and prints one summary line. Settings (--broker, --timeout-ms, --as ...) come
    from inv_config; gendata's own flags are taken out first, since it has no
    sub-command after which the configuration would leave them alone.

    Exit codes: 0 done, 1 some records failed or a file could not be written,
    2 usage error, 3 the registry could not be reached at all.
*/
#include <stdlib.h>
#include <string.h>
#include <czmq.h>
#include "gen.h"
#include "load.h"
#include "inv_config.h"
#include "inv_log.h"

#define LOAD_CLIENTS 4

typedef struct {
    const gen_profile_t *profile;
    uint64_t count;             /* 0: the profile's */
    uint64_t seed;
    const char *out;
    bool load;
} options_t;

static void
s_usage (FILE *out)
{
    fputs ("usage: gendata [--profile P] [--count N] [--seed S] [--province 14] [--out FILE] [--load] [settings]\n"
           "  --profile P   shanxi (default: the province of --province, 10000 records, ~40% with R&D)\n"
           "                or national (every county of the division table, 500000 records,\n"
           "                ~70% not yet innovating)\n"
           "  --count N     records to make (default: the profile's)\n"
           "  --seed S      seed of the random stream; the same seed gives the same records (default 1)\n"
           "  --out FILE    write the CSV there instead of stdout\n"
           "  --load        send each record to the registry as enterprise.add and print a summary\n"
           "settings:\n\n", out);
    inv_config_print_table (out, false);
}

static bool
s_number (const char *text, uint64_t *out)
{
    if (!text || !*text || *text == '-')
        return false;
    char *end = NULL;
    unsigned long long value = strtoull (text, &end, 10);
    if (*end)
        return false;
    *out = value;
    return true;
}

/* Takes gendata's own flags out of argv; the rest stay for inv_config_load. */
static int
s_own_flags (int *argc_p, char **argv, options_t *opts)
{
    int kept = 1;
    for (int i = 1; i < *argc_p; i++) {
        const char *arg = argv [i];
        const char *names [] = { "--count", "--seed", "--out", "--profile" };
        int which = -1;
        const char *value = NULL;
        for (int n = 0; n < 4; n++) {
            size_t len = strlen (names [n]);
            if (strncmp (arg, names [n], len) == 0 && (arg [len] == '\0' || arg [len] == '=')) {
                which = n;
                value = arg [len] == '='? arg + len + 1: i + 1 < *argc_p? argv [++i]: NULL;
            }
        }
        if (strcmp (arg, "--load") == 0) {
            opts->load = true;
            continue;
        }
        if (which < 0) {
            argv [kept++] = argv [i];
            continue;
        }
        if (!value) {
            fprintf (stderr, "gendata: %s needs a value\n", names [which]);
            return -1;
        }
        if (which == 2)
            opts->out = value;
        else
        if (which == 3) {
            opts->profile = gen_profile_find (value);
            if (!opts->profile) {
                fprintf (stderr, "gendata: --profile: \"%s\" is not a profile (%s)\n",
                         value, gen_profile_names ());
                return -1;
            }
        }
        else
        if (!s_number (value, which == 0? &opts->count: &opts->seed)
        ||  (which == 0 && (opts->count == 0 || opts->count > 10000000))) {
            fprintf (stderr, "gendata: %s: \"%s\" is not a %s\n", names [which], value,
                     which == 0? "count from 1 to 10000000": "whole number");
            return -1;
        }
    }
    argv [kept] = NULL;
    *argc_p = kept;
    return 0;
}

int
main (int argc, char **argv)
{
    options_t opts = { gen_profile_find ("shanxi"), 0, 1, NULL, false };
    if (s_own_flags (&argc, argv, &opts))
        return 2;
    inv_config_t cfg;
    char err [512];
    if (inv_config_load (&cfg, argc, argv, err, sizeof err)) {
        fprintf (stderr, "gendata: %s\n", err);
        return 2;
    }
    if (cfg.help) {
        s_usage (stdout);
        return 0;
    }
    if (cfg.argc > 0) {
        fprintf (stderr, "gendata: unexpected argument \"%s\" (gendata --help)\n", cfg.argv [0]);
        return 2;
    }
    inv_log_init ("gendata");
    inv_config_apply (&cfg);

    gen_t *gen = gen_new (opts.profile, cfg.province, opts.seed, err, sizeof err);
    if (!gen) {
        fprintf (stderr, "gendata: %s\n", err);
        return 2;
    }
    if (opts.count == 0)
        opts.count = opts.profile->count;
    int rc = 0;
    FILE *out = NULL;
    if (opts.out || !opts.load) {
        out = opts.out? fopen (opts.out, "w"): stdout;
        if (!out) {
            fprintf (stderr, "gendata: cannot write %s\n", opts.out);
            gen_destroy (&gen);
            return 1;
        }
        gen_csv_header (out);
    }
    /* Records are kept only when they are to be sent */
    gen_record_t *records = NULL;
    if (opts.load) {
        records = (gen_record_t *) calloc (opts.count, sizeof (gen_record_t));
        if (!records) {
            fprintf (stderr, "gendata: no memory for %" PRIu64 " records\n", opts.count);
            gen_destroy (&gen);
            if (opts.out)
                fclose (out);
            return 1;
        }
    }
    for (uint64_t i = 0; i < opts.count; i++) {
        gen_record_t one, *r = records? &records [i]: &one;
        gen_next (gen, r);
        if (out)
            gen_csv_row (out, r);
    }
    gen_destroy (&gen);
    if (out && (opts.out? fclose (out): fflush (out)) != 0) {
        fprintf (stderr, "gendata: cannot write %s\n", opts.out? opts.out: "stdout");
        rc = 1;
    }
    if (opts.load && rc == 0) {
        /* Development (no CURVE certificate): act as --as, else the provincial group */
        const char *principal = cfg.principal;
        if (!cfg.curve_cert && (!principal || !*principal))
            principal = "province";
        load_stats_t stats;
        if (load_run (&cfg, principal, LOAD_CLIENTS, records, opts.count, &stats)) {
            fprintf (stderr, "gendata: cannot make a client for %s\n", cfg.broker);
            rc = 2;
        }
        else {
            printf ("gendata: %" PRIu64 " enterprises: %zu added, %zu already present, %zu failed\n",
                    opts.count, stats.added, stats.present, stats.failed);
            if (stats.failed && stats.unanswered == stats.failed && stats.added + stats.present == 0)
                rc = 3;
            else
            if (stats.failed || stats.added + stats.present < opts.count)
                rc = 1;
        }
    }
    free (records);
    return rc;
}
