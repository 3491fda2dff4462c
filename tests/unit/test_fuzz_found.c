/*  test_fuzz_found: inputs the fuzz targets (tests/fuzz) found wrong, kept as cases.

    Each case is the minimised input and what must hold for it:
      - fuzz_valid: inv_credit_code_complete on a prefix whose positions 3-8 are not
        digits returned a "completed" code that inv_credit_code_valid refuses;
      - fuzz_valid: 18 characters followed by a stray UTF-8 continuation byte passed
        inv_credit_code_valid (the byte is not counted as a character, and only the
        first 18 bytes were looked at), so a 19-byte key could be stored;
      - fuzz_http: a JSON number with a fraction ("ids":[30.0]) for a string field was
        parsed as an integer and stored in the string's pointer (inv_json_pb.c took
        every 8-byte member for a 64-bit integer): POST /notices:ack crashed the
        gateway when the request was packed; 1.0 for a bool was taken as an integer;
      - fuzz_services: a service calling another through an mdp_client whose broker
        cannot be reached blocked for ever in send once 1,000 requests were queued
        (the DEALER's high-water mark), and czmq leaked the frame of a failed send;
        sends now never block (mdp_link_send) and a message that cannot be queued is
        dropped like a lost one;
      - fuzz_json: inv_json_length on a string value read the unescaped string as JSON
        and ran past its end ("{c2147483648\" " as a JSON string).
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "inv_valid.h"
#include "inv_json.h"
#include "notify.pb-c.h"
#include "registry.pb-c.h"
#include "mdp_client.h"

static void
test_complete_needs_division_digits (void **state)
{
    (void) state;
    char out [19] = "unchanged";
    assert_false (inv_credit_code_complete ("HHHHHHHHHHHHHHHHH", out));
    assert_false (inv_credit_code_complete ("91HHHHHH000000000", out));
    assert_true (inv_credit_code_complete ("91140105000000000", out));
    assert_true (inv_credit_code_valid (out, NULL, 0));
}

static void
test_stray_continuation_byte (void **state)
{
    (void) state;
    char code [19];
    assert_true (inv_credit_code_complete ("91140100000000000", code));
    assert_true (inv_credit_code_valid (code, NULL, 0));
    char longer [32];
    snprintf (longer, sizeof longer, "%s\xa3", code);
    char reason [256];
    assert_false (inv_credit_code_valid (longer, reason, sizeof reason));
    assert_non_null (strstr (reason, "0xA3"));
    assert_non_null (strstr (reason, "position 19"));
    snprintf (longer, sizeof longer, "\x80%s", code + 1);      /* in front, 18 bytes */
    assert_false (inv_credit_code_valid (longer, reason, sizeof reason));
}

static void
test_json_number_for_string (void **state)
{
    (void) state;
    const char *bodies [] = { "{\"ids\":[30.0]}", "{\"ids\":[30]}", "{\"agency\":1.5}", "{\"agency\":2.0}" };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies [0]; i++) {
        inv_json_error_t err;
        ProtobufCMessage *m = inv_json_to_pb (&innov__ack_request__descriptor, bodies [i],
                                              strlen (bodies [i]), &err);
        assert_null (m);
        assert_non_null (strstr (err.reason, "a string"));
    }
    inv_json_error_t err;
    const char *text = "{\"hasRdInstitution\":1.0}";
    assert_null (inv_json_to_pb (&innov__enterprise__descriptor, text, strlen (text), &err));
    text = "{\"ids\":[\"30\"]}";
    Innov__AckRequest *ack = (Innov__AckRequest *) inv_json_to_pb (&innov__ack_request__descriptor,
                                                                  text, strlen (text), &err);
    assert_non_null (ack);
    assert_int_equal (ack->n_ids, 1);
    assert_string_equal (ack->ids [0], "30");
    protobuf_c_message_free_unpacked (&ack->base, NULL);
}

static void
test_json_length_of_string (void **state)
{
    (void) state;
    assert_int_equal (inv_json_length ("\"{c2147483648\\\" \"", ""), 0);
    assert_int_equal (inv_json_length ("\"[1,2,3]\"", ""), 0);
    assert_int_equal (inv_json_length ("{\"a\":\"[1,2]\",\"b\":[1,2]}", "a"), 0);
    assert_int_equal (inv_json_length ("{\"a\":\"[1,2]\",\"b\":[1,2]}", "b"), 2);
    assert_int_equal (inv_json_length ("{\"a\":\"[1,2]\",\"b\":[1,2]}", ""), 2);
    assert_int_equal (inv_json_length ("[{\"x\":1},[],\"s\"]", ""), 3);
}

static void
test_send_never_blocks (void **state)
{
    (void) state;
    mdp_client_t *client = mdp_client_new ("inproc://test-fuzz-found-nobody", "province");
    assert_non_null (client);
    int refused = 0;
    for (int i = 0; i < 1500; i++) {
        zmsg_t *body = zmsg_new ();
        zmsg_addstr (body, "m");
        if (mdp_client_send (client, "echo", &body) != 0) {
            assert_int_equal (errno, EAGAIN);
            refused++;
        }
        assert_null (body);
    }
    assert_true (refused >= 400);           /* the queue holds 1,000 at most */
    mdp_client_set_timeout (client, 1);
    mdp_client_set_retries (client, 2);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "m");
    assert_null (mdp_client_request (client, "echo", &body, NULL));   /* returns */
    mdp_client_destroy (&client);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_complete_needs_division_digits),
        cmocka_unit_test (test_stray_continuation_byte),
        cmocka_unit_test (test_json_number_for_string),
        cmocka_unit_test (test_json_length_of_string),
        cmocka_unit_test (test_send_never_blocks),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
