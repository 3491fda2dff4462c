/*  gateway_bulk: spreadsheets over HTTP, the same files as `innovctl enterprise import`
    and `export`.

    POST /api/v1/enterprises:import: the body is the file (CSV, UTF-8 or GB18030, the
    encoding detected unless ?encoding= says it). It is read with inv_csv from memory,
    each row turned into an Enterprise by inv_entcsv (rows the file format refuses are
    reported at once), and sent to the registry in enterprise.import batches of BATCH
    rows (the registry validates and upserts each row), with one idempotency key per
    batch, so the pool client's retries never write twice. The reply is an ImportReport:
    counts and every refused row with its line, field, column header and reason, in line
    order; when the registry refused every batch with 403 (the caller may write none of
    the rows), the answer is that 403. ?dryRun=true validates and classifies without
    writing.

    GET /api/v1/enterprises:export?format=csv|xlsx&<filters of the list>: pages of
    enterprise.list (1000 each) written by inv_entsheet to a temporary file, which is
    then sent (and removed as soon as it is open). The first page is asked before the
    file is made, so a refused filter answers JSON, not a broken download.
*/
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gateway_internal.h"
#include "inv_csv.h"
#include "inv_entcsv.h"
#include "inv_entsheet.h"
#include "inv_rpc.h"

#define BATCH       500
#define PAGE        1000
#define REASON_MAX  1024

typedef struct {
    gateway_t *gateway;
    gw_request_t *req;
    inv_entcsv_map_t map;
    Innov__ImportReport report;
    zlistx_t *rejections;       /* of Innov__ImportRowError * */
    Innov__Enterprise *rows [BATCH];
    uint32_t lines [BATCH];
    size_t n;
    char run [40];
    uint64_t batches;
    bool dry_run;
    int failed_code;            /* a batch the registry could not take at all (503...) */
    char failed [512];
    uint64_t forbidden;         /* batches refused 403: the caller may write none of them */
    char forbidden_reason [512];
} import_t;

static void
s_rejection_free (void **item)
{
    Innov__ImportRowError *r = (Innov__ImportRowError *) *item;
    if (r) {
        innov__import_row_error__free_unpacked (r, NULL);
        *item = NULL;
    }
}

static int
s_by_line (const void *a, const void *b)
{
    uint32_t x = ((const Innov__ImportRowError *) a)->line, y = ((const Innov__ImportRowError *) b)->line;
    return x < y? -1: x > y;
}

static void
s_reject (import_t *self, uint32_t line, const char *field, const char *reason)
{
    Innov__ImportRowError *r = (Innov__ImportRowError *) malloc (sizeof *r);
    assert (r);
    innov__import_row_error__init (r);
    r->line = line;
    r->field = strdup (field? field: "");
    int col = field && *field? inv_entcsv_col_of_field (field): -1;
    r->column = strdup (col >= 0 && *self->map.header [col]? self->map.header [col]: (field? field: ""));
    r->reason = strdup (reason);
    zlistx_add_end (self->rejections, r);
    self->report.rejected++;
}

