/*  resp_load: gendata CSV -> the RESP of the registry's writes, for `redis-cli --pipe`.

    The baseline must store what the registry stores, or the ratio means nothing. For
    every row it writes the commands that registry_add.lua and the outbox prelude run
    for a new enterprise, with the same key names (registry_keys.h, inv_key) and the
    same values:
      HSET    {PP}:ent:<code> body <innov.Enterprise> city county dept cluster status version
      ZADD    0 <code> to ent.idx:all, :city, :county, :dept, :status and :cluster (if any)
      ZADD    0 "<name>\x1f<code>" to ent.idx:name
      HINCRBY <status> 1 on ent.cnt:province, :city, :dept and :cluster (if any)
      INCR    {PP}:seq
      XADD    {PP}:events <seq>-1 type enterprise.created subject actor time ptype payload
              city county dept cluster
    Rows are read as the import reads them (inv_csv, inv_entcsv). The body is the
    record as the registry completes it (province and city from the county, version 1,
    timestamps, created_by), packed with the same protobuf code.
    What the baseline does not do is the work around the writes: validation, the
    EXISTS check, the script call, the broker and the client; that is what the ratio
    measures.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>
#include "resp_load.h"
#include "inv_csv.h"
#include "inv_entcsv.h"
#include "inv_store.h"
#include "inv_valid.h"
#include "registry.pb-c.h"
#include "../../services/registry/registry_keys.h"


/* One RESP command: *argc then $len/value per argument. */
static void
s_command (FILE *out, int argc, const char **argv, const size_t *lens)
{
    fprintf (out, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        size_t len = lens && lens [i] != (size_t) -1? lens [i]: strlen (argv [i]);
        fprintf (out, "$%zu\r\n", len);
        fwrite (argv [i], 1, len, out);
        fputs ("\r\n", out);
    }
}

/* The commands of one new enterprise, read from a row as the import reads it. */
static int
s_enterprise (FILE *out, Innov__Enterprise *row, int64_t seq, int64_t now_ms)
{
    const inv_division_t *county = inv_division_find (row->county);
    if (!county || county->level != INV_DIV_COUNTY)
        return -1;
    Innov__Enterprise e = *row;
    e.province = (char *) county->province;
    e.city = (char *) county->city;
    e.cluster = e.cluster? e.cluster: "";
    e.version = 1;
    e.created_ms = e.updated_ms = now_ms;
    e.created_by = e.updated_by = "province";
    uint8_t body [2048];
    size_t body_len = innov__enterprise__get_packed_size (&e);
    if (body_len > sizeof body)
        return -1;
    innov__enterprise__pack (&e, body);

    const char *pp = county->province;
    char status [8];
    snprintf (status, sizeof status, "%d", (int) e.status);
    bool clustered = e.cluster [0] != '\0';
    char key [REGISTRY_KEY_MAX];

    inv_key (key, sizeof key, pp, REGISTRY_KEY_ENTERPRISE, e.credit_code);
    const char *hset [] = { "HSET", key, "body", (const char *) body, "city", e.city,
                            "county", e.county, "dept", e.department, "cluster", e.cluster,
                            "status", status, "version", "1" };
    size_t hset_lens [] = { -1, -1, -1, body_len, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 };
    s_command (out, 16, hset, hset_lens);

    char idx [6][REGISTRY_KEY_MAX];
    int nidx = 0;
    inv_key (idx [nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_ALL);
    inv_key (idx [nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_CITY, e.city);
    inv_key (idx [nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_COUNTY, e.county);
    inv_key (idx [nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_DEPARTMENT, e.department);
    inv_key (idx [nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_STATUS, (int) e.status);
    if (clustered)
        inv_key (idx [nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_CLUSTER, e.cluster);
    for (int i = 0; i < nidx; i++) {
        const char *zadd [] = { "ZADD", idx [i], "0", e.credit_code };
        s_command (out, 4, zadd, NULL);
    }
    char member [512];
    snprintf (member, sizeof member, "%s" REGISTRY_NAME_SEP "%s", e.name, e.credit_code);
    inv_key (key, sizeof key, pp, REGISTRY_KEY_IDX_NAME);
    const char *zname [] = { "ZADD", key, "0", member };
    s_command (out, 4, zname, NULL);

    char cnt [4][REGISTRY_KEY_MAX];
    int ncnt = 0;
    inv_key (cnt [ncnt++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_PROVINCE);
    inv_key (cnt [ncnt++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_CITY, e.city);
    inv_key (cnt [ncnt++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_DEPARTMENT, e.department);
    if (clustered)
        inv_key (cnt [ncnt++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_CLUSTER, e.cluster);
    for (int i = 0; i < ncnt; i++) {
        const char *hincr [] = { "HINCRBY", cnt [i], status, "1" };
        s_command (out, 4, hincr, NULL);
    }

    inv_key (key, sizeof key, pp, INV_KEY_SEQ);
    const char *incr [] = { "INCR", key };
    s_command (out, 2, incr, NULL);
    char id [32], time [32];
    snprintf (id, sizeof id, "%" PRId64 "-1", seq);
    snprintf (time, sizeof time, "%" PRId64, now_ms);
    inv_key (key, sizeof key, pp, INV_KEY_EVENTS);
    const char *xadd [] = { "XADD", key, id, "type", "enterprise.created", "subject", e.credit_code,
                            "actor", "province", "time", time, "ptype", "innov.Enterprise",
                            "payload", (const char *) body, "city", e.city, "county", e.county,
                            "dept", e.department, "cluster", e.cluster };
    size_t xadd_lens [] = { -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, body_len,
                            -1, -1, -1, -1, -1, -1, -1, -1 };
    s_command (out, 23, xadd, xadd_lens);
    return 0;
}

int64_t
resp_load_write (const char *csv_path, const char *resp_path, char *err, size_t errsize)
{
    FILE *in = fopen (csv_path, "r");
    if (!in) {
        snprintf (err, errsize, "cannot read %s", csv_path);
        return -1;
    }
    FILE *out = fopen (resp_path, "w");
    inv_csv_t *csv = out? inv_csv_new (in, "utf-8", err, errsize): NULL;
    if (!csv) {
        if (out)
            fclose (out);
        else
            snprintf (err, errsize, "cannot write %s", resp_path);
        fclose (in);
        return -1;
    }
    int64_t now_ms = zclock_time (), count = 0;
    inv_entcsv_map_t map;
    char **fields;
    size_t n;
    int rc = inv_csv_read (csv, &fields, &n);
    if (rc <= 0 || inv_entcsv_map (&map, fields, n, err, errsize) != 0) {
        if (rc <= 0)
            snprintf (err, errsize, "%s: no header row", csv_path);
        count = -1;
    }
    while (count >= 0 && (rc = inv_csv_read (csv, &fields, &n)) == 1) {
        Innov__Enterprise e;
        int col;
        char reason [256];
        if (inv_entcsv_row (&map, fields, n, &e, &col, reason, sizeof reason) != 0
        ||  s_enterprise (out, &e, count + 1, now_ms) != 0) {
            snprintf (err, errsize, "%s line %zu: not a valid enterprise row", csv_path, inv_csv_line (csv));
            count = -1;
            break;
        }
        count++;
    }
    if (rc < 0 && count >= 0) {
        snprintf (err, errsize, "%s line %zu: %s", csv_path, inv_csv_line (csv), inv_csv_error (csv));
        count = -1;
    }
    inv_csv_destroy (&csv);
    fclose (in);
    if (fclose (out) != 0 && count >= 0) {
        snprintf (err, errsize, "cannot write %s", resp_path);
        count = -1;
    }
    return count;
}
