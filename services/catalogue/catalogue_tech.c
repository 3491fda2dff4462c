/*  catalogue_tech: the key-technology directory (百项关键共性技术导向目录) of a year:
    tech.add / amend / withdraw / publish / get / list / diff.

    Every entry keeps all its versions (cat.tech.ver:<id>, oldest first), each with the
    instant it took effect, the change, its reason and author; the hash cat.tech:<id>
    holds the current one. Before the directory is published it is a draft: an amended
    or withdrawn draft entry replaces its only version (LSET), and reasons are optional.
    tech.publish freezes that first version: from then on every add, amend and
    withdrawal is an adjustment that appends a version and needs a reason.

    Reading the past: a version counts from max(its valid_from, the publication), so
    the directory as of instant t holds, for each entry, its last version counting
    from t or earlier (none: the entry did not exist yet). tech.diff compares the
    directory at two instants entry by entry and lists the versions in between.
*/
#include <czmq.h>
#include "catalogue_internal.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_valid.h"

#define REASON_MAX 500

typedef struct {
    bool published;
    int64_t published_ms;
    uint32_t entries, active;
    char published_by [64];
} dir_t;

static int
s_dir (catalogue_t *self, inv_call_t *call, uint32_t year, dir_t *dir)
{
    memset (dir, 0, sizeof *dir);
    char key [CATALOGUE_KEY_MAX];
    zhash_t *hash = catalogue_hash (self, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_DIRECTORY, year));
    if (!hash) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return -1;
    }
    const char *value;
    dir->published = (value = zhash_lookup (hash, "published")) && streq (value, "1");
    dir->published_ms = (value = zhash_lookup (hash, "published_ms"))? atoll (value): 0;
    dir->entries = (value = zhash_lookup (hash, "entries"))? (uint32_t) atol (value): 0;
    dir->active = (value = zhash_lookup (hash, "active"))? (uint32_t) atol (value): 0;
    snprintf (dir->published_by, sizeof dir->published_by, "%s", (value = zhash_lookup (hash, "published_by"))? value: "");
    zhash_destroy (&hash);
    return 0;
}

static void
s_dir_view (const dir_t *dir, uint32_t year, Innov__TechDirectory *view)
{
    innov__tech_directory__init (view);
    view->year = year;
    view->published = dir->published;
    view->published_ms = dir->published_ms;
    view->published_by = (char *) dir->published_by;
    view->entries = dir->entries;
    view->active = dir->active;
}

/* ---- validation ------------------------------------------------------------------------ */

static bool
s_wants (const Innov__TechWriteRequest *req, const char *field)
{
    if (req->n_fields == 0)
        return true;
    for (size_t i = 0; i < req->n_fields; i++)
        if (streq (req->fields [i], field))
            return true;
    return false;
}

/* Validate the entry's descriptive fields (all, or the ones to amend); clusters are
   rewritten to their codes in clusters_out (pointers to static names). */
static void
s_check_entry (inv_call_t *call, const Innov__TechWriteRequest *req, bool adding, const char **clusters_out)
{
    static const char *known [] = { "name", "sector", "proposer_kind", "proposer", "industries", "clusters",
                                    "description" };
    for (size_t i = 0; i < req->n_fields; i++) {
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof known [0]; k++)
            ok = ok || streq (req->fields [i], known [k]);
        if (!ok)
            inv_call_field_error (call, "fields", "\"%s\" cannot be amended: name, sector, proposer_kind, proposer, "
                                  "industries, clusters or description", req->fields [i]);
    }
    const Innov__TechEntry *e = req->entry;
    if (adding || s_wants (req, "name"))
        catalogue_check_text (call, "entry.name", e->name, CATALOGUE_NAME_MAX, adding || req->n_fields);
    if ((adding || (s_wants (req, "sector") && (req->n_fields || e->sector)))
    &&  (e->sector < 1 || e->sector > 3))
        inv_call_field_error (call, "entry.sector", "must be green_energy, advanced_manufacturing or digital_industry");
    if ((adding || (s_wants (req, "proposer_kind") && (req->n_fields || e->proposer_kind)))
    &&  (e->proposer_kind < 1 || e->proposer_kind > 4))
        inv_call_field_error (call, "entry.proposer_kind", "must be city, enterprise, university or institute");
    if (adding || s_wants (req, "proposer"))
        catalogue_check_text (call, "entry.proposer", e->proposer, CATALOGUE_NAME_MAX, adding || req->n_fields);
    catalogue_check_text (call, "entry.description", e->description, CATALOGUE_TEXT_MAX, false);
    for (size_t i = 0; i < e->n_industries; i++) {
        char reason [256];
        if (!inv_industry_valid (e->industries [i], reason, sizeof reason))
            inv_call_field_error (call, "entry.industries", "%s", reason);
    }
    for (size_t i = 0; i < e->n_clusters; i++) {
        const inv_cluster_t *cluster = inv_cluster_find (e->clusters [i]);
        if (!cluster)
            inv_call_field_error (call, "entry.clusters", "\"%s\" is not one of the 14 industry clusters",
                                  e->clusters [i]);
        else
        if (i < 32)
            clusters_out [i] = cluster->code;
    }
    if (e->n_clusters > 32)
        inv_call_field_error (call, "entry.clusters", "at most 32");
    if (e->n_industries > 64)
        inv_call_field_error (call, "entry.industries", "at most 64");
    catalogue_check_text (call, "entry.reason", e->reason, REASON_MAX, false);
    catalogue_check_idempotency_key (call, req->idempotency_key);
}

