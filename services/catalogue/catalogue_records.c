/*  catalogue_records: demonstrations (百家创新示范: demo.add / update / get / list) and
    the support catalogues (support.add / get / list: the procurement catalogue of
    innovative products and services, first-unit / first-batch / first-version records
    and the candidates of the enterprise innovation board).

    Each record names an enterprise of the registry (checked with enterprise.get: a
    code the registry does not know is refused 404 naming the field); its city comes
    from there and decides who may write it (the province, a department, its city or
    county). Records are kept per year in one sorted set each, in the order they were
    added; lists read the year's index and filter.
*/
#include <czmq.h>
#include "catalogue_internal.h"
#include "inv_clock.h"
#include "inv_log.h"

#define ADOPTERS_MAX 100
#define IP_MAX       50

static const char *
s_demo_kind_label (int kind)
{
    static const char *labels [] = { "?", "技术创新示范企业", "智能制造", "绿色制造", "大数据", "氢能", "其他" };
    return kind >= 0 && kind <= 6? labels [kind]: "?";
}

static void
s_check_demo (catalogue_t *self, inv_call_t *call, const Innov__Demonstration *d, bool adding,
              zlist_t *adopters)
{
    if (adding || d->kind)
        if (d->kind < 1 || d->kind > 6)
            inv_call_field_error (call, "demo.kind", "must be tech_innovation, smart_manufacturing, "
                                  "green_manufacturing, big_data, hydrogen or other");
    catalogue_check_text (call, "demo.title", d->title, CATALOGUE_NAME_MAX, adding);
    catalogue_check_text (call, "demo.experience", d->experience, CATALOGUE_TEXT_MAX * 4, false);
    if (d->n_adopters > ADOPTERS_MAX)
        inv_call_field_error (call, "demo.adopters", "at most %d", ADOPTERS_MAX);
    if (inv_call_failed (call))
        return;
    for (size_t i = 0; i < d->n_adopters && !inv_call_failed (call); i++) {
        Innov__Enterprise *a = NULL;
        if (catalogue_enterprise (self, call, "demo.adopters", d->adopters [i], &a)) {
            zlist_append (adopters, a->credit_code);
            innov__enterprise__free_unpacked (a, NULL);
        }
    }
}

static void
s_demo_write (catalogue_t *self, inv_call_t *call, bool adding)
{
    const Innov__DemoWriteRequest *req = (const Innov__DemoWriteRequest *) call->request;
    const Innov__Demonstration *in = req->demo;
    if (!catalogue_check_subject (call, "demo", in, in? in->id: NULL, adding))
        return;
    catalogue_check_idempotency_key (call, req->idempotency_key);
    uint32_t year = catalogue_year (call, "demo.year", in->year);
    if (inv_call_failed (call))
        return;
    Innov__Demonstration *cur = NULL;
    char key [CATALOGUE_KEY_MAX], what [80];
    if (!adding) {
        snprintf (what, sizeof what, "demonstration %s", in->id);
        if (!catalogue_load (self, call, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_DEMO, in->id),
                       &innov__demonstration__descriptor, what, (ProtobufCMessage **) &cur))
            return;
    }
    Innov__Enterprise *e = NULL;
    zlist_t *adopters = zlist_new ();
    zlist_autofree (adopters);
    const char *code = adding? in->credit_code: cur->credit_code;
    if (!catalogue_enterprise (self, call, "demo.credit_code", code, &e))
        goto done;
    if (!catalogue_may_write_about (call, e, adding? "record a demonstration": "update a demonstration"))
        goto done;
    s_check_demo (self, call, in, adding, adopters);
    if (inv_call_failed (call))
        goto done;
    char id [32];
    if (adding && !catalogue_new_id (self, call, "demo", "D", year, 3, id, sizeof id))
        goto done;
    Innov__Demonstration d = adding? *in: *cur;
    char *codes [ADOPTERS_MAX];
    size_t n = 0;
    for (char *c = zlist_first (adopters); c; c = zlist_next (adopters))
        codes [n++] = c;
    if (adding) {
        d.id = id;
        d.year = year;
        d.version = 1;
    }
    else {
        if (in->kind)
            d.kind = in->kind;
        if (!catalogue_empty (in->title))
            d.title = in->title;
        if (!catalogue_empty (in->experience))
            d.experience = in->experience;
        d.version = cur->version + 1;
    }
    if (adding || in->n_adopters) {
        d.adopters = codes;
        d.n_adopters = n;
    }
    d.credit_code = e->credit_code;
    d.enterprise_name = e->name;
    d.city = e->city;
    d.updated_ms = inv_clock_now_ms ();
    d.updated_by = (char *) catalogue_str (call->caller);
    char version [24];
    snprintf (version, sizeof version, "%llu", (unsigned long long) d.version);

    catalogue_write_t *w = catalogue_write_new (self->province);
    int record = catalogue_write_key (w, CATALOGUE_KEY_DEMO, d.id);
    if (adding) {
        catalogue_write_absent (w, record, "demonstration exists");
        catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_DEMO_IDX, year), atof (strrchr (d.id, '-') + 1), d.id);
        catalogue_write_count (w, d.year, e->city, "demos", 1);
    }
    else
        catalogue_write_version (w, record, cur->version);
    catalogue_write_record (w, record, &d.base, "version", version, NULL);
    catalogue_write_emit (w, adding? "demo.added": "demo.updated", d.id, &d.base, e->city, e->county);
    catalogue_write_result (w, &d.base);
    if (catalogue_write_finish (w, self, call, req->idempotency_key, &innov__demonstration__descriptor,
                          &innov__demo_reply__descriptor) == 200)
        inv_info ("%s %s %s (%s) by %s", adding? "demo.added": "demo.updated", d.id, d.enterprise_name,
                  s_demo_kind_label (d.kind), d.updated_by);
    catalogue_write_destroy (&w);
