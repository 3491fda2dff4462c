/*  innovctl enterprise import FILE: a spreadsheet (CSV, UTF-8 or GB18030) into the
    ledger, as a stream of pipelined enterprise.import batches.

    The file is read record by record (inv_csv), each row turned into an
    innov.Enterprise (inv_entcsv). Rows the file format already refuses (a number that
    is not one, a yes/no that is neither, a row shorter than the header) are reported
    at once; the others fill a batch (--batch rows, 500 by default). A full batch (or one
    near BATCH_BYTES, below the broker's request limit) goes out on one of PARALLEL clients, each its own DEALER socket, so several batches are
    in flight while the file is still being read; replies are taken oldest first, so
    the report follows the file. A batch that gets no answer in time is sent again on
    a fresh socket with the same idempotency key ("import-<run>-<n>"), so a retry can
    never write twice.

    Every refused row is reported on stderr as "FILE:LINE: column: reason" (the first
    REPORT_MAX of them) and, with --rejects OUT.csv, written to OUT.csv as it was read
    plus a reason column, in UTF-8 with a byte order mark so Excel opens it. A progress
    line (percent of the file, rows/s) is drawn on stderr when it is a terminal, and
    one summary line ends the run on stdout.

    Exit: 0 every row imported, 1 some rows refused (or the file is unreadable), 2
    usage, 3 the registry could not be reached.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ctl.h"
#include "inv_csv.h"
#include "inv_entcsv.h"
#include "inv_clock.h"
#include "inv_service.h"

#define REGISTRY       "registry"
#define BATCH_DEFAULT  500
#define BATCH_MAX      5000
#define PARALLEL       4
#define REPORT_MAX     100
#define BATCH_BYTES    (768 * 1024)     /* well under the broker's 1 MiB request limit */

typedef struct {
    Innov__Enterprise **rows;       /* owned copies */
    uint32_t *lines;
    char **originals;               /* each row as read, CSV-encoded, for the rejects file */
    size_t n, size;
    size_t bytes;                   /* about what the rows take packed */
    zlistx_t *refused;              /* of refused_t *: rows the file format refused */
    char key [64];
    uint8_t *packed;                /* the request, kept for a retry */
    size_t packed_len;
} batch_t;

/* A refused row waiting for its turn in the report (rows are reported in file order). */
typedef struct {
    uint32_t line;
    char *original;
    char *reason;
} refused_t;

static refused_t *
s_refused_new (uint32_t line, const char *original, const char *reason)
{
    refused_t *r = (refused_t *) malloc (sizeof *r);
    assert (r);
    r->line = line;
    r->original = strdup (original? original: "");
    r->reason = strdup (reason);
    return r;
}

static void
s_refused_destroy (void **item)
{
    refused_t *r = (refused_t *) *item;
    if (r) {
        free (r->original);
        free (r->reason);
        free (r);
        *item = NULL;
    }
}

static int
s_refused_compare (const void *a, const void *b)
{
    uint32_t x = ((const refused_t *) a)->line, y = ((const refused_t *) b)->line;
    return x < y? -1: x > y;
}

typedef struct {
    mdp_client_t *client;
    batch_t *batch;                 /* in flight, or NULL */
    int attempts;
} slot_t;

typedef struct {
    ctl_t *ctl;
    const char *path;
    inv_entcsv_map_t map;
    char **header;                  /* the header row as read */
    size_t header_n;
    FILE *rejects;
    const char *rejects_path;
    bool dry_run;
    size_t batch_rows;
    slot_t slots [PARALLEL];
    size_t order [PARALLEL];        /* busy slots, oldest first */
    size_t busy;
    uint64_t batches;
    char run [16];
    /* counts */
    uint64_t read, created, updated, unchanged, rejected, reported;
    bool unreachable;
    int64_t started_ms, drawn_ms;
    off_t file_size;
    bool progress;
} import_t;

/* ---- rows and batches ---------------------------------------------------------------- */

static char *
s_encode_row (char **fields, size_t count)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out)
        return strdup ("");
    inv_csv_write_row (out, (const char **) fields, count);
    fclose (out);
    return text;
}