/* Sends the rows in hand as one enterprise.import. */
static void
s_flush (import_t *self)
{
    if (self->n == 0)
        return;
    char key [64];
    snprintf (key, sizeof key, "http-import-%s-%" PRIu64, self->run, ++self->batches);
    Innov__ImportEnterprisesRequest request = INNOV__IMPORT_ENTERPRISES_REQUEST__INIT;
    request.enterprises = self->rows;
    request.n_enterprises = self->n;
    request.lines = self->lines;
    request.n_lines = self->n;
    request.idempotency_key = key;
    request.dry_run = self->dry_run;
    ProtobufCMessage *message = NULL;
    Innov__Status *status = NULL;
    int code = self->failed_code? self->failed_code
             : gw_pool_call (self->gateway->pool, self->req->principal, "registry", "enterprise.import",
                             &request.base, &innov__import_enterprises_reply__descriptor, &message, &status);
    if (code == 200 && message) {
        Innov__ImportEnterprisesReply *reply = (Innov__ImportEnterprisesReply *) message;
        self->report.created += reply->created;
        self->report.updated += reply->updated;
        self->report.unchanged += reply->unchanged;
        for (size_t k = 0; k < reply->n_rejections; k++) {
            const Innov__ImportRejection *r = reply->rejections [k];
            uint32_t line = r->index < self->n? self->lines [r->index]: r->line;
            s_reject (self, line, r->field, r->reason);
        }
    }
    else {
        if (code == 403 && self->forbidden++ == 0)
            snprintf (self->forbidden_reason, sizeof self->forbidden_reason, "%s",
                      status && status->message? status->message: "refused");
        if (code == 503 && !self->failed_code) {
            self->failed_code = 503;
            snprintf (self->failed, sizeof self->failed, "%s",
                      status && status->message? status->message: "the registry cannot be reached");
        }
        char reason [600];
        snprintf (reason, sizeof reason, "batch refused: %d %s", code,
                  status && status->message? status->message: self->failed);
        for (size_t i = 0; i < self->n; i++)
            s_reject (self, self->lines [i], "", reason);
    }
    if (message)
        protobuf_c_message_free_unpacked (message, NULL);
    if (status)
        innov__status__free_unpacked (status, NULL);
    for (size_t i = 0; i < self->n; i++)
        innov__enterprise__free_unpacked (self->rows [i], NULL);
    self->n = 0;
}

/* A deep copy of a row view (its strings point into the CSV reader's buffer). */
static Innov__Enterprise *
s_copy (const Innov__Enterprise *view)
{
    size_t size = 0;
    uint8_t *packed = inv_rpc_pack (&view->base, &size);
    Innov__Enterprise *copy = innov__enterprise__unpack (NULL, size, packed);
    free (packed);
    return copy;
}

static bool
s_true (const char *text)
{
    return text && (strcmp (text, "1") == 0 || strcasecmp (text, "true") == 0 || strcasecmp (text, "yes") == 0);
}

