// The load engine's view of the operating system: epoll with nanosecond timeouts, eventfd, the
// OpenSSL calls that OpenSSL spells as macros (which Swift cannot call), and launched targets
// (CLoadProcess.h).
#ifndef CLOADIO_H
#define CLOADIO_H

#include <stdint.h>
#include <sys/socket.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "CLoadProcess.h"

/// One ready descriptor: the token it was registered with and what it is ready for.
typedef struct {
    uint64_t token;
    uint32_t events;
} cload_event;

enum {
    CLOAD_READABLE = 1,   // EPOLLIN, or EPOLLHUP / EPOLLRDHUP / EPOLLERR: a read tells what happened
    CLOAD_WRITABLE = 2,   // EPOLLOUT
};

/// An epoll instance (close-on-exec), or -1.
int cload_poller_create(void);
/// Adds (add != 0) or changes a descriptor's interest: `interest` is CLOAD_READABLE | CLOAD_WRITABLE.
int cload_poller_set(int poller, int fd, uint32_t interest, uint64_t token, int add);
/// Waits up to `timeout_ns` (negative: forever) and fills at most `max` events; the count, or -1
/// with errno set (EINTR: call again; anything else: the poller is broken).
/// Uses epoll_pwait2 (Linux 5.11+) for sub-millisecond timeouts. The first time it is refused
/// with anything but EINTR (ENOSYS on older kernels, EPERM under some seccomp profiles) every
/// thread switches to epoll_wait, whose timeouts round up to 1 ms.
int cload_poller_wait(int poller, cload_event *events, int max, int64_t timeout_ns);
/// Test hook: the next epoll_pwait2 call fails with `once` (0: none), and every wait fails with
/// `always` (0: none); epoll_pwait2 is tried again. `STRESS_CI_TEST_POLLER_FAULT=once:ERRNO` or
/// `always:ERRNO` in the environment does the same for a whole process (read by the first
/// `cload_poller_create`), so end-to-end tests can break a real run's poller.
void cload_poller_simulate(int once, int always);
/// 1 while epoll_pwait2 is in use, 0 once the loops fell back to epoll_wait.
int cload_poller_uses_pwait2(void);
/// Waits with poll(2) until `fd` is readable or `timeout_ns` passes (negative: forever): for a
/// loop whose poller is broken, to keep running its tasks and timers until it is shut down.
int cload_wakeup_wait(int fd, int64_t timeout_ns);

/// Names the calling thread (the first 15 bytes show in `top -H` and /proc).
void cload_thread_name(const char *name);

/// A non-blocking, close-on-exec eventfd, or -1.
int cload_eventfd(void);

/// A non-blocking, close-on-exec TCP socket with TCP_NODELAY, connecting to `address`: the
/// descriptor, writable once the connect completed either way (`cload_socket_error` tells), or
/// -1 with errno set when it failed at once.
int cload_tcp_connect(const struct sockaddr *address, socklen_t length);
/// The pending error of a connecting socket (0: connected).
int cload_socket_error(int fd);

/// A non-blocking, close-on-exec TCP socket listening on 127.0.0.1:`port` (0: an ephemeral
/// port) with room for `backlog` pending connections: the descriptor, with the port it got in
/// `bound_port`, or -1 with errno set. Loopback only: the fault proxy's listener.
int cload_tcp_listen_loopback(int port, int backlog, int *bound_port);
/// Accepts one pending connection, non-blocking, close-on-exec and with TCP_NODELAY: the
/// descriptor, or -1 with errno set (EAGAIN: none is waiting).
int cload_tcp_accept(int listener);
/// Closes `fd` with a reset (SO_LINGER {1, 0}) instead of a FIN: the peer's next read or write
/// fails with ECONNRESET.
void cload_close_with_reset(int fd);

/// Where a connection slot keeps the TLS session its server last gave it, to resume it on the
/// slot's next connection (as browsers and wrk do). Starts zeroed.
typedef struct {
    SSL_SESSION *session;
} cload_tls_resume;

/// Frees the kept session, if any.
void cload_tls_resume_clear(cload_tls_resume *resume);

/// A client context: TLS 1.2+, read-ahead on, partial writes off, client-side session caching
/// into each session's `cload_tls_resume`. `verify`: check the peer's
/// chain against the certificates in `ca_file` (PEM), or the system's roots when it is NULL.
/// NULL on failure (ERR_get_error tells why).
SSL_CTX *cload_tls_context(int verify, const char *ca_file);
/// A session on `fd`, client side, with SNI `server_name` (NULL: none) and, when verifying, the
/// name or IP address the certificate must carry (`check_host`, NULL: none). It offers the
/// session kept in `resume` (NULL: none) and keeps the server's new one there. NULL on failure.
SSL *cload_tls_session(SSL_CTX *context, int fd, const char *server_name, const char *check_host, int check_is_ip,
                       cload_tls_resume *resume);

#endif