static Innov__Enterprise *
s_copy (const Innov__Enterprise *view)
{
    Innov__Enterprise *e = (Innov__Enterprise *) malloc (sizeof *e);
    assert (e);
    *e = *view;
    e->credit_code = strdup (view->credit_code);
    e->name = strdup (view->name);
    e->county = strdup (view->county);
    e->industry = strdup (view->industry);
    e->department = strdup (view->department);
    e->cluster = strdup (view->cluster);
    return e;
}

static void
s_free_copy (Innov__Enterprise *e)
{
    free (e->credit_code); free (e->name); free (e->county);
    free (e->industry); free (e->department); free (e->cluster);
    free (e);
}

static batch_t *
s_batch_new (size_t size)
{
    batch_t *batch = (batch_t *) calloc (1, sizeof *batch);
    assert (batch);
    batch->size = size;
    batch->rows = (Innov__Enterprise **) calloc (size, sizeof *batch->rows);
    batch->lines = (uint32_t *) calloc (size, sizeof *batch->lines);
    batch->originals = (char **) calloc (size, sizeof *batch->originals);
    assert (batch->rows && batch->lines && batch->originals);
    batch->refused = zlistx_new ();
    zlistx_set_destructor (batch->refused, s_refused_destroy);
    zlistx_set_comparator (batch->refused, s_refused_compare);
    return batch;
}

static void
s_batch_destroy (batch_t **batch_p)
{
    batch_t *batch = *batch_p;
    if (!batch)
        return;
    for (size_t i = 0; i < batch->n; i++) {
        if (batch->rows [i])
            s_free_copy (batch->rows [i]);
        free (batch->originals [i]);
    }
    free (batch->rows);
    free (batch->lines);
    free (batch->originals);
    free (batch->packed);
    zlistx_destroy (&batch->refused);
    free (batch);
    *batch_p = NULL;
}

/* Pack the request and drop the row copies (only lines and originals are needed now). */
static void
s_batch_pack (import_t *self, batch_t *batch)
{
    snprintf (batch->key, sizeof batch->key, "import-%s-%" PRIu64, self->run, ++self->batches);
    Innov__ImportEnterprisesRequest request = INNOV__IMPORT_ENTERPRISES_REQUEST__INIT;
    request.enterprises = batch->rows;
    request.n_enterprises = batch->n;
    request.lines = batch->lines;
    request.n_lines = batch->n;
    request.idempotency_key = batch->key;
    request.dry_run = self->dry_run;
    batch->packed_len = innov__import_enterprises_request__get_packed_size (&request);
    batch->packed = (uint8_t *) malloc (batch->packed_len + 1);
    assert (batch->packed);
    innov__import_enterprises_request__pack (&request, batch->packed);
    for (size_t i = 0; i < batch->n; i++) {
        s_free_copy (batch->rows [i]);
        batch->rows [i] = NULL;
    }
}

/* ---- reporting ------------------------------------------------------------------------- */

static void
s_clear_progress (import_t *self)
{
    if (self->progress && self->drawn_ms)
        fputs ("\r\033[K", stderr);
}

static void
s_draw_progress (import_t *self, size_t bytes, bool force)
{
    if (!self->progress)
        return;
    int64_t now = inv_clock_now_ms ();
    if (!force && now - self->drawn_ms < 200)
        return;
    self->drawn_ms = now;
    double seconds = (now - self->started_ms) / 1000.0;
    double rate = seconds > 0? self->read / seconds: 0;
    int percent = self->file_size > 0? (int) (100.0 * bytes / self->file_size): 0;
    if (percent > 100)
        percent = 100;
    char bar [31];
    for (int i = 0; i < 30; i++)
        bar [i] = i < percent * 30 / 100? '#': '-';
    bar [30] = 0;
    fprintf (stderr, "\r\033[K[%s] %3d%%  %" PRIu64 " rows  %.0f rows/s  %" PRIu64 " refused",
             bar, percent, self->read, rate, self->rejected);
    fflush (stderr);
}

/* One refused row: report (file:line: column: reason) and the rejects file. */
static void
s_refuse (import_t *self, uint32_t line, const char *original, const char *reason)
{
    self->rejected++;
    if (self->reported++ < REPORT_MAX) {
        s_clear_progress (self);
        fprintf (stderr, "%s:%u: %s\n", self->path, line, reason);
    }
    if (self->rejects && original) {
        size_t length = strlen (original);
        while (length && (original [length - 1] == '\n' || original [length - 1] == '\r'))
            length--;
        fwrite (original, 1, length, self->rejects);
        fputc (',', self->rejects);
        inv_csv_write_field (self->rejects, reason);
        fputs ("\r\n", self->rejects);
    }
}