static bool
s_reason_required (inv_call_t *call, const dir_t *dir, const Innov__TechEntry *e, uint32_t year)
{
    if (dir->published && catalogue_empty (e->reason)) {
        inv_call_field_error (call, "entry.reason", "is required: the %u directory is published, so every "
                              "adjustment records its reason", year);
        return false;
    }
    return true;
}

/* ---- writes ---------------------------------------------------------------------------- */

void
catalogue_tech_add (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__TechWriteRequest *req = (const Innov__TechWriteRequest *) call->request;
    if (!catalogue_province_only (call, "change the key-technology directory"))
        return;
    if (!req->entry) {
        inv_call_field_error (call, "entry", "is required");
        return;
    }
    const char *clusters [32];
    s_check_entry (call, req, true, clusters);
    uint32_t year = catalogue_year (call, "entry.year", req->entry->year);
    if (inv_call_failed (call))
        return;
    dir_t dir;
    if (s_dir (self, call, year, &dir) || !s_reason_required (call, &dir, req->entry, year))
        return;
    char id [32];
    if (!catalogue_new_id (self, call, "tech", "T", year, 3, id, sizeof id))
        return;
    Innov__TechEntry e = *req->entry;
    e.id = id;
    e.year = year;
    e.clusters = (char **) clusters;
    e.state = (char *) "active";
    e.version = 1;
    e.valid_from_ms = inv_clock_now_ms ();
    e.change = (char *) "add";
    e.reason = (char *) catalogue_str (req->entry->reason);
    e.author = (char *) catalogue_str (call->caller);

    catalogue_write_t *w = catalogue_write_new (self->province);
    int record = catalogue_write_key (w, CATALOGUE_KEY_TECH, id);
    catalogue_write_absent (w, record, "entry exists");
    char year_text [16];
    snprintf (year_text, sizeof year_text, "%u", year);
    catalogue_write_record (w, record, &e.base, "state", "active", "version", "1", "year", year_text, NULL);
    catalogue_write_rpush (w, catalogue_write_key (w, CATALOGUE_KEY_TECH_VERSIONS, id), &e.base);
    catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_TECH_IDX, year), atof (strrchr (id, '-') + 1), id);
    int directory = catalogue_write_key (w, CATALOGUE_KEY_DIRECTORY, year);
    catalogue_write_hincr (w, directory, "entries", 1);
    catalogue_write_hincr (w, directory, "active", 1);
    catalogue_write_count (w, year, NULL, "tech.active", 1);
    catalogue_write_emit (w, "tech.added", id, &e.base, NULL, NULL);
    catalogue_write_result (w, &e.base);
    if (catalogue_write_finish (w, self, call, req->idempotency_key, &innov__tech_entry__descriptor,
                          &innov__tech_reply__descriptor) == 200)
        inv_info ("tech.added %s %s (%s) by %s%s", id, e.name, catalogue_sector_label (e.sector), e.author,
                  dir.published? " as an adjustment": "");
    catalogue_write_destroy (&w);
}

/* tech.amend and tech.withdraw: a new version of an entry (a draft's only version is
   replaced). */