int
gw_import (gateway_t *gateway, gw_request_t *req)
{
    if (!req->body || req->body_size == 0)
        return gw_reply_field_error (req, "body", "is empty: send the spreadsheet (CSV) as the body");
    const char *encoding = gw_query (req, "encoding");
    FILE *in = fmemopen (req->body, req->body_size, "rb");
    if (!in)
        return gw_reply_error (req, 500, "cannot read the body: %s", strerror (errno));
    char err [256] = "";
    inv_csv_t *csv = inv_csv_new (in, encoding && *encoding? encoding: NULL, err, sizeof err);
    if (!csv) {
        fclose (in);
        return gw_reply_field_error (req, "encoding", err);
    }
    import_t *self = (import_t *) calloc (1, sizeof *self);
    assert (self);
    self->gateway = gateway;
    self->req = req;
    self->dry_run = s_true (gw_query (req, "dryRun"));
    innov__import_report__init (&self->report);
    self->rejections = zlistx_new ();
    zlistx_set_destructor (self->rejections, s_rejection_free);
    zlistx_set_comparator (self->rejections, s_by_line);
    zuuid_t *uuid = zuuid_new ();
    snprintf (self->run, sizeof self->run, "%s", zuuid_str (uuid));
    zuuid_destroy (&uuid);

    int rc = 0;
    char **fields = NULL;
    size_t count = 0;
    int got = inv_csv_read (csv, &fields, &count);
    if (got <= 0) {
        rc = gw_reply_field_error (req, "header", got < 0? inv_csv_error (csv): "the file has no header row");
        goto done;
    }
    if (inv_entcsv_map (&self->map, fields, count, err, sizeof err)) {
        rc = gw_reply_field_error (req, "header", err);
        goto done;
    }
    while ((got = inv_csv_read (csv, &fields, &count)) > 0) {
        uint32_t line = (uint32_t) inv_csv_line (csv);
        self->report.read++;
        Innov__Enterprise view;
        int col = -1;
        char reason [REASON_MAX];
        if (inv_entcsv_row (&self->map, fields, count, &view, &col, reason, sizeof reason)) {
            s_reject (self, line, col >= 0? inv_entcsv_field ((inv_col_t) col): "", reason);
            continue;
        }
        Innov__Enterprise *copy = s_copy (&view);
        if (!copy) {
            s_reject (self, line, "", "the row does not encode");
            continue;
        }
        self->rows [self->n] = copy;
        self->lines [self->n] = line;
        if (++self->n == BATCH)
            s_flush (self);
    }
    s_flush (self);
    if (got < 0) {
        char reason [512];
        snprintf (reason, sizeof reason, "line %zu: %s (rows before it were imported)",
                  inv_csv_line (csv), inv_csv_error (csv));
        rc = gw_reply_field_error (req, "body", reason);
        goto done;
    }
    if (self->failed_code) {
        rc = gw_reply_error (req, self->failed_code, "%s", self->failed);
        goto done;
    }
    if (self->batches && self->forbidden == self->batches) {
        //  Every row was refused because the caller may not write it: the whole
        //  request is forbidden, as the registry says (nothing was written).
        rc = gw_reply_error (req, 403, "%s", self->forbidden_reason);
        goto done;
    }
    self->report.encoding = (char *) inv_csv_encoding (csv);
    self->report.dry_run = self->dry_run;
    zlistx_sort (self->rejections);
    size_t n = zlistx_size (self->rejections);
    Innov__ImportRowError **list = (Innov__ImportRowError **) calloc (n + 1, sizeof *list);
    assert (list);
    size_t i = 0;
    for (Innov__ImportRowError *r = (Innov__ImportRowError *) zlistx_first (self->rejections); r;
         r = (Innov__ImportRowError *) zlistx_next (self->rejections))
        list [i++] = r;
    self->report.rejections = list;
    self->report.n_rejections = n;
    inv_info ("import for %s: read %u, created %u, updated %u, unchanged %u, rejected %u%s",
              req->principal, self->report.read, self->report.created, self->report.updated,
              self->report.unchanged, self->report.rejected, self->dry_run? " (dry run)": "");
    rc = gw_reply_json (req, 200, inv_json_from_pb (&self->report.base, false, true));
    free (list);
done:
    for (size_t k = 0; k < self->n; k++)
        innov__enterprise__free_unpacked (self->rows [k], NULL);
    zlistx_destroy (&self->rejections);
    free (self);
    inv_csv_destroy (&csv);
    fclose (in);
    return rc;
}

/* ---- export ------------------------------------------------------------------------------- */

typedef struct {
    ProtobufCMessage *message;
    inv_json_error_t err;
    bool failed;
} filters_t;

static enum MHD_Result
s_filter (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    filters_t *f = (filters_t *) cls;
    if (f->failed || strcmp (key, "format") == 0 || strcmp (key, "access_token") == 0)
        return MHD_YES;
    if (strcmp (key, "cursor") == 0 || strcmp (key, "limit") == 0)
        return MHD_YES;
    if (inv_json_set_field (f->message, key, value? value: "", &f->err)) {
        f->failed = true;
        return MHD_NO;
    }
    return MHD_YES;
}

