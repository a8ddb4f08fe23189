// Launched targets that die with stress-ci: fork/exec from one long-lived thread (so the child's
// PR_SET_PDEATHSIG fires only when the process dies), a registry of the live target process
// groups, and handlers that kill those groups on every way out of the process.
#ifndef CLOADPROCESS_H
#define CLOADPROCESS_H

#include <sys/types.h>

/// Process-wide set-up, once, at the start of `main`: SIGPIPE ignored (a closed stdout or stderr
/// then fails a write with EPIPE instead of killing the process), descriptors 0–2 opened on
/// /dev/null when they are closed (so no socket or log lands on them), handlers for the fatal
/// signals (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGHUP, SIGQUIT) that kill the
/// registered target groups and then let the signal do what it did before, and an atexit hook
/// that kills them too. A signal already ignored (nohup) stays ignored.
void cload_process_setup(void);

/// Starts `path` with `argv` and `envp` in a process group of its own: stdin /dev/null, stdout
/// and stderr onto `output`, every signal's disposition the default, an empty signal mask, every
/// other descriptor closed on exec, and SIGKILL when stress-ci dies. Forks on a dedicated thread
/// that lives as long as the process. The child's group is registered (see
/// `cload_targets_kill_all`) until `cload_target_forget`.
///
/// When stress-ci dies without a chance to run any code (SIGKILL, the OOM killer), the child's
/// PR_SET_PDEATHSIG kills it, and a small guardian process in its group kills the rest of the
/// group (what the target started: `sh -c`, `npm start`). The guardian waits on a pipe whose write
/// end only stress-ci holds, `*guard`: close it only after killing the group (or never).
///
/// Returns 0 and the pid in `*pid`, or an errno: the fork's, or the one execve failed with in
/// the child (the child is then already reaped). `*guard` is -1 when no guardian could start.
int cload_target_spawn(const char *path, char *const argv[], char *const envp[], int output, pid_t *pid, int *guard);

/// pipe2(O_CLOEXEC): a pipe neither end of which reaches a process started later.
int cload_pipe_cloexec(int ends[2]);

/// Drops a target's group from the registry (call while the leader is a zombie, before reaping
/// it, so the id cannot have been reused).
void cload_target_forget(pid_t pid);

/// SIGKILL to every registered target group. Async-signal-safe.
void cload_targets_kill_all(void);

#endif
