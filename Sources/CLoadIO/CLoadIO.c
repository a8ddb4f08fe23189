#define _GNU_SOURCE
#ifndef __linux__
#error "stress-ci's load engine is built on epoll and eventfd: it builds on Linux only"
#endif
#include "CLoadIO.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int cload_poller_set(int poller, int fd, uint32_t interest, uint64_t token, int add) {
    struct epoll_event event = {0};
    if (interest & CLOAD_READABLE) event.events |= EPOLLIN | EPOLLRDHUP;
    if (interest & CLOAD_WRITABLE) event.events |= EPOLLOUT;
    event.data.u64 = token;
    return epoll_ctl(poller, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
}

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

// epoll_pwait2 until it is refused once, with anything but EINTR: ENOSYS before Linux 5.11,
// EPERM (or another errno) under the seccomp profiles of older container runtimes. Then
// epoll_wait, in every loop from then on.
static atomic_int use_pwait2 = 1;
// Test hooks (see the header): the errno the next pwait2 call fails with, and the one every
// call fails with.
static atomic_int fault_once = 0;
static atomic_int fault_always = 0;
static pthread_once_t fault_from_environment_once = PTHREAD_ONCE_INIT;

static void fault_from_environment(void) {
    const char *value = getenv("STRESS_CI_TEST_POLLER_FAULT");
    if (!value) return;
    if (strncmp(value, "once:", 5) == 0) atomic_store(&fault_once, atoi(value + 5));
    if (strncmp(value, "always:", 7) == 0) atomic_store(&fault_always, atoi(value + 7));
}

int cload_poller_create(void) {
    pthread_once(&fault_from_environment_once, fault_from_environment);
    return epoll_create1(EPOLL_CLOEXEC);
}

void cload_poller_simulate(int once, int always) {
    atomic_store(&use_pwait2, 1);
    atomic_store(&fault_once, once);
    atomic_store(&fault_always, always);
}

int cload_poller_uses_pwait2(void) { return atomic_load(&use_pwait2); }

// Rounded up, so a timer is never woken for early; -1 (forever) for a negative timeout.
static int milliseconds(int64_t timeout_ns) {
    if (timeout_ns < 0) return -1;
    if (timeout_ns >= (int64_t)INT_MAX * 1000000) return INT_MAX;
    return (int)((timeout_ns + 999999) / 1000000);
}

int cload_poller_wait(int poller, cload_event *out, int max, int64_t timeout_ns) {
    struct epoll_event events[512];
    if (max > 512) max = 512;
    int n;
    int always = atomic_load_explicit(&fault_always, memory_order_relaxed);
    if (timeout_ns >= 0 && atomic_load_explicit(&use_pwait2, memory_order_relaxed)) {
        int once = atomic_load_explicit(&fault_once, memory_order_relaxed) ? atomic_exchange(&fault_once, 0) : 0;
        if (once || always) {
            errno = once ? once : always;
            n = -1;
        } else {
            struct timespec ts = { .tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000 };
            n = (int)syscall(SYS_epoll_pwait2, poller, events, max, &ts, NULL, 0);
        }
        if (n < 0 && errno != EINTR) {
            atomic_store(&use_pwait2, 0);
            return cload_poller_wait(poller, out, max, timeout_ns);
        }
    } else if (always) {
        errno = always;
        n = -1;
    } else {
        n = epoll_wait(poller, events, max, milliseconds(timeout_ns));
    }
    for (int i = 0; i < n; i++) {
        uint32_t e = events[i].events, mapped = 0;
        if (e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR)) mapped |= CLOAD_READABLE;
        if (e & EPOLLOUT) mapped |= CLOAD_WRITABLE;
        out[i].token = events[i].data.u64;
        out[i].events = mapped;
    }
    return n;
}

int cload_wakeup_wait(int fd, int64_t timeout_ns) {
    struct pollfd entry = { .fd = fd, .events = POLLIN };
    return poll(&entry, 1, milliseconds(timeout_ns));
}

void cload_thread_name(const char *name) {
    char short_name[16];
    strncpy(short_name, name, sizeof short_name - 1);
    short_name[sizeof short_name - 1] = 0;
    pthread_setname_np(pthread_self(), short_name);
}

int cload_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int cload_tcp_connect(const struct sockaddr *address, socklen_t length) {
    int fd = socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, address, length) == 0 || errno == EINPROGRESS) return fd;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int cload_socket_error(int fd) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
    return error;
}

int cload_tcp_listen_loopback(int port, int backlog, int *bound_port) {
    if (port < 0 || port > 65535) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons((uint16_t)port);
    socklen_t length = sizeof address;
    if (bind(fd, (struct sockaddr *)&address, length) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (bound_port) *bound_port = ntohs(address.sin_port);
    return fd;
}

int cload_tcp_accept(int listener) {
    int fd;
    do {
        fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

void cload_close_with_reset(int fd) {
    struct linger linger = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
    close(fd);
}

void cload_tls_resume_clear(cload_tls_resume *resume) {
    if (resume->session) SSL_SESSION_free(resume->session);
    resume->session = NULL;
}

// OpenSSL hands over each session (TLS 1.3: each ticket) the server sends; it is kept in the
// connection slot's `cload_tls_resume`, replacing the one before.
static int keep_new_session(SSL *ssl, SSL_SESSION *session) {
    cload_tls_resume *resume = SSL_get_app_data(ssl);
    if (!resume) return 0;
    if (resume->session) SSL_SESSION_free(resume->session);
    resume->session = session;
    return 1;  // the reference is ours now
}

SSL_CTX *cload_tls_context(int verify, const char *ca_file) {
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (!context) return NULL;
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    // Read whole records (and more) per read(2), not a header and then a body.
    SSL_CTX_set_read_ahead(context, 1);
    SSL_CTX_set_mode(context, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (verify) {
        int loaded = ca_file ? SSL_CTX_load_verify_locations(context, ca_file, NULL)
                             : SSL_CTX_set_default_verify_paths(context);
        if (loaded != 1) {
            SSL_CTX_free(context);
            return NULL;
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, NULL);
    }
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(context, keep_new_session);
    static const unsigned char alpn[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    SSL_CTX_set_alpn_protos(context, alpn, sizeof alpn);
    return context;
}

SSL *cload_tls_session(SSL_CTX *context, int fd, const char *server_name, const char *check_host, int check_is_ip,
                       cload_tls_resume *resume) {
    SSL *ssl = SSL_new(context);
    if (!ssl) return NULL;
    if (SSL_set_fd(ssl, fd) != 1) goto fail;
    SSL_set_connect_state(ssl);
    SSL_set_app_data(ssl, resume);
    // A session that cannot be offered (expired, another protocol) means a full handshake.
    if (resume && resume->session && SSL_set_session(ssl, resume->session) != 1) cload_tls_resume_clear(resume);
    if (server_name && SSL_set_tlsext_host_name(ssl, server_name) != 1) goto fail;
    if (check_host) {
        if (check_is_ip) {
            if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), check_host) != 1) goto fail;
        } else if (SSL_set1_host(ssl, check_host) != 1) {
            goto fail;
        }
    }
    return ssl;
fail:
    SSL_free(ssl);
    return NULL;
}