static void
s_change (catalogue_t *self, inv_call_t *call, bool withdraw)
{
    const Innov__TechWriteRequest *req = (const Innov__TechWriteRequest *) call->request;
    if (!catalogue_province_only (call, "change the key-technology directory"))
        return;
    if (!req->entry || catalogue_empty (req->entry->id)) {
        inv_call_field_error (call, "entry.id", "is required: which entry to %s", withdraw? "withdraw": "amend");
        return;
    }
    const char *clusters [32];
    if (withdraw) {
        catalogue_check_text (call, "entry.reason", req->entry->reason, REASON_MAX, false);
        catalogue_check_idempotency_key (call, req->idempotency_key);
    }
    else
        s_check_entry (call, req, false, clusters);
    if (inv_call_failed (call))
        return;
    for (int attempt = 0; attempt < CATALOGUE_ATTEMPTS; attempt++) {
        char key [CATALOGUE_KEY_MAX];
        Innov__TechEntry *cur = NULL;
        char what [96];
        snprintf (what, sizeof what, "key technology %s", req->entry->id);
        if (!catalogue_load (self, call, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_TECH, req->entry->id),
                       &innov__tech_entry__descriptor, what, (ProtobufCMessage **) &cur))
            return;
        dir_t dir;
        if (s_dir (self, call, cur->year, &dir) || !s_reason_required (call, &dir, req->entry, cur->year)) {
            innov__tech_entry__free_unpacked (cur, NULL);
            return;
        }
        if (!streq (cur->state, "active")) {
            inv_call_error (call, 409, "key technology %s is withdrawn; withdrawn entries stay as they are "
                            "(add a new entry instead)", cur->id);
            innov__tech_entry__free_unpacked (cur, NULL);
            return;
        }
        Innov__TechEntry e = *cur;
        const Innov__TechEntry *in = req->entry;
        if (!withdraw) {
            bool all = req->n_fields == 0;
            if ((all && !catalogue_empty (in->name)) || (!all && s_wants (req, "name")))
                e.name = in->name;
            if ((all && in->sector) || (!all && s_wants (req, "sector")))
                e.sector = in->sector;
            if ((all && in->proposer_kind) || (!all && s_wants (req, "proposer_kind")))
                e.proposer_kind = in->proposer_kind;
            if ((all && !catalogue_empty (in->proposer)) || (!all && s_wants (req, "proposer")))
                e.proposer = in->proposer;
            if ((all && in->n_industries) || (!all && s_wants (req, "industries"))) {
                e.industries = in->industries;
                e.n_industries = in->n_industries;
            }
            if ((all && in->n_clusters) || (!all && s_wants (req, "clusters"))) {
                e.clusters = (char **) clusters;
                e.n_clusters = in->n_clusters;
            }
            if ((all && !catalogue_empty (in->description)) || (!all && s_wants (req, "description")))
                e.description = in->description;
        }
        else
            e.state = (char *) "withdrawn";
        e.reason = (char *) catalogue_str (in->reason);
        e.author = (char *) catalogue_str (call->caller);
        if (dir.published) {
            e.version = cur->version + 1;
            e.valid_from_ms = inv_clock_now_ms ();
            e.change = (char *) (withdraw? "withdraw": "amend");
        }
        char version [24];
        snprintf (version, sizeof version, "%llu", (unsigned long long) e.version);
        const char *type = withdraw? "tech.withdrawn": "tech.amended";

        catalogue_write_t *w = catalogue_write_new (self->province);
        int record = catalogue_write_key (w, CATALOGUE_KEY_TECH, cur->id);
        catalogue_write_version (w, record, cur->version);
        catalogue_write_record (w, record, &e.base, "state", e.state, "version", version, NULL);
        /* a draft keeps one version; hash "version" is still bumped through the list */
        int versions = catalogue_write_key (w, CATALOGUE_KEY_TECH_VERSIONS, cur->id);
        if (dir.published)
            catalogue_write_rpush (w, versions, &e.base);
        else
            catalogue_write_lset_last (w, versions, &e.base);
        if (withdraw) {
            catalogue_write_hincr (w, catalogue_write_key (w, CATALOGUE_KEY_DIRECTORY, cur->year), "active", -1);
            catalogue_write_count (w, cur->year, NULL, "tech.active", -1);
        }
        catalogue_write_emit (w, type, cur->id, &e.base, NULL, NULL);
        catalogue_write_result (w, &e.base);
        inv_store_result_t result;
        int code = catalogue_write_run (w, self, call, req->idempotency_key, &result);
        catalogue_write_destroy (&w);
        bool stale = code == 409 && streq (result.reason, "stale");
        if (!stale || attempt == CATALOGUE_ATTEMPTS - 1) {
            if (code == 200) {
                inv_info ("%s %s v%llu by %s: %s", type, cur->id, (unsigned long long) e.version, e.author, e.reason);
                Innov__TechEntry *stored = innov__tech_entry__unpack (NULL, result.body_len, (uint8_t *) result.body);
                Innov__TechReply reply = INNOV__TECH_REPLY__INIT;
                reply.entry = stored;
                if (stored)
                    inv_caller_reply_copy (call, &reply.base);
                else
                    inv_call_error (call, 500, "stored entry does not decode");
                if (stored)
                    innov__tech_entry__free_unpacked (stored, NULL);
            }
            else
                inv_call_error (call, code, "%s", result.message);
            inv_store_result_clear (&result);
            innov__tech_entry__free_unpacked (cur, NULL);
            return;
        }
        inv_store_result_clear (&result);
        innov__tech_entry__free_unpacked (cur, NULL);
    }
}

