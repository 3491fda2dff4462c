/*  innovctl keygen [--principal P] OUT: a CURVE key pair for an agency client or a
    service. zcert writes OUT (public key, to give to the broker's --curve-clients
    folder) and OUT_secret (the key pair, for the owner's --curve-cert). The
    certificate's metadata "principal" tells the broker whom the key acts for; it
    defaults to the principal innovctl acts as (--as, or "province" in development).
    Existing files are never overwritten.
*/
#include <sys/stat.h>
#include <unistd.h>
#include "ctl.h"
#include "inv_json.h"
#include "inv_principal.h"

int
cmd_keygen (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "principal", true, NULL }, { NULL } };
    const char *pos [1];
    int rc = ctl_parse_one ("keygen", argc, argv, opts, "the file to write (OUT; the secret goes to OUT_secret)", &pos [0]);
    if (rc)
        return rc;
    const char *out = pos [0];
    const char *principal = ctl_opt (opts, "principal");
    if (!principal)
        principal = ctl->principal && *ctl->principal? ctl->principal: "province";
    inv_principal_t parsed;
    if (inv_principal_parse (principal, &parsed))
        return ctl_usage ("keygen", "--principal: \"%s\" is not a principal "
                          "(province, dept:CODE, city:CODE, county:CODE, group:ID, ent:CODE, service:NAME)",
                          principal);
    char secret [4096];
    snprintf (secret, sizeof secret, "%s_secret", out);
    if (access (out, F_OK) == 0 || access (secret, F_OK) == 0)
        return ctl_fail (CTL_REFUSED, "%s or %s exists already; not overwritten", out, secret);

    zcert_t *cert = zcert_new ();
    if (!cert)
        return ctl_fail (CTL_REFUSED, "cannot make a key pair");
    zcert_set_meta (cert, "principal", "%s", principal);
    rc = zcert_save (cert, out);
    if (rc == 0 && chmod (secret, 0600) != 0)
        rc = -1;
    if (rc == 0 && ctl->cfg->json) {
        fputs ("{\"public\":", stdout);
        inv_json_write_string (stdout, out);
        fputs (",\"secret\":", stdout);
        inv_json_write_string (stdout, secret);
        fputs (",\"principal\":", stdout);
        inv_json_write_string (stdout, principal);
        printf (",\"publicKey\":\"%s\"}\n", zcert_public_txt (cert));
    }
    else
    if (rc == 0)
        printf ("wrote %s (public) and %s (secret, keep it private) for %s; public key %s\n",
                out, secret, principal, zcert_public_txt (cert));
    zcert_destroy (&cert);
    if (rc)
        return ctl_fail (CTL_REFUSED, "cannot write %s and %s", out, secret);
    return CTL_OK;
}
