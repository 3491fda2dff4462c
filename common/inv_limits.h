/*  inv_limits: the size bounds every process applies to what it receives.

    protobuf-c and libzmq accept whatever they are given; these bounds are ours, set
    once per process from the max-request-bytes setting (INNOV_MAX_REQUEST_BYTES):

      - inbound frames on every ZeroMQ socket (ZMQ_MAXMSGSIZE): a peer that sends a
        larger frame is disconnected by libzmq before the frame is stored.
          * sockets that only receive requests or subscriptions (the worker's DEALER,
            the relay's XPUB): max request + INV_ENVELOPE_MARGIN;
          * sockets that also receive replies or events (the broker's ROUTER, the
            client's DEALER, the event SUB): the larger of that and
            INV_MAX_REPLY_BYTES, since a reply page may be larger than any request;
            the broker still answers a client's oversized request with 413 itself.
      - request frames per method (inv_method_t.max_bytes, else max request): 413;
      - repeated fields of a decoded request, at any depth: at most
        INV_MAX_REPEATED items each (413 with a FieldError naming the field).

        inv_limits_set_max_request (cfg->max_request_bytes);
        inv_limits_apply (sock, inv_limits_reply_socket ());   // before connect/bind
*/
#ifndef INV_LIMITS_H
#define INV_LIMITS_H
#include <czmq.h>
#include <protobuf-c/protobuf-c.h>

#define INV_DEFAULT_MAX_REQUEST (1024 * 1024)
#define INV_ENVELOPE_MARGIN     (64 * 1024)         /* MDP frames, caller, method */
#define INV_MAX_REPLY_BYTES     (64 * 1024 * 1024)  /* one reply or event frame */
#define INV_MAX_REPEATED        10000               /* items in one repeated field */
#define INV_MAX_DEPTH           32                  /* nesting walked when checking */

/* The process-wide largest request frame (0 restores the default, 1 MiB). */
void   inv_limits_set_max_request (size_t bytes);
size_t inv_limits_max_request (void);

/* A method of this process accepts up to bytes (inv_method_t.max_bytes): the request
   socket bound grows to fit it (the dispatch default does not change). */
void   inv_limits_allow_method (size_t bytes);

/* ZMQ_MAXMSGSIZE for a socket that receives requests only / also replies. */
size_t inv_limits_request_socket (void);
size_t inv_limits_reply_socket (void);

/* Set ZMQ_MAXMSGSIZE on sock (before it connects or binds). */
void   inv_limits_apply (zsock_t *sock, size_t max_bytes);

/* Check every repeated field of message (sub-messages included) against
   max_items. Returns true when all are within it; otherwise writes the first
   offending field's path ("items", "groups[2].members") into field and its item
   count into *count_p, and returns false. */
bool   inv_limits_repeated_ok (const ProtobufCMessage *message, size_t max_items,
                               char *field, size_t field_size, size_t *count_p);

#endif