void
catalogue_tech_amend (void *ctx, inv_call_t *call)
{
    s_change ((catalogue_t *) ctx, call, false);
}

void
catalogue_tech_withdraw (void *ctx, inv_call_t *call)
{
    s_change ((catalogue_t *) ctx, call, true);
}

void
catalogue_tech_publish (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__TechPublishRequest *req = (const Innov__TechPublishRequest *) call->request;
    if (!catalogue_province_only (call, "publish the key-technology directory"))
        return;
    uint32_t year = catalogue_year (call, "year", req->year);
    catalogue_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call))
        return;
    dir_t dir;
    if (s_dir (self, call, year, &dir))
        return;
    if (dir.entries == 0) {
        inv_call_error (call, 409, "the %u directory has no entry yet: add entries, then publish", year);
        return;
    }
    char refusal [160] = "";
    if (dir.published) {
        char when [40];
        snprintf (refusal, sizeof refusal, "the %u directory was published on %s by %s; adjust it with "
                  "tech.add / amend / withdraw", year, inv_clock_format (dir.published_ms, when, sizeof when),
                  dir.published_by);
    }
    dir.published = true;
    dir.published_ms = inv_clock_now_ms ();
    snprintf (dir.published_by, sizeof dir.published_by, "%s", catalogue_str (call->caller));
    Innov__TechDirectory view;
    s_dir_view (&dir, year, &view);
    char ms [24], subject [16];
    snprintf (ms, sizeof ms, "%lld", (long long) dir.published_ms);
    snprintf (subject, sizeof subject, "%u", year);

    catalogue_write_t *w = catalogue_write_new (self->province);
    int directory = catalogue_write_key (w, CATALOGUE_KEY_DIRECTORY, year);
    if (*refusal && catalogue_empty (req->idempotency_key)) {
        inv_call_error (call, 409, "%s", refusal);
        catalogue_write_destroy (&w);
        return;
    }
    if (*refusal)
        catalogue_write_refuse (w, 409, refusal);     /* a retry still gets its first reply */
    catalogue_write_atmost (w, directory, "published", 0, "the directory is already published");
    catalogue_write_record (w, directory, &view.base, "published", "1", "published_ms", ms,
                      "published_by", dir.published_by, NULL);
    catalogue_write_emit (w, "tech.published", subject, &view.base, NULL, NULL);
    catalogue_write_result (w, &view.base);
    if (catalogue_write_finish (w, self, call, req->idempotency_key, &innov__tech_directory__descriptor,
                          &innov__directory_reply__descriptor) == 200)
        inv_info ("tech.published %u: %u entries by %s", year, dir.entries, dir.published_by);
    catalogue_write_destroy (&w);
}

/* ---- reads ----------------------------------------------------------------------------- */

/* Every version of every entry of a year's directory, in entry order. */
typedef struct {
    size_t count;
    Innov__TechEntry ***versions;       /* versions [i][j], oldest first */
    size_t *n;
} history_t;

static void
s_history_free (history_t *h)
{
    for (size_t i = 0; i < h->count; i++) {
        for (size_t j = 0; j < h->n [i]; j++)
            innov__tech_entry__free_unpacked (h->versions [i][j], NULL);
        free (h->versions [i]);
    }
    free (h->versions);
    free (h->n);
    memset (h, 0, sizeof *h);
}

