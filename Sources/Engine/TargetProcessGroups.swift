import CLoadIO

/// Every launched target's process group, killed on every way out of stress-ci: its normal end
/// (each `TargetProcess` is stopped), a second SIGINT/SIGTERM, a crash, `exit`. A SIGKILL of
/// stress-ci (or the OOM killer) is covered by the targets themselves: they are started with
/// PR_SET_PDEATHSIG.
public enum TargetProcessGroups {
    /// Process-wide set-up, once, first thing in `main`: SIGPIPE ignored (a closed stdout or
    /// stderr fails a write instead of killing the run), closed descriptors 0–2 reopened on
    /// /dev/null, handlers for the fatal signals that kill the targets' groups before the signal
    /// does what it did before, and an `atexit` hook that kills them too.
    public static func installExitGuards() {
        cload_process_setup()
    }

    /// SIGKILL to every live target's process group. Safe to call from anywhere, any number of
    /// times: the last thing before `_exit` or `exit`.
    public static func killAll() {
        cload_targets_kill_all()
    }
}