done:
    zlist_destroy (&adopters);
    if (e)
        innov__enterprise__free_unpacked (e, NULL);
    if (cur)
        innov__demonstration__free_unpacked (cur, NULL);
}

void
catalogue_demo_add (void *ctx, inv_call_t *call)
{
    s_demo_write ((catalogue_t *) ctx, call, true);
}

void
catalogue_demo_update (void *ctx, inv_call_t *call)
{
    s_demo_write ((catalogue_t *) ctx, call, false);
}

/* One record by id (format of its key), into the reply's first field. */
static void
s_get (catalogue_t *self, inv_call_t *call, const char *key_fmt, const char *what_kind,
       const ProtobufCMessageDescriptor *desc, const ProtobufCMessageDescriptor *reply_desc)
{
    const Innov__CatalogueGetRequest *req = (const Innov__CatalogueGetRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    char rest [CATALOGUE_KEY_MAX], key [CATALOGUE_KEY_MAX], what [96];
    snprintf (rest, sizeof rest, key_fmt, catalogue_str (req->id));
    snprintf (what, sizeof what, "%s %s", what_kind, catalogue_str (req->id));
    ProtobufCMessage *record = NULL;
    if (!catalogue_load (self, call, inv_key (key, sizeof key, self->province, "%s", rest), desc, what, &record))
        return;
    uint8_t reply_mem [256] __attribute__ ((aligned (16)));
    ProtobufCMessage *reply = (ProtobufCMessage *) reply_mem;
    protobuf_c_message_init (reply_desc, reply);
    *(ProtobufCMessage **) ((char *) reply + reply_desc->fields [0].offset) = record;
    inv_caller_reply_copy (call, reply);
    protobuf_c_message_free_unpacked (record, NULL);
}

void
catalogue_demo_get (void *ctx, inv_call_t *call)
{
    s_get ((catalogue_t *) ctx, call, CATALOGUE_KEY_DEMO, "demonstration", &innov__demonstration__descriptor,
           &innov__demo_reply__descriptor);
}

/* For a list request: after the read check, every record of the index of the year
   given (0: this year), in order (NULL entries skipped), *n set; NULL once the call
   has its error. */
static ProtobufCMessage **
s_year_records (catalogue_t *self, inv_call_t *call, const char *idx_fmt, const char *key_fmt, uint32_t given,
                const ProtobufCMessageDescriptor *desc, size_t *n)
{
    if (!catalogue_may_read (call))
        return NULL;
    uint32_t year = catalogue_year (call, "year", given);
    if (inv_call_failed (call))
        return NULL;
    char key [CATALOGUE_KEY_MAX], rest [CATALOGUE_KEY_MAX];
    snprintf (rest, sizeof rest, idx_fmt, year);
    bool failed = false;
    ProtobufCMessage **loaded = catalogue_load_indexed (self, call, inv_key (key, sizeof key, self->province, "%s", rest),
                                                  key_fmt, desc, n, &failed);
    if (failed)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    return loaded;
}

/* Replies with list unless the call failed, then frees the n records of all. */
static void
s_reply_records (inv_call_t *call, const ProtobufCMessage *list, ProtobufCMessage **all, size_t n)
{
    if (!inv_call_failed (call))
        inv_caller_reply_copy (call, list);
    catalogue_free_records (all, n);
}

void
catalogue_demo_list (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__DemoListRequest *req = (const Innov__DemoListRequest *) call->request;
    size_t n = 0, m = 0;
    ProtobufCMessage **all = s_year_records (self, call, CATALOGUE_KEY_DEMO_IDX, CATALOGUE_KEY_DEMO, req->year,
                                             &innov__demonstration__descriptor, &n);
    if (!all)
        return;
    Innov__Demonstration **demos = (Innov__Demonstration **) calloc (n + 1, sizeof (Innov__Demonstration *));
    for (size_t i = 0; i < n; i++) {
        Innov__Demonstration *d = (Innov__Demonstration *) all [i];
        if ((!req->kind || d->kind == req->kind) && (catalogue_empty (req->city) || streq (d->city, req->city)))
            demos [m++] = d;
    }
    Innov__DemoListReply reply = INNOV__DEMO_LIST_REPLY__INIT;
    reply.demos = demos;
    reply.n_demos = m;
    s_reply_records (call, &reply.base, all, n);
    free (demos);
}

/* ---- support catalogues ------------------------------------------------------------------ */

static const char *s_support_figure [] = { "", "support.procurement", "support.first_unit", "support.first_batch",
                                           "support.first_version", "support.innovation_board" };

void
catalogue_support_add (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__SupportWriteRequest *req = (const Innov__SupportWriteRequest *) call->request;
    const Innov__SupportRecord *in = req->record;
    if (!in) {
        inv_call_field_error (call, "record", "is required");
        return;
    }
    if (in->kind < 1 || in->kind > 5)
        inv_call_field_error (call, "record.kind", "must be procurement, first_unit, first_batch, first_version "
                              "or innovation_board");
    catalogue_check_text (call, "record.product", in->product, CATALOGUE_NAME_MAX, in->kind != 5);
    catalogue_check_text (call, "record.description", in->description, CATALOGUE_TEXT_MAX, false);
    if (in->n_ip > IP_MAX)
        inv_call_field_error (call, "record.ip", "at most %d", IP_MAX);
    for (size_t i = 0; i < in->n_ip && i < IP_MAX; i++)
        catalogue_check_text (call, "record.ip", in->ip [i], CATALOGUE_NAME_MAX, true);
    if (in->kind == 5 && in->n_ip == 0)
        inv_call_field_error (call, "record.ip", "an innovation-board candidate names its key core technology's "
                              "IP (patents ...)");
    catalogue_check_idempotency_key (call, req->idempotency_key);
    uint32_t year = catalogue_year (call, "record.year", in->year);
    if (inv_call_failed (call))
        return;
    Innov__Enterprise *e = NULL;
    if (!catalogue_enterprise (self, call, "record.credit_code", in->credit_code, &e))
        return;
    char id [32];
    if (!catalogue_may_write_about (call, e, "add a support record")
    ||  !catalogue_new_id (self, call, "sup", "S", year, 3, id, sizeof id)) {
        innov__enterprise__free_unpacked (e, NULL);
        return;
    }
    Innov__SupportRecord r = *in;
    r.id = id;
    r.year = year;
    r.enterprise_name = e->name;
    r.city = e->city;
    r.version = 1;
    r.updated_ms = inv_clock_now_ms ();
    r.updated_by = (char *) catalogue_str (call->caller);
    catalogue_write_t *w = catalogue_write_new (self->province);
    int record = catalogue_write_key (w, CATALOGUE_KEY_SUPPORT, id);
    catalogue_write_absent (w, record, "support record exists");
    catalogue_write_record (w, record, &r.base, "version", "1", NULL);
    catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_SUPPORT_IDX, year), atof (strrchr (id, '-') + 1), id);
    catalogue_write_count (w, year, e->city, s_support_figure [in->kind], 1);
    catalogue_write_emit (w, "support.added", id, &r.base, e->city, e->county);
    catalogue_write_result (w, &r.base);
    if (catalogue_write_finish (w, self, call, req->idempotency_key, &innov__support_record__descriptor,
                          &innov__support_reply__descriptor) == 200)
        inv_info ("support.added %s %s for %s by %s", id, s_support_figure [in->kind], e->credit_code, r.updated_by);
    catalogue_write_destroy (&w);
    innov__enterprise__free_unpacked (e, NULL);
}