static int
s_history (catalogue_t *self, inv_call_t *call, uint32_t year, history_t *h)
{
    memset (h, 0, sizeof *h);
    char key [CATALOGUE_KEY_MAX];
    zlist_t *ids = catalogue_members (self, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_TECH_IDX, year),
                                NULL, 0);
    if (!ids) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return -1;
    }
    size_t count = zlist_size (ids);
    for (const char *id = zlist_first (ids); id; id = zlist_next (ids)) {
        inv_key (key, sizeof key, self->province, CATALOGUE_KEY_TECH_VERSIONS, id);
        const char *argv [] = { "LRANGE", key, "0", "-1" };
        inv_redis_append_argv (self->redis, 4, argv, NULL);
    }
    zlist_destroy (&ids);
    h->versions = (Innov__TechEntry ***) calloc (count + 1, sizeof (Innov__TechEntry **));
    h->n = (size_t *) calloc (count + 1, sizeof (size_t));
    h->count = count;
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        redisReply *reply = inv_redis_get_reply (self->redis);
        if (!reply) {
            rc = -1;
            continue;
        }
        size_t n = reply->type == REDIS_REPLY_ARRAY? reply->elements: 0;
        h->versions [i] = (Innov__TechEntry **) calloc (n + 1, sizeof (Innov__TechEntry *));
        for (size_t j = 0; j < n; j++) {
            Innov__TechEntry *v = innov__tech_entry__unpack (NULL, reply->element [j]->len,
                                                             (uint8_t *) reply->element [j]->str);
            if (v)
                h->versions [i][h->n [i]++] = v;
        }
        freeReplyObject (reply);
    }
    if (rc) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        s_history_free (h);
    }
    return rc;
}

static int64_t
s_effective (const Innov__TechEntry *v, const dir_t *dir)
{
    return v->valid_from_ms > dir->published_ms? v->valid_from_ms: dir->published_ms;
}

/* The version of entry i in force at t (NULL: not in the directory yet). */
static Innov__TechEntry *
s_at (const history_t *h, size_t i, const dir_t *dir, int64_t t)
{
    Innov__TechEntry *found = NULL;
    for (size_t j = 0; j < h->n [i]; j++)
        if (s_effective (h->versions [i][j], dir) <= t)
            found = h->versions [i][j];
    return found;
}

void
catalogue_tech_get (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__CatalogueGetRequest *req = (const Innov__CatalogueGetRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    char key [CATALOGUE_KEY_MAX], what [96];
    snprintf (what, sizeof what, "key technology %s", catalogue_str (req->id));
    Innov__TechEntry *cur = NULL;
    if (!catalogue_load (self, call, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_TECH, catalogue_str (req->id)),
                   &innov__tech_entry__descriptor, what, (ProtobufCMessage **) &cur))
        return;
    inv_key (key, sizeof key, self->province, CATALOGUE_KEY_TECH_VERSIONS, req->id);
    const char *argv [] = { "LRANGE", key, "0", "-1" };
    redisReply *list = inv_redis_argv (self->redis, 4, argv, NULL);
    size_t n = list && list->type == REDIS_REPLY_ARRAY? list->elements: 0, m = 0;
    Innov__TechEntry **versions = (Innov__TechEntry **) calloc (n + 1, sizeof (Innov__TechEntry *));
    for (size_t j = 0; j < n; j++)
        if ((versions [m] = innov__tech_entry__unpack (NULL, list->element [j]->len, (uint8_t *) list->element [j]->str)))
            m++;
    if (list)
        freeReplyObject (list);
    Innov__TechReply reply = INNOV__TECH_REPLY__INIT;
    reply.entry = cur;
    reply.versions = versions;
    reply.n_versions = m;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t j = 0; j < m; j++)
        innov__tech_entry__free_unpacked (versions [j], NULL);
    free (versions);
    innov__tech_entry__free_unpacked (cur, NULL);
}

/* An instant given as text into *ms; false after a field error. */
static bool
s_instant (inv_call_t *call, const char *field, const char *text, int64_t *ms)
{
    *ms = inv_clock_parse (text);
    if (*ms < 0) {
        inv_call_field_error (call, field, "\"%.40s\" is not a date or instant (2026-03-01, 2026-03-01T09:00)", text);
        return false;
    }
    /* a bare date means the end of that day: the directory as it stood that day */
    if (strlen (text) == 10)
        *ms += 86400000LL - 1;
    return true;
}

