/*  http_client: one HTTP request with libcurl (see http_client.h). A fresh easy handle per
    request keeps it simple and thread-safe (curl_global_init runs once). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "http_client.h"

static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_init (void)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
}

static size_t
s_collect (char *data, size_t size, size_t count, void *arg)
{
    http_reply_t *reply = (http_reply_t *) arg;
    size_t n = size * count;
    char *grown = (char *) realloc (reply->body, reply->size + n + 1);
    if (!grown)
        return 0;
    memcpy (grown + reply->size, data, n);
    reply->body = grown;
    reply->size += n;
    reply->body [reply->size] = '\0';
    return n;
}

long
http_request_timeout (http_reply_t *reply, const char *method, const char *url, const char *token,
                      const char *body, size_t body_size, const char *const *extra, long timeout_ms)
{
    pthread_once (&s_once, s_init);
    memset (reply, 0, sizeof *reply);
    CURL *curl = curl_easy_init ();
    if (!curl) {
        reply->body = strdup ("");
        return 0;
    }
    struct curl_slist *headers = NULL;
    char line [1024];
    if (token) {
        snprintf (line, sizeof line, "Authorization: Bearer %s", token);
        headers = curl_slist_append (headers, line);
    }
    for (size_t i = 0; extra && extra [i]; i++)
        headers = curl_slist_append (headers, extra [i]);
    headers = curl_slist_append (headers, "Expect:");
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    if (strcmp (method, "HEAD") == 0)
        curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);
    else
    if (strcmp (method, "GET") != 0)
        curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_size);
    }
    CURLcode rc = curl_easy_perform (curl);
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
    char *type = NULL;
    curl_easy_getinfo (curl, CURLINFO_CONTENT_TYPE, &type);
    if (type)
        snprintf (reply->content_type, sizeof reply->content_type, "%s", type);
    if (rc != CURLE_OK)         /* the status stays when the headers came (a timed-out stream) */
        snprintf (reply->error, sizeof reply->error, "%s", curl_easy_strerror (rc));
    if (!reply->body)
        reply->body = strdup ("");
    curl_slist_free_all (headers);
    curl_easy_cleanup (curl);
    return reply->status;
}

long
http_request (http_reply_t *reply, const char *method, const char *url, const char *token,
              const char *body, size_t body_size, const char *const *extra)
{
    return http_request_timeout (reply, method, url, token, body, body_size, extra, 10000);
}

void
http_reply_clear (http_reply_t *reply)
{
    free (reply->body);
    reply->body = NULL;
    reply->size = 0;
}
