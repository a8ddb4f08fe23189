#define _GNU_SOURCE
#include "CLoadProcess.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// MARK: - The registry of live target groups

// A fixed table of lock-free atomics, so the fatal-signal handlers can read it safely. Runs are
// sequential (one target at a time, `--repeat` one after another): 64 is far more than needed.
#define GROUPS 64
static _Atomic pid_t groups[GROUPS];

static int remember(pid_t pid) {
    for (int i = 0; i < GROUPS; i++) {
        pid_t empty = 0;
        if (atomic_compare_exchange_strong(&groups[i], &empty, pid)) return 1;
    }
    return 0;
}

void cload_target_forget(pid_t pid) {
    for (int i = 0; i < GROUPS; i++) {
        pid_t expected = pid;
        atomic_compare_exchange_strong(&groups[i], &expected, 0);
    }
}

void cload_targets_kill_all(void) {
    for (int i = 0; i < GROUPS; i++) {
        pid_t pid = atomic_load(&groups[i]);
        if (pid > 0) kill(-pid, SIGKILL);
    }
}

// MARK: - Fatal signals

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGHUP, SIGQUIT };
static struct sigaction previous[NSIG];

static void on_fatal_signal(int sig, siginfo_t *info, void *context) {
    cload_targets_kill_all();
    if (info && info->si_code > 0) {
        // A fault: the faulting instruction runs again on return and faults again, now for
        // whoever had the signal before (the Swift runtime's backtracer, or the default).
        sigaction(sig, &previous[sig], NULL);
        return;
    }
    // Sent (kill, raise, abort): let the previous handler see it (the backtracer's report),
    // then end the process as the default action would: the backtracer returns from a sent
    // signal and the process would go on, its target already killed.
    const struct sigaction *before = &previous[sig];
    if (before->sa_flags & SA_SIGINFO) {
        if (before->sa_sigaction) before->sa_sigaction(sig, info, context);
    } else if (before->sa_handler != SIG_DFL && before->sa_handler != SIG_IGN) {
        before->sa_handler(sig);
    }
    struct sigaction fallback = {0};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(sig, &fallback, NULL);
    // Blocked while this handler runs: it arrives, with the default action, on return.
    raise(sig);
}

void cload_process_setup(void) {
    struct sigaction ignore = {0};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, NULL);

    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            // The lowest free descriptor: this one.
            int opened = open("/dev/null", O_RDWR);
            if (opened >= 0 && opened != fd) close(opened);
        }
    }

    struct sigaction handler = {0};
    handler.sa_sigaction = on_fatal_signal;
    handler.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&handler.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
        int sig = fatal_signals[i];
        if (sigaction(sig, NULL, &previous[sig]) != 0) continue;
        if (!(previous[sig].sa_flags & SA_SIGINFO) && previous[sig].sa_handler == SIG_IGN) continue;
        sigaction(sig, &handler, NULL);
    }
    atexit(cload_targets_kill_all);
}

// MARK: - Spawning

int cload_pipe_cloexec(int ends[2]) { return pipe2(ends, O_CLOEXEC); }

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    int output;
    pid_t pid;
    int guard;
    int error;
    int done;
} spawn_request;

static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t spawn_changed = PTHREAD_COND_INITIALIZER;
static spawn_request *pending_request;
/// One request at a time.
static pthread_mutex_t caller_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t spawner_once = PTHREAD_ONCE_INIT;
static int spawner_error;

static void report_and_exit(int report, int error) {
    ssize_t n;
    do n = write(report, &error, sizeof error); while (n < 0 && errno == EINTR);
    _exit(127);
}

// In the child: only async-signal-safe calls until execve.
static void become_target(const spawn_request *r, int report, pid_t parent) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent died before prctl took effect: nobody would ever stop this child.
    if (getppid() != parent) _exit(127);

    // The kernel's own call: glibc's sigaction refuses the real-time signals it keeps for itself
    // (32, 33), which an ignoring parent would otherwise pass on. All zeros is SIG_DFL, no flags,
    // an empty mask, in the kernel's layout.
    unsigned long fallback[4] = {0};
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, fallback, NULL, (size_t)8);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    // Move what must survive above 0–2 before those are replaced (stress-ci may run with its own
    // stdout or stderr closed, so the pipes can be any of them).
    int output = r->output;
    if (output <= 2 && (output = fcntl(output, F_DUPFD, 3)) < 0) report_and_exit(report, errno);
    if (report <= 2 && (report = fcntl(report, F_DUPFD_CLOEXEC, 3)) < 0) report_and_exit(report, errno);
    int null = open("/dev/null", O_RDONLY);
    if (null < 0) report_and_exit(report, errno);
    if (null != 0) {
        if (dup2(null, 0) < 0) report_and_exit(report, errno);
        if (null > 2) close(null);
    }
    if (dup2(output, 1) < 0 || dup2(output, 2) < 0) report_and_exit(report, errno);
    if (output > 2) close(output);
    // Nothing else of stress-ci's (sockets, pipes, the store's locks) reaches the target.
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);

    execve(r->path, r->argv, r->envp);
    report_and_exit(report, errno);
}

