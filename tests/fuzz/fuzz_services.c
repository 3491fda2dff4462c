/*  fuzz_services: every request every service accepts, through the worker's entry.

    Input: [method: 2 bytes][caller: 1 byte][request bytes...]. The method is the
    n-th of all the methods of the services of this build (fuzz_tables.h), the caller
    one of a fixed list covering each kind of principal (and a few strings that are
    not principals), and the rest is the request frame. The body
    [caller][method][request] goes through inv_service_handle, exactly what
    inv_service_run does for each request a worker receives: method look-up, size
    limit, protobuf decoding, the repeated-field bound, the handler (validation,
    scope checks, then storage, which fails fast: Redis is not there), the reply
    encoding. The reply must be [Status][reply] with a Status that decodes.
*/
#include "fuzz.h"
#include "fuzz_tables.h"
#include "inv_service.h"
#include "inv_valid.h"

static const char *
s_caller (uint8_t n)
{
    static char enterprise [32];
    if (!*enterprise) {
        char code [19];
        inv_credit_code_complete ("91140105000000000", code);
        snprintf (enterprise, sizeof enterprise, "ent:%s", code);
    }
    static const char *callers [] = {
        "province", "dept:gxt", "dept:kjt", "city:140100", "county:140105",
        "county:140802", "group:1", "group:g-0001", "service:gateway", "service:report",
        "anonymous", "", "ent:", "city:", "dept:nope", "county:999999"
    };
    size_t count = sizeof callers / sizeof callers [0];
    return n % (count + 1) == count? enterprise: callers [n % (count + 1)];
}

/* FUZZ_LIST=1: print "<n> <service> <method> <request type>" for every method and
   exit (tests/fuzz/seeds.py writes one seed per method from it). */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    if (!getenv ("FUZZ_LIST"))
        return 0;
    fuzz_quiet ("fuzz_services");
    size_t count, n = 0;
    const fuzz_service_t *services = fuzz_services (&count, NULL);
    for (size_t s = 0; s < count; s++)
        for (const inv_method_t *m = services [s].methods; m->name; m++, n++)
            printf ("%zu %s %s %s\n", n, services [s].service, m->name,
                    m->request? m->request->name: "-");
    exit (0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet ("fuzz_services");
    fuzz_input_t in = { data, size };
    size_t n = fuzz_byte (&in);
    n = n << 8 | fuzz_byte (&in);
    const char *caller = s_caller (fuzz_byte (&in));
    const fuzz_service_t *svc = NULL;
    const inv_method_t *m = fuzz_method (n, &svc);
    if (!m)
        return 0;
    const inv_config_t *cfg;
    size_t count;
    fuzz_services (&count, &cfg);

    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, caller);
    zmsg_addstr (body, m->name);
    zmsg_addmem (body, in.data, in.size);
    zmsg_t *reply = inv_service_handle (cfg, svc->methods, svc->ctx, &body);
    assert (!body && reply && zmsg_size (reply) == 2);
    zframe_t *frame = zmsg_first (reply);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert (status);
    assert (status->code >= 200 && status->code < 600);
    if (status->code != 200)
        assert (zframe_size (zmsg_next (reply)) == 0);
    innov__status__free_unpacked (status, NULL);
    zmsg_destroy (&reply);
    return 0;
}