void
catalogue_support_get (void *ctx, inv_call_t *call)
{
    s_get ((catalogue_t *) ctx, call, CATALOGUE_KEY_SUPPORT, "support record", &innov__support_record__descriptor,
           &innov__support_reply__descriptor);
}

void
catalogue_support_list (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__SupportListRequest *req = (const Innov__SupportListRequest *) call->request;
    size_t n = 0, m = 0;
    ProtobufCMessage **all = s_year_records (self, call, CATALOGUE_KEY_SUPPORT_IDX, CATALOGUE_KEY_SUPPORT, req->year,
                                             &innov__support_record__descriptor, &n);
    if (!all)
        return;
    Innov__SupportRecord **records = (Innov__SupportRecord **) calloc (n + 1, sizeof (Innov__SupportRecord *));
    for (size_t i = 0; i < n; i++) {
        Innov__SupportRecord *r = (Innov__SupportRecord *) all [i];
        if ((!req->kind || r->kind == req->kind) && (catalogue_empty (req->city) || streq (r->city, req->city))
        &&  (catalogue_empty (req->credit_code) || streq (r->credit_code, req->credit_code)))
            records [m++] = r;
    }
    Innov__SupportListReply reply = INNOV__SUPPORT_LIST_REPLY__INIT;
    reply.records = records;
    reply.n_records = m;
    s_reply_records (call, &reply.base, all, n);
    free (records);
}