/* Report a batch's refused rows (the file's and the registry's) in line order. */
static void
s_flush_refused (import_t *self, batch_t *batch)
{
    zlistx_sort (batch->refused);
    for (refused_t *r = (refused_t *) zlistx_first (batch->refused); r; r = (refused_t *) zlistx_next (batch->refused))
        s_refuse (self, r->line, r->original, r->reason);
    zlistx_purge (batch->refused);
}

/* The column header of a proto field, as the file writes it. */
static const char *
s_column (import_t *self, const char *field)
{
    int col = inv_entcsv_col_of_field (field);
    if (col >= 0 && *self->map.header [col])
        return self->map.header [col];
    return field && *field? field: "";
}

/* ---- sending and receiving ------------------------------------------------------------ */

static int
s_send (import_t *self, slot_t *slot)
{
    if (!slot->client) {
        inv_config_t cfg = *self->ctl->cfg;
        cfg.principal = self->ctl->principal;
        slot->client = inv_client_from_config (&cfg);
        if (!slot->client)
            return -1;
    }
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "enterprise.import");
    zmsg_addmem (body, slot->batch->packed, slot->batch->packed_len);
    return mdp_client_send (slot->client, REGISTRY, &body);
}

static void
s_take_reply (import_t *self, batch_t *batch, zmsg_t *answer)
{
    zframe_t *status_frame = zmsg_pop (answer);
    zframe_t *reply_frame = zmsg_pop (answer);
    Innov__Status *status = status_frame
        ? innov__status__unpack (NULL, zframe_size (status_frame), zframe_data (status_frame)): NULL;
    Innov__ImportEnterprisesReply *reply = status && status->code == 200 && reply_frame
        ? innov__import_enterprises_reply__unpack (NULL, zframe_size (reply_frame), zframe_data (reply_frame))
        : NULL;
    if (!reply) {
        char reason [600];
        snprintf (reason, sizeof reason, "batch refused: %d %s", status? status->code: 502,
                  status && status->message? status->message: "the reply does not decode");
        for (size_t i = 0; i < batch->n; i++)
            zlistx_add_end (batch->refused, s_refused_new (batch->lines [i], batch->originals [i], reason));
    }
    else {
        self->created += reply->created;
        self->updated += reply->updated;
        self->unchanged += reply->unchanged;
        /* one line per row: its rejections joined */
        for (size_t k = 0; k < reply->n_rejections; ) {
            uint32_t index = reply->rejections [k]->index;
            char reason [1024] = "";
            size_t used = 0;
            for (; k < reply->n_rejections && reply->rejections [k]->index == index; k++) {
                const Innov__ImportRejection *r = reply->rejections [k];
                const char *column = s_column (self, r->field);
                used += snprintf (reason + used, used < sizeof reason? sizeof reason - used: 0, "%s%s%s%s",
                                  used? "; ": "", column, *column? ": ": "", r->reason);
                if (used >= sizeof reason)
                    used = sizeof reason - 1;
            }
            if (index < batch->n)
                zlistx_add_end (batch->refused, s_refused_new (batch->lines [index], batch->originals [index], reason));
        }
        innov__import_enterprises_reply__free_unpacked (reply, NULL);
    }
    s_flush_refused (self, batch);
    if (status)
        innov__status__free_unpacked (status, NULL);
    zframe_destroy (&status_frame);
    zframe_destroy (&reply_frame);
}