void
catalogue_tech_list (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__TechListRequest *req = (const Innov__TechListRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    uint32_t year = catalogue_year (call, "year", req->year);
    int64_t t = 0;
    bool as_of = !catalogue_empty (req->as_of);
    if (as_of)
        s_instant (call, "as_of", req->as_of, &t);
    if (req->sector < 0 || req->sector > 3)
        inv_call_field_error (call, "sector", "unknown sector %d", req->sector);
    if (inv_call_failed (call))
        return;
    dir_t dir;
    if (s_dir (self, call, year, &dir))
        return;
    if (as_of && (!dir.published || t < dir.published_ms)) {
        char when [40], pub [40];
        inv_call_error (call, 404, "the %u directory was not yet published as of %s (%s%s)", year,
                        inv_clock_format (t, when, sizeof when), dir.published? "published ": "not published yet",
                        dir.published? inv_clock_format (dir.published_ms, pub, sizeof pub): "");
        return;
    }
    history_t h;
    if (s_history (self, call, year, &h))
        return;
    Innov__TechEntry **entries = (Innov__TechEntry **) calloc (h.count + 1, sizeof (Innov__TechEntry *));
    size_t n = 0;
    for (size_t i = 0; i < h.count; i++) {
        Innov__TechEntry *v = as_of? s_at (&h, i, &dir, t): (h.n [i]? h.versions [i][h.n [i] - 1]: NULL);
        if (!v || (!req->include_withdrawn && !streq (v->state, "active"))
        ||  (req->sector && v->sector != req->sector))
            continue;
        entries [n++] = v;
    }
    Innov__TechDirectory view;
    s_dir_view (&dir, year, &view);
    Innov__TechListReply reply = INNOV__TECH_LIST_REPLY__INIT;
    reply.directory = &view;
    reply.entries = entries;
    reply.n_entries = n;
    reply.as_of_ms = as_of? t: inv_clock_now_ms ();
    inv_caller_reply_copy (call, &reply.base);
    free (entries);
    s_history_free (&h);
}

void
catalogue_tech_diff (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__TechDiffRequest *req = (const Innov__TechDiffRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    uint32_t year = catalogue_year (call, "year", req->year);
    int64_t from = 0, to = 0;
    if (catalogue_empty (req->from))
        inv_call_field_error (call, "from", "is required");
    else
        s_instant (call, "from", req->from, &from);
    if (catalogue_empty (req->to))
        to = inv_clock_now_ms ();
    else
        s_instant (call, "to", req->to, &to);
    if (!inv_call_failed (call) && from >= to)
        inv_call_field_error (call, "to", "must come after from");
    if (inv_call_failed (call))
        return;
    dir_t dir;
    history_t h;
    if (s_dir (self, call, year, &dir) || s_history (self, call, year, &h))
        return;
    if (!dir.published)
        dir.published_ms = INT64_MAX;        /* a draft has no past */
    Innov__TechDiffEntry *rows = (Innov__TechDiffEntry *) calloc (h.count + 1, sizeof (Innov__TechDiffEntry));
    Innov__TechDiffEntry **changes = (Innov__TechDiffEntry **) calloc (h.count + 1, sizeof (Innov__TechDiffEntry *));
    Innov__TechEntry ***between = (Innov__TechEntry ***) calloc (h.count + 1, sizeof (Innov__TechEntry **));
    size_t n = 0;
    for (size_t i = 0; i < h.count; i++) {
        Innov__TechEntry *a = s_at (&h, i, &dir, from), *b = s_at (&h, i, &dir, to);
        bool a_in = a && streq (a->state, "active"), b_in = b && streq (b->state, "active");
        if (a == b || (!a_in && !b_in))
            continue;
        Innov__TechDiffEntry *row = &rows [n];
        innov__tech_diff_entry__init (row);
        row->id = b->id;
        row->kind = (char *) (!a_in? "added": !b_in? "withdrawn": "amended");
        row->before = a_in? a: NULL;
        row->after = b;
        between [n] = (Innov__TechEntry **) calloc (h.n [i] + 1, sizeof (Innov__TechEntry *));
        for (size_t j = 0; j < h.n [i]; j++) {
            int64_t when = s_effective (h.versions [i][j], &dir);
            if (when > from && when <= to)
                between [n][row->n_adjustments++] = h.versions [i][j];
        }
        row->adjustments = between [n];
        changes [n] = row;
        n++;
    }
    Innov__TechDiffReply reply = INNOV__TECH_DIFF_REPLY__INIT;
    reply.changes = changes;
    reply.n_changes = n;
    reply.from_ms = from;
    reply.to_ms = to;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < n; i++)
        free (between [i]);
    free (between);
    free (changes);
    free (rows);
    s_history_free (&h);
}