int
gw_export (gateway_t *gateway, gw_request_t *req)
{
    const char *format = gw_query (req, "format");
    if (!format || !*format)
        format = "csv";
    bool xlsx = strcasecmp (format, "xlsx") == 0;
    if (!xlsx && strcasecmp (format, "csv") != 0)
        return gw_reply_field_error (req, "format", "is neither csv nor xlsx");
    /* on the heap: inv_json_set_field malloc's what it sets, freed with the message */
    Innov__ListEnterprisesRequest *request = (Innov__ListEnterprisesRequest *) malloc (sizeof *request);
    assert (request);
    innov__list_enterprises_request__init (request);
    filters_t filters = { &request->base, { "", "" }, false };
    MHD_get_connection_values (req->connection, MHD_GET_ARGUMENT_KIND, s_filter, &filters);
    int rc;
    char *cursor = NULL;
    if (filters.failed) {
        rc = gw_reply_field_error (req, filters.err.field, filters.err.reason);
        goto cleanup;
    }
    request->limit = PAGE;
    ProtobufCMessage *reply = NULL;
    Innov__Status *status = NULL;
    int code = gw_pool_call (gateway->pool, req->principal, "registry", "enterprise.list", &request->base,
                             &innov__list_enterprises_reply__descriptor, &reply, &status);
    if (code != 200) {
        rc = status? gw_reply_status (req, status, gw_http_code (code))
                   : gw_reply_error (req, gw_http_code (code), "enterprise.list failed");
        if (status)
            innov__status__free_unpacked (status, NULL);
        goto cleanup;
    }
    if (status)
        innov__status__free_unpacked (status, NULL);

    char path [] = "/tmp/innov-export-XXXXXX";
    int fd = mkstemp (path);
    if (fd < 0) {
        protobuf_c_message_free_unpacked (reply, NULL);
        rc = gw_reply_error (req, 500, "cannot make a temporary file: %s", strerror (errno));
        goto cleanup;
    }
    close (fd);
    inv_entsheet_t *sheet = inv_entsheet_new (path, xlsx);
    if (!sheet) {
        unlink (path);
        protobuf_c_message_free_unpacked (reply, NULL);
        rc = gw_reply_error (req, 500, "cannot write the spreadsheet");
        goto cleanup;
    }
    uint64_t written = 0;
    code = 200;
    while (reply) {
        Innov__ListEnterprisesReply *page = (Innov__ListEnterprisesReply *) reply;
        for (size_t i = 0; i < page->n_enterprises; i++)
            inv_entsheet_write (sheet, page->enterprises [i]);
        written += page->n_enterprises;
        bool more = page->next_cursor && *page->next_cursor && page->n_enterprises > 0;
        if (request->cursor != protobuf_c_empty_string)
            free (request->cursor);
        request->cursor = more? strdup (page->next_cursor): (char *) protobuf_c_empty_string;
        protobuf_c_message_free_unpacked (reply, NULL);
        reply = NULL;
        if (!more)
            break;
        code = gw_pool_call (gateway->pool, req->principal, "registry", "enterprise.list", &request->base,
                             &innov__list_enterprises_reply__descriptor, &reply, NULL);
        if (code != 200)
            break;
    }
    char err [256];
    if (inv_entsheet_close (&sheet, err, sizeof err) || code != 200) {
        unlink (path);
        rc = gw_reply_error (req, code != 200? gw_http_code (code): 500, "the export stopped after %" PRIu64
                             " enterprises%s%s", written, code == 200? ": ": "", code == 200? err: "");
        goto cleanup;
    }
    fd = open (path, O_RDONLY);
    unlink (path);
    struct stat st;
    if (fd < 0 || fstat (fd, &st)) {
        if (fd >= 0)
            close (fd);
        rc = gw_reply_error (req, 500, "cannot read the spreadsheet back");
        goto cleanup;
    }
    struct MHD_Response *response = MHD_create_response_from_fd ((uint64_t) st.st_size, fd);
    MHD_add_response_header (response, "Content-Type", xlsx
                             ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                             : "text/csv; charset=utf-8");
    MHD_add_response_header (response, "Content-Disposition", xlsx
                             ? "attachment; filename=\"enterprises.xlsx\""
                             : "attachment; filename=\"enterprises.csv\"");
    req->code = 200;
    rc = MHD_queue_response (req->connection, 200, response);
    MHD_destroy_response (response);
    inv_info ("export for %s: %" PRIu64 " enterprises (%s)", req->principal, written, xlsx? "XLSX": "CSV");
cleanup:
    free (cursor);
    protobuf_c_message_free_unpacked (&request->base, NULL);
    return rc;
}