// In the guardian (a grandchild of the spawner thread, in the target's group, every signal
// blocked): waits until the pipe's write end, held by stress-ci alone, closes. stress-ci closes
// it only after killing the group (this process with it), so reading its end means stress-ci died
// (SIGKILL, the OOM killer): then the whole group goes, what the target started included. Being
// in the group keeps its id from being reused while it waits. Only async-signal-safe calls.
static void guard(pid_t group, int watch) {
    if (setpgid(0, group) != 0) _exit(0);
    if (watch != 0 && dup2(watch, 0) < 0) _exit(0);
    if (syscall(SYS_close_range, 1U, ~0U, 0U) != 0) {
        for (int fd = 1; fd < 65536; fd++) close(fd);
    }
    char byte;
    ssize_t n;
    do n = read(0, &byte, 1); while (n < 0 && errno == EINTR);
    kill(-group, SIGKILL);
    _exit(0);
}

// Starts the guardian of `group`; the write end of its pipe, or -1 (the target still has
// PR_SET_PDEATHSIG).
static int start_guardian(pid_t group) {
    int watch[2];
    if (pipe2(watch, O_CLOEXEC) != 0) return -1;
    pid_t middle = fork();
    if (middle == 0) {
        // Not stress-ci's child: nobody has to reap it. In the group before this returns, so
        // the group cannot be killed (and its id freed) before the guardian joined it.
        pid_t guardian = fork();
        if (guardian == 0) guard(group, watch[0]);
        if (guardian > 0 && setpgid(guardian, group) != 0) kill(guardian, SIGKILL);
        _exit(0);
    }
    close(watch[0]);
    if (middle < 0) {
        close(watch[1]);
        return -1;
    }
    while (waitpid(middle, NULL, 0) < 0 && errno == EINTR) {}
    return watch[1];
}

static void spawn(spawn_request *r) {
    int report[2];
    r->pid = -1;
    r->guard = -1;
    if (pipe2(report, O_CLOEXEC) != 0) {
        r->error = errno;
        return;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        r->error = errno;
        close(report[0]);
        close(report[1]);
        return;
    }
    if (pid == 0) become_target(r, report[1], parent);
    close(report[1]);
    // Also from this side, so the group exists before it is registered.
    setpgid(pid, pid);
    int registered = remember(pid);
    int child_error = 0;
    ssize_t n;
    do n = read(report[0], &child_error, sizeof child_error); while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof child_error || !registered) {
        // execve failed (the child exits at once), or the registry is full.
        if (!registered) kill(pid, SIGKILL);
        cload_target_forget(pid);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        r->error = registered ? child_error : EAGAIN;
        return;
    }
    r->pid = pid;
    r->guard = start_guardian(pid);
    r->error = 0;
}

static void *spawner(void *unused) {
    (void)unused;
    pthread_setname_np(pthread_self(), "stress-ci spawn");
    pthread_mutex_lock(&spawn_lock);
    for (;;) {
        while (!pending_request) pthread_cond_wait(&spawn_changed, &spawn_lock);
        spawn_request *r = pending_request;
        pthread_mutex_unlock(&spawn_lock);
        spawn(r);
        pthread_mutex_lock(&spawn_lock);
        r->done = 1;
        pending_request = NULL;
        pthread_cond_broadcast(&spawn_changed);
    }
    return NULL;
}

static void start_spawner(void) {
    // The thread blocks every signal: they are for the threads that handle them, and the child
    // starts from this mask (then empties it).
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    spawner_error = pthread_create(&thread, &attributes, spawner, NULL);
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

int cload_target_spawn(const char *path, char *const argv[], char *const envp[], int output, pid_t *pid, int *guard) {
    pthread_once(&spawner_once, start_spawner);
    if (spawner_error) return spawner_error;
    spawn_request request = { .path = path, .argv = argv, .envp = envp, .output = output, .pid = -1, .guard = -1 };
    pthread_mutex_lock(&caller_lock);
    pthread_mutex_lock(&spawn_lock);
    pending_request = &request;
    pthread_cond_broadcast(&spawn_changed);
    while (!request.done) pthread_cond_wait(&spawn_changed, &spawn_lock);
    pthread_mutex_unlock(&spawn_lock);
    pthread_mutex_unlock(&caller_lock);
    *pid = request.pid;
    *guard = request.guard;
    return request.error;
}