/* Wait for the oldest batch in flight; -1 when the registry cannot be reached. */
static int
s_wait_oldest (import_t *self)
{
    slot_t *slot = &self->slots [self->order [0]];
    int timeout = self->ctl->cfg->timeout_ms > 0? self->ctl->cfg->timeout_ms: 5000;
    int retries = self->ctl->cfg->retries > 0? self->ctl->cfg->retries: 3;
    while (true) {
        int final = 0;
        zmsg_t *answer = mdp_client_recv (slot->client, &final, timeout);
        if (answer && final) {
            Innov__Status *status = NULL;
            zframe_t *first = zmsg_first (answer);
            if (first)
                status = innov__status__unpack (NULL, zframe_size (first), zframe_data (first));
            bool unavailable = status && status->code == 503;
            if (status)
                innov__status__free_unpacked (status, NULL);
            if (!unavailable || slot->attempts >= retries) {
                if (unavailable) {
                    zmsg_destroy (&answer);
                    return -1;
                }
                s_take_reply (self, slot->batch, answer);
                zmsg_destroy (&answer);
                break;
            }
            zmsg_destroy (&answer);
            zclock_sleep (200 * slot->attempts);
        }
        else {
            bool partial = answer != NULL;
            zmsg_destroy (&answer);
            if (partial)
                continue;                           /* a PARTIAL: keep waiting */
            if (zsys_interrupted || slot->attempts >= retries)
                return -1;
        }
        /* again on a fresh socket, same idempotency key */
        mdp_client_destroy (&slot->client);
        slot->attempts++;
        if (s_send (self, slot))
            return -1;
    }
    s_batch_destroy (&slot->batch);
    memmove (self->order, self->order + 1, (self->busy - 1) * sizeof self->order [0]);
    self->busy--;
    return 0;
}

static int
s_dispatch (import_t *self, batch_t **batch_p)
{
    if (self->busy == PARALLEL && s_wait_oldest (self))
        return -1;
    size_t free_slot = 0;
    for (size_t i = 0; i < PARALLEL; i++)
        if (!self->slots [i].batch)
            free_slot = i;
    slot_t *slot = &self->slots [free_slot];
    s_batch_pack (self, *batch_p);
    slot->batch = *batch_p;
    slot->attempts = 1;
    *batch_p = NULL;
    self->order [self->busy++] = free_slot;
    if (s_send (self, slot))
        return -1;
    return 0;
}

/* ---- the command ----------------------------------------------------------------------- */

static int
s_import (import_t *self, inv_csv_t *csv)
{
    char **fields;
    size_t count;
    int rc = inv_csv_read (csv, &fields, &count);
    if (rc <= 0)
        return ctl_fail (CTL_REFUSED, "%s: %s", self->path, rc? inv_csv_error (csv): "no header row");
    char err [512];
    if (inv_entcsv_map (&self->map, fields, count, err, sizeof err))
        return ctl_fail (CTL_REFUSED, "%s: %s (the header is line %zu; docs/import-export.md lists the names)",
                         self->path, err, inv_csv_line (csv));
    self->header_n = count;
    if (self->rejects) {
        inv_csv_write_bom (self->rejects);
        for (size_t i = 0; i < count; i++) {
            if (i)
                fputc (',', self->rejects);
            const char *text = fields [i];
            if (i == 0 && strncmp (text, "\xEF\xBB\xBF", 3) == 0)
                text += 3;
            inv_csv_write_field (self->rejects, text);
        }
        fputs (",错误原因\r\n", self->rejects);
    }
    batch_t *batch = NULL;
    int failed = 0;
    while ((rc = inv_csv_read (csv, &fields, &count)) == 1 && !zsys_interrupted) {
        self->read++;
        uint32_t line = (uint32_t) inv_csv_line (csv);
        char *original = s_encode_row (fields, count);
        Innov__Enterprise view;
        int col;
        char reason [1024];
        if (!batch)
            batch = s_batch_new (self->batch_rows);
        if (inv_entcsv_row (&self->map, fields, count, &view, &col, reason, sizeof reason)) {
            zlistx_add_end (batch->refused, s_refused_new (line, original, reason));
            free (original);
            continue;
        }
        batch->rows [batch->n] = s_copy (&view);
        batch->lines [batch->n] = line;
        batch->originals [batch->n] = original;
        batch->bytes += strlen (original) + 64;
        batch->n++;
        if ((batch->n == batch->size || batch->bytes > BATCH_BYTES) && s_dispatch (self, &batch)) {
            failed = -1;
            break;
        }
        s_draw_progress (self, inv_csv_bytes_read (csv), false);
    }
    if (rc < 0) {
        s_clear_progress (self);
        ctl_fail (0, "%s: %s", self->path, inv_csv_error (csv));
        failed = failed? failed: 1;
    }
    if (!failed && batch && batch->n && s_dispatch (self, &batch))
        failed = -1;
    while (failed >= 0 && self->busy)
        if (s_wait_oldest (self))
            failed = -1;
    if (batch && failed >= 0)
        s_flush_refused (self, batch);          /* a last batch of refused rows only */
    s_batch_destroy (&batch);
    s_draw_progress (self, inv_csv_bytes_read (csv), true);
    s_clear_progress (self);
    if (failed < 0) {
        self->unreachable = true;
        return ctl_fail (CTL_UNREACHABLE, "registry did not answer enterprise.import (broker %s); "
                         "rows sent so far are imported, run the import again to finish",
                         self->ctl->cfg->broker);
    }
    return failed? CTL_REFUSED: CTL_OK;
}

int
cmd_import (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = {
        { "rejects", true, NULL }, { "dry-run", false, NULL }, { "batch", true, NULL },
        { "encoding", true, NULL }, { NULL }
    };
    const char *command = "enterprise import";
    const char *pos [1];
    int rc = ctl_parse_one (command, argc, argv, opts, "the file to import (CSV, UTF-8 or GB18030; - for stdin)", &pos [0]);
    if (rc)
        return rc;
    import_t self = { ctl, pos [0] };
    self.dry_run = ctl_opt (opts, "dry-run") != NULL;
    self.batch_rows = BATCH_DEFAULT;
    if (ctl_opt (opts, "batch")) {
        uint64_t value;
        if (!ctl_parse_uint (ctl_opt (opts, "batch"), BATCH_MAX, &value) || value == 0)
            return ctl_usage (command, "--batch: \"%s\" is not a whole number from 1 to %d",
                              ctl_opt (opts, "batch"), BATCH_MAX);
        self.batch_rows = (size_t) value;
    }
    FILE *in = strcmp (self.path, "-") == 0? stdin: fopen (self.path, "rb");
    if (!in)
        return ctl_fail (CTL_REFUSED, "%s: %s", self.path, strerror (errno));
    struct stat st;
    if (fstat (fileno (in), &st) == 0 && S_ISREG (st.st_mode))
        self.file_size = st.st_size;
    char err [256];
    inv_csv_t *csv = inv_csv_new (in, ctl_opt (opts, "encoding"), err, sizeof err);
    if (!csv) {
        if (in != stdin)
            fclose (in);
        return ctl_usage (command, "--encoding: %s", err);
    }
    self.rejects_path = ctl_opt (opts, "rejects");
    if (self.rejects_path) {
        self.rejects = fopen (self.rejects_path, "wb");
        if (!self.rejects) {
            inv_csv_destroy (&csv);
            if (in != stdin)
                fclose (in);
            return ctl_fail (CTL_REFUSED, "%s: %s", self.rejects_path, strerror (errno));
        }
    }
    zuuid_t *uuid = zuuid_new ();
    snprintf (self.run, sizeof self.run, "%.12s", zuuid_str_canonical (uuid));
    zuuid_destroy (&uuid);
    self.progress = isatty (STDERR_FILENO) && !ctl->cfg->json;
    self.started_ms = inv_clock_now_ms ();

    rc = s_import (&self, csv);
    double seconds = (inv_clock_now_ms () - self.started_ms) / 1000.0;
    if (self.header_n) {
        printf ("%s (%s): read %" PRIu64 ", created %" PRIu64 ", updated %" PRIu64 ", unchanged %" PRIu64
                ", rejected %" PRIu64 "%s%s%s in %.1f s (%.0f rows/s)%s\n",
                self.path, inv_csv_encoding (csv), self.read, self.created, self.updated, self.unchanged,
                self.rejected, self.rejected && self.rejects_path? " (see ": "",
                self.rejected && self.rejects_path? self.rejects_path: "",
                self.rejected && self.rejects_path? ")": "", seconds,
                seconds > 0? self.read / seconds: 0.0, self.dry_run? "; dry run, nothing written": "");
        if (self.reported > REPORT_MAX)
            fprintf (stderr, "%s: %" PRIu64 " more refused rows not shown%s%s\n", self.path,
                     self.reported - REPORT_MAX, self.rejects_path? ", all are in ": "",
                     self.rejects_path? self.rejects_path: "");
    }
    for (size_t i = 0; i < PARALLEL; i++) {
        s_batch_destroy (&self.slots [i].batch);
        mdp_client_destroy (&self.slots [i].client);
    }
    if (self.rejects)
        fclose (self.rejects);
    inv_csv_destroy (&csv);
    if (in != stdin)
        fclose (in);
    if (rc == CTL_OK && self.rejected)
        rc = CTL_REFUSED;
    return rc;
}
